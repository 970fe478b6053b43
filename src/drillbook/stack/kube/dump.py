"""Manifests as YAML that kubectl reads back as written.

PyYAML speaks YAML 1.1, kubectl YAML 1.2: a string such as `5e46813` (a run id in hex) is
dumped unquoted by the first and read as a number by the second, and a label must be a
string. Every string that YAML 1.2 could read as a number is quoted.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_NUMBER_1_2 = re.compile(
    r"^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^0[xob][\da-fA-F_]+$"
    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if _NUMBER_1_2.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_manifests(docs: list[dict[str, Any]]) -> str:
    """The documents as one YAML stream for `kubectl apply -f -`."""
    return yaml.dump_all(docs, Dumper=_Dumper)
