"""An incident's alert and severity, as prose writes them.

    alert_in("PagerDuty Alert: _HighRailsErrorRate_")                  -> "HighRailsErrorRate"
    alert_in("The [`RegistryPoolFull`](rules.yml) alert fires when...") -> "RegistryPoolFull"
    alert_in("This alert (WalSenderLagTooHigh) fires when...")          -> "WalSenderLagTooHigh"
    severity_in("This is a critical alert.")                           -> "critical"

An alert is named by a label (`Alert: X`) or by an identifier set in code or parentheses next
to the word "alert"; an ordinary word next to it ("the disk alert") is no name. A severity is a
label (`Severity: P1`, `Urgency: high`), a level the text gives the alert ("is a critical
alert", "a `warning` level alert"), or a line or heading that starts with the level alone
(`**Critical** - the cluster is down`, `## Critical`).
"""

from __future__ import annotations

import re
from typing import Protocol

from drillbook.runbooks.targets import RESPOND, RESTORE, find_targets

_MARK = r"[*_`\"'\s]*"
_NAME = r"([A-Za-z][\w.:-]*[\w])"
_LABELLED = re.compile(rf"(?i)\balert(?:[ _]?name)?{_MARK}[:=]{_MARK}{_NAME}")
_CODE_BEFORE = re.compile(
    r"(?i)`([A-Za-z][\w.:-]{2,})`\]?(?:\([^)\s]*\))?\s+(?:[a-z]+\s+){0,2}?alerts?\b"
)
_CODE_AFTER = re.compile(
    r"(?i)\balerts?\s+(?:(?:named|called|rule)\s+)?(?:`([A-Za-z][\w.:-]{2,})`|\(([A-Za-z][\w.:-]{2,})\))"
)
_LEVEL = r"(critical|warning|high|medium|low|major|minor|info|p[0-5]|sev-?[0-5])"
_SEVERITY_LABEL = re.compile(rf"(?i)\b(?:severity|priority|urgency){_MARK}[:=]{_MARK}{_LEVEL}\b")
_SEVERITY_PROSE = re.compile(
    rf"(?i)(?:\b(?:is|as)\s+an?\s+[*_`]*{_LEVEL}[*_`]*(?:[- ](?:severity|level|priority|urgency))?"
    rf"|\ban?\s+[*_`]*{_LEVEL}[*_`]*[- ](?:severity|level|priority|urgency))"
    r"\s+(?:alert|incident|issue|situation|page)\b"
)
# `**Critical** - Cluster will be in inoperable state.`, a heading `## Critical`. ("Warning"
# and "Info" lead admonitions far more often than severities: `**Warning**: this drops...`)
_LEAD_LEVEL = r"(critical|high|medium|low|major|minor|p[0-5]|sev-?[0-5])"
_SEVERITY_LEAD = re.compile(
    rf"(?i)^\s*(?:[*_]{{2}}{_LEAD_LEVEL}[*_]{{2}}\s*[-\u2013\u2014]|{_LEAD_LEVEL}\s*$)"
)


def _identifier(name: str) -> bool:
    """A name an alerting rule would have: CamelCase, snake_case or dotted, not a word."""
    return "_" in name or "." in name or any(c.isupper() for c in name[1:])


def alert_in(text: str) -> str | None:
    """The alert a line of prose (or a title) names, if it names one."""
    labelled = _LABELLED.search(text)
    if labelled:
        return labelled.group(1).rstrip("_")  # _Name_ is italic
    for pattern in (_CODE_BEFORE, _CODE_AFTER):
        for found in pattern.finditer(text):
            name = next(g for g in found.groups() if g)
            if _identifier(name):
                return name
    return None


_RANK = ("p0", "sev0", "sev-0", "critical", "p1", "sev1", "sev-1", "major", "high")
# `### P0: Database down`, `### Signup broken (P0, customer-blocking)`, `[SEV-2] Slow search`
_SEVERITY_TITLE = re.compile(r"(?i)(?:^|[\[(])\s*(p[0-5]|sev-?[0-5])\b")


def _most_severe(levels: list[str]) -> str:
    """Of levels written on one line ("warning at 70%, critical at 90%"), the worst."""
    ranked = [level for level in _RANK if level in levels]
    return ranked[0] if ranked else levels[0]


_ANY_LEVEL = re.compile(rf"(?i){_LEVEL}")  # the cheap test first: most lines name no level


def severity_in(text: str) -> str | None:
    """The severity a line of prose gives its incident, lower-cased, if it gives one."""
    if not _ANY_LEVEL.search(text):
        return None
    levels = [
        next(g for g in found.groups() if g).lower()
        for pattern in (_SEVERITY_LABEL, _SEVERITY_PROSE)
        for found in pattern.finditer(text)
    ]
    lead = _SEVERITY_LEAD.match(text)
    if lead:
        levels.append(next(g for g in lead.groups() if g).lower())
    return _most_severe(levels) if levels else None


def severity_in_title(title: str) -> str | None:
    """The priority an incident's title carries: `P0: Database down`, `Slow search [SEV-2]`."""
    found = _SEVERITY_TITLE.search(title)
    return found.group(1).lower() if found else None


class Facts(Protocol):
    """What an incident being read has found so far: (value, line), or None."""

    alert: tuple[str, int] | None
    mttr: tuple[float, int] | None
    respond: tuple[float, int] | None
    severity: str | None


_TARGET_HINT = re.compile("mttr|mttm|respon|resol|restor|recover|ack|engag|mitig")


def read_facts(found: Facts, text: str, line: int, alert: bool = True) -> None:
    """The alert, targets and severity a line of prose writes; the first of each counts."""
    low = text.lower()  # the cheap test first: most lines state none of these
    named = alert_in(text) if alert and found.alert is None and "alert" in low else None
    if named:
        found.alert = (named, line)
    if (found.mttr is None or found.respond is None) and _TARGET_HINT.search(low):
        for target in find_targets(text):
            if target.kind == RESTORE and found.mttr is None:
                found.mttr = (target.seconds, line)
            elif target.kind == RESPOND and found.respond is None:
                found.respond = (target.seconds, line)
    if found.severity is None:
        found.severity = severity_in(text)
