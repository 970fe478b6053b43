"""Which lint findings a person wants to see: by severity, by rule, and from a config file.

    drillbook lint runbooks/ --min-severity warning --ignore inferred-name --rule unknown-env

A repository switches rules off for good in `.drillbook-lint.yaml`, found in the working
directory or the nearest folder above it (or named with --config):

    # .drillbook-lint.yaml
    ignore: [inferred-name, not-executable]   # rules never reported
    rules: [unknown-service, destructive]     # only these rules (leave out for all)
    min-severity: warning                     # error | warning | note

Options on the command line add to the file: --ignore to its ignore list; --rule and
--min-severity replace its values. A crash is always reported: it is drillbook's own failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.runbooks.findings import CRASH, ERROR, INFO, LEVELS, RULES, WARNING, Finding
from drillbook.runbooks.stackrefs import nearest
from drillbook.yamlsource import Mapping, load_yaml

CONFIG_FILE = ".drillbook-lint.yaml"
SEVERITIES = {"error": ERROR, "warning": WARNING, "note": INFO, "info": INFO}
_KEYS = {"ignore", "rules", "min-severity"}


@dataclass(frozen=True)
class Selection:
    """The findings to report: at least `min_severity`, of `only` (all when empty), not
    `ignore`d."""

    min_severity: str = INFO
    only: frozenset[str] = field(default_factory=frozenset)
    ignore: frozenset[str] = field(default_factory=frozenset)

    def keeps(self, finding: Finding) -> bool:
        if finding.rule == CRASH:
            return True
        if LEVELS[finding.severity] > LEVELS[self.min_severity]:
            return False
        if self.only and finding.rule not in self.only:
            return False
        return finding.rule not in self.ignore

    def select(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if self.keeps(f)]

    def overridden(
        self,
        min_severity: str | None = None,
        only: Iterable[str] = (),
        ignore: Iterable[str] = (),
    ) -> Selection:
        """This selection with the command line's options laid over it."""
        chosen = replace(self, ignore=self.ignore | frozenset(ignore))
        if only:
            chosen = replace(chosen, only=frozenset(only))
        if min_severity is not None:
            chosen = replace(chosen, min_severity=SEVERITIES[min_severity])
        return chosen


def check_rule(name: str, where: str = "") -> str:
    """A rule name as given, or a ValueError naming the nearest real one."""
    if name in RULES:
        return name
    near = nearest(name, RULES)
    hint = f"did you mean {near!r}?" if near else f"rules: {', '.join(sorted(RULES))}"
    raise ValueError(f"{where}unknown lint rule {name!r} ({hint})")


def find_config(start: Path) -> Path | None:
    """The nearest `.drillbook-lint.yaml` in `start` or a folder above it."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path) -> Selection:
    """Read a lint config file; bad keys, rules or severities are a SourceError at file:line."""
    data: Any = load_yaml(path)
    where = str(path)
    if data is None:
        return Selection()  # an empty file switches nothing off
    if not isinstance(data, Mapping):
        raise SourceError(where, 1, "the lint config must be a mapping", "ignore: [rule, ...]")
    for key in data:
        if key not in _KEYS:
            raise SourceError(
                where, data.line_of(key), f"unknown key {key!r}", f"keys: {sorted(_KEYS)}"
            )
    lists = {key: _rules(data, key, where) for key in ("ignore", "rules")}
    severity = str(data.get("min-severity", "note"))
    if severity not in SEVERITIES:
        line = data.line_of("min-severity")
        raise SourceError(where, line, f"min-severity {severity!r}", "error, warning or note")
    return Selection(SEVERITIES[severity], frozenset(lists["rules"]), frozenset(lists["ignore"]))


def _rules(data: Mapping, key: str, where: str) -> list[str]:
    value = data.get(key) or []
    line = data.line_of(key) if key in data else 1
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SourceError(where, line, f"{key} must be a list of rule names", f"{key}: [rule]")
    try:
        return [check_rule(str(rule)) for rule in value]
    except ValueError as exc:
        raise SourceError(where, line, str(exc)) from None
