"""A cluster the user already has, named by kubeconfig and context, used instead of ours.

drillbook starts and stops nothing there. Its `ClusterInfo` has no `ctr` (an empty tuple):
images cannot be imported into someone else's nodes, they must come from a registry the
cluster can pull from.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from drillbook.cluster.build import binaries_dir
from drillbook.cluster.cluster import ClusterInfo
from drillbook.errors import DrillbookError, SourceError


def external_cluster(kubeconfig: Path, context: str | None = None) -> ClusterInfo:
    """The cluster of `context` (default: the current one) in `kubeconfig`."""
    doc, node = _read(kubeconfig)
    name = context or doc.get("current-context")
    contexts = _named(kubeconfig, doc, node, "contexts")
    if not isinstance(name, str) or name not in contexts:
        known = ", ".join(sorted(contexts)) or "none"
        raise SourceError(
            str(kubeconfig),
            _line(node, "current-context") if context is None else None,
            f"no context {name!r} (contexts: {known})",
            "name one of them with --context",
        )
    cluster_name = contexts[name].get("cluster")
    clusters = _named(kubeconfig, doc, node, "clusters")
    server = clusters.get(str(cluster_name), {}).get("server")
    if not server:
        raise SourceError(
            str(kubeconfig),
            _line(node, "contexts", list(contexts).index(name)),
            f"context {name!r} names cluster {cluster_name!r}, which has no server",
            "check the kubeconfig with `kubectl config view`",
        )
    return ClusterInfo(kubeconfig, name, _kubectl(), str(server), ())


def _named(
    kubeconfig: Path, doc: dict[str, Any], node: yaml.Node, key: str
) -> dict[str, dict[str, Any]]:
    """The entries of the list `key` (contexts, clusters) by name: each one's mapping under
    the singular key (`context:`, `cluster:`); a SourceError at the line of a bad one."""
    entries = doc.get(key) or []
    inner = key.removesuffix("s")
    hint = "check the kubeconfig with `kubectl config view`"
    if not isinstance(entries, list):
        raise SourceError(str(kubeconfig), _line(node, key), f"`{key}` is not a list", hint)
    named: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        body = entry.get(inner) if isinstance(entry, dict) else None
        if not isinstance(body, dict) or not isinstance(entry.get("name"), str):
            raise SourceError(
                str(kubeconfig),
                _line(node, key, index),
                f"{key}[{index}] needs a `name` and a `{inner}` mapping",
                hint,
            )
        named[entry["name"]] = body
    return named


def _line(node: yaml.Node, *path: str | int) -> int | None:
    """The line (from 1) of the deepest node found along `path` (mapping keys, list indexes)."""
    line = None
    for step in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            child = node.value[step] if step < len(node.value) else None
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _read(kubeconfig: Path) -> tuple[dict[str, Any], yaml.Node]:
    try:
        text = kubeconfig.read_text(encoding="utf-8")
        doc, node = yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except OSError as exc:
        raise SourceError(
            str(kubeconfig),
            None,
            f"cannot read it ({exc.strerror})",
            "give the path of an existing kubeconfig",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SourceError(
            str(kubeconfig),
            line,
            "not valid YAML",
            "check the kubeconfig with `kubectl config view`",
        ) from None
    if not isinstance(doc, dict) or node is None:
        raise SourceError(
            str(kubeconfig),
            None,
            "not a kubeconfig (no mapping at the top)",
            "give the path of a kubeconfig",
        )
    return doc, node


def _kubectl() -> Path:
    """drillbook's built kubectl when there is one, else the one on the PATH."""
    built = binaries_dir() / "kubectl"
    if built.is_file():
        return built
    found = shutil.which("kubectl")
    if found is None:
        raise DrillbookError(
            "no kubectl: neither drillbook's build nor one on the PATH",
            "install kubectl, or run `drillbook cluster up` once, which builds one",
        )
    return Path(found)
