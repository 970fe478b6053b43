"""Alert tables: | Alert | Severity | Runbook | MTTR Target |, wherever a document has one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from drillbook.runbooks.durations import find_durations, parse_duration
from drillbook.runbooks.markdown import TableRow
from drillbook.runbooks.model import AlertRow, Note, Runbook
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
_TIME_HEADER = re.compile(r"\b(?:response|resolution|resolve|mttr|target|sla|restore|recovery)\b")


def read_severity_targets(events: list[Any]) -> dict[str, tuple[float, int]]:
    """Targets by severity word from severity tables: | Severity | ... | Response Time |.

    `| P0 (Critical) | ... | 15 minutes |` gives {"p0": (900, line), "critical": (900, line)}.
    """
    targets: dict[str, tuple[float, int]] = {}
    for header, body in tables(events):
        cells = [plain(c) for c in header.cells]
        level = next((i for i, c in enumerate(cells) if _LEVEL_HEADER.search(c)), None)
        time = next((i for i, c in enumerate(cells) if _TIME_HEADER.search(c)), None)
        if level is None or time is None:
            continue
        for row in body:
            if max(level, time) >= len(row.cells):
                continue
            seconds = _first_duration(row.cells[time])
            if seconds is None:
                continue
            for word in plain(row.cells[level]).split():
                targets.setdefault(word, (seconds, row.line))
    return targets


def _first_duration(text: str) -> float | None:
    found = find_durations(text)
    return found[0] if found else None
