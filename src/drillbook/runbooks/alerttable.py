"""Alert tables (| Alert | Severity | Runbook | MTTR Target |) and targets by severity."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from drillbook.runbooks.durations import find_durations, format_duration, parse_duration
from drillbook.runbooks.markdown import TableRow, Text
from drillbook.runbooks.model import AlertRow, Note, Runbook
from drillbook.runbooks.targets import RESPOND, RESTORE, find_targets, kind_of
from drillbook.runbooks.vocabulary import plain


def tables(events: list[Any]) -> list[tuple[TableRow, list[TableRow]]]:
    """Each Markdown table among the events: its header row and its body rows (no rule)."""
    found: list[tuple[TableRow, list[TableRow]]] = []
    last_line = -1
    for event in events:
        if not isinstance(event, TableRow):
            continue
        if event.line != last_line + 1:
            found.append((event, []))
        elif not all(set(c) <= set("-: ") for c in event.cells):
            found[-1][1].append(event)
        last_line = event.line
    return found


def read_alert_table(events: list[Any]) -> tuple[tuple[AlertRow, ...], list[Note]]:
    """The rows of the alert tables among the events, and what could not be read in them."""
    notes: list[Note] = []
    rows: list[AlertRow] = []
    for header, body in tables(events):
        cells = [plain(c) for c in header.cells]
        if not cells or "alert" not in cells[0]:
            continue
        columns = {"alert": 0}
        for i, cell in enumerate(cells):
            if "sever" in cell:
                columns["severity"] = i
            elif "runbook" in cell:
                columns["runbook"] = i
            elif "mttr" in cell or "target" in cell or "resolve" in cell:
                columns["mttr"] = i
        rows.extend(_alert_row(row, columns, notes) for row in body)
    return tuple(rows), notes


def _alert_row(row: TableRow, columns: dict[str, int], notes: list[Note]) -> AlertRow:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row.cells[index] if index is not None and index < len(row.cells) else ""

    alert = re.sub(r"[*`]", "", cell("alert")).strip()
    severity_words = plain(cell("severity")).split()
    link = re.search(r"\]\(([^)]+)\)", cell("runbook"))
    mttr_text = cell("mttr")
    mttr = parse_duration(mttr_text) if mttr_text else None
    if mttr_text and mttr is None:
        notes.append(Note(row.line, f"cannot read MTTR {mttr_text!r}", "e.g. 10 minutes"))
    return AlertRow(
        alert=alert,
        line=row.line,
        severity=severity_words[-1] if severity_words else None,
        runbook_link=link.group(1) if link else None,
        mttr_s=mttr,
    )


def alert_index(alerts: tuple[AlertRow, ...]) -> dict[str, AlertRow]:
    """The rows by every key a runbook may match them on: alert name, link target (first wins)."""
    index: dict[str, AlertRow] = {}
    for row in alerts:
        keys = [_squash(row.alert)]
        if row.runbook_link:
            keys.append(_squash(Path(row.runbook_link.split("#")[-1]).stem))
        for key in keys:
            index.setdefault(key, row)
    return index


def matching_row(runbook: Runbook, index: dict[str, AlertRow]) -> AlertRow | None:
    """The alert table row that names this runbook by its title or alert."""
    wanted = [_squash(runbook.title)] + ([_squash(runbook.alert)] if runbook.alert else [])
    rows = [index[key] for key in wanted if key in index]
    return min(rows, key=lambda r: r.line) if rows else None


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", plain(text))


_LEVEL_HEADER = re.compile(r"\b(?:severity|priority|level|sev)\b")
# `- P0: respond within 15 min`, `- **SEV-1 (critical)** - resolve in 1 h`: a priority's targets
_LEVEL_ITEM = re.compile(
    r"(?i)^\s*(?:[-*+]|\d+[.)])\s+[*_`]*((?:p|sev|s)[- ]?\d|critical|high|medium|low|major|minor)"
    r"\b([^:|\u2013\u2014-]{0,30}?)[*_`]*\s*[:|\u2013\u2014-]\s*(.+)$"
)


def is_level_item(text: str) -> bool:
    """Whether a line is an item of a priority list (`- P0: respond within 15 min`)."""
    return _LEVEL_ITEM.match(text) is not None


SeverityTargets = dict[str, dict[str, tuple[float, int]]]  # kind -> severity word -> (s, line)


def read_severity_targets(events: list[Any]) -> SeverityTargets:
    """Targets by kind and severity word, from severity tables and priority lists.

    `| P0 (Critical) | ... | Response Time: 15 minutes |` gives
    {"respond": {"p0": (900, line), "critical": (900, line)}}; a column or item whose words
    name no kind ("| Target |", "- P1: 15 min") gives nothing: it is not known which time it is.
    """
    targets: SeverityTargets = {RESPOND: {}, RESTORE: {}}
    for header, body in tables(events):
        cells = [plain(c) for c in header.cells]
        level = next((i for i, c in enumerate(cells) if _LEVEL_HEADER.search(c)), None)
        if level is None:
            continue
        columns = [(i, kind_of(c)) for i, c in enumerate(cells) if i != level]
        for row in body:
            words = plain(row.cells[level]).split() if level < len(row.cells) else []
            for i, kind in columns:
                seconds = _first_duration(row.cells[i]) if i < len(row.cells) else None
                if kind is None or seconds is None:
                    continue
                for word in words:
                    targets[kind].setdefault(word, (seconds, row.line))
    for event in events:
        item = _LEVEL_ITEM.match(event.text) if isinstance(event, Text) else None
        if item is None:
            continue
        words = plain(item.group(1) + " " + item.group(2)).split()
        for target in find_targets(item.group(3)):
            for word in words:
                targets[target.kind].setdefault(word, (target.seconds, event.line))
    return targets


def _first_duration(text: str) -> float | None:
    found = find_durations(text)
    return found[0] if found else None


def with_severity_targets(runbook: Runbook, targets: SeverityTargets, notes: list[Note]) -> Runbook:
    """The runbook with the targets its severity is given, for each kind it has none of."""
    if not runbook.severity:
        return runbook
    level = runbook.severity.lower()
    restore = targets.get(RESTORE, {}).get(level)
    if restore is not None and runbook.mttr_s is None:
        seconds, line = restore
        notes.append(_severity_note(runbook, "MTTR target", seconds, line))
        runbook = replace(runbook, mttr_s=seconds, mttr_line=line, mttr_from="severity table")
    respond = targets.get(RESPOND, {}).get(level)
    if respond is not None and runbook.respond_s is None:
        seconds, line = respond
        notes.append(_severity_note(runbook, "time to respond", seconds, line))
        runbook = replace(
            runbook, respond_s=seconds, respond_line=line, respond_from="severity table"
        )
    return runbook


def _severity_note(runbook: Runbook, what: str, seconds: float, line: int) -> Note:
    return Note(
        runbook.line,
        f"runbook {runbook.id!r}: {what} {format_duration(seconds)} taken from the "
        f"severity table (line {line}) for severity {runbook.severity}",
        None,
        "info",
    )
