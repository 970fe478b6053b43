"""Prometheus alert rule files, read as data: which alerts a stack can raise, and how long each
waits (`for:`) before it fires. Pure: no Prometheus needed.

    rules = read_rule_files([Path("fixtures/images/prometheus/rules/alerts.yml")])
    rules.alert("RedisDown").for_s  # 2.0

Errors name the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillbook.yamlsource import Mapping, SourceReader, load_yaml

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w)")


def prometheus_duration(text: str) -> float | None:
    """Seconds of a Prometheus duration ('2s', '1m30s', '500ms'); None if it is not one."""
    text = text.strip()
    if text == "0":
        return 0.0
    parts = _PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(int(n) * _UNITS[u] for n, u in parts)


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule: its name, expression, `for:` in seconds, and where it is written."""

    name: str
    expr: str
    for_s: float
    path: Path
    line: int
    group: str = ""
    group_interval_s: float | None = None  # the group's own evaluation interval, if set
    annotations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AlertRules:
    """Every alerting rule of a set of rule files, in file order."""

    rules: tuple[AlertRule, ...] = ()

    def __iter__(self) -> Iterator[AlertRule]:
        return iter(self.rules)

    def names(self) -> set[str]:
        return {r.name for r in self.rules}

    def alert(self, name: str) -> AlertRule | None:
        """The first rule raising alert `name` (an alert may be raised by several)."""
        return next((r for r in self.rules if r.name == name), None)


class _Reader(SourceReader):
    def rules(self, doc: Any) -> Iterator[AlertRule]:
        root = self.mapping(doc, 1, "a rule file")
        groups = root.get("groups") or []
        if not isinstance(groups, list):
            raise self.fail(root.line_of("groups"), "groups must be a list")
        for group in groups:
            g = self.mapping(group, root.line_of("groups"), "a rule group")
            interval = self.duration(g, "interval") if "interval" in g else None
            for rule in g.get("rules") or []:
                r = self.mapping(rule, g.line_of("rules"), "a rule")
                if "alert" not in r:
                    continue  # a recording rule
                yield AlertRule(
                    name=str(r["alert"]),
                    expr=str(self.require(r, "expr", f"alert {r['alert']!r}")),
                    for_s=self.duration(r, "for") if "for" in r else 0.0,
                    path=self.path,
                    line=r.line_of("alert"),
                    group=str(g.get("name", "")),
                    group_interval_s=interval,
                    annotations=tuple(
                        (str(k), str(v)) for k, v in (r.get("annotations") or {}).items()
                    ),
                )

    def duration(self, m: Mapping, key: str) -> float:
        seconds = prometheus_duration(str(m[key]))
        if seconds is None:
            raise self.fail(
                m.line_of(key), f"{key}: {m[key]!r} is not a Prometheus duration", "e.g. 2s, 1m30s"
            )
        return seconds


def read_rule_files(paths: Iterable[Path]) -> AlertRules:
    """The alerting rules of the files, in order; a file that is not a rule file is an error."""
    rules: list[AlertRule] = []
    for path in paths:
        rules.extend(_Reader(path).rules(load_yaml(path)))
    return AlertRules(tuple(rules))
