"""Lint findings: one problem at file:line, its rule and severity, and a short fix.

Severities, from the most to the least serious: error (the runbook cannot work as written;
exit 1), warning (it may not), note (worth knowing: a guess drillbook made). A note is
written "info" in JSON, as it always was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
LEVELS = {ERROR: 0, WARNING: 1, INFO: 2}
CRASH = "crash"
# Every rule the linter has (see drillbook.runbooks.lint), for --rule, --ignore and the config.
RULES = frozenset(
    {
        "alert-without-runbook",
        "ambiguous-url",
        CRASH,
        "destructive",
        "empty-resolution",
        "inferred-name",
        "mttr-impossible",
        "mttr-missing",
        "mttr-too-short",
        "not-executable",
        "parse",
        "placeholder",
        "runbook-without-alert",
        "unknown-env",
        "unknown-port",
        "unknown-service",
        "unknown-subcommand",
        "unreadable",
        "url-outside-stack",
    }
)


@dataclass(frozen=True)
class Finding:
    """One lint finding, located by file and line, with a hint of how to fix it."""

    path: str
    line: int
    rule: str
    severity: str
    message: str
    hint: str = ""

    def text(self) -> str:
        hint = f" (fix: {self.hint})" if self.hint else ""
        severity = "note" if self.severity == INFO else self.severity  # one name in text
        return f"{self.path}:{self.line}: {severity} {self.rule}: {self.message}{hint}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def order(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line, LEVELS[f.severity], f.rule)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def has_crashes(findings: Iterable[Finding]) -> bool:
    return any(f.rule == CRASH for f in findings)


def render_text(findings: list[Finding], files: int, runbooks: int) -> str:
    """Findings one per line, then a summary line."""
    counts = {level: sum(f.severity == level for f in findings) for level in LEVELS}
    lines = [f.text() for f in findings]
    lines.append(
        f"{files} files, {runbooks} runbooks: {counts[ERROR]} errors, "
        f"{counts[WARNING]} warnings, {counts[INFO]} notes"
    )
    return "\n".join(lines)
