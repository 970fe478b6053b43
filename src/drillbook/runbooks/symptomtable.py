"""Symptom tables: | Symptom | Cause | Fix |, one incident per row.

Teams often keep their small incidents as a table under "When it breaks" or "Troubleshooting":
the first column names what is seen, the others what to check and what to do. A table is one
when its header has a symptom column and at least one other column that names an incident
section (diagnosis, resolution or verification); its rows are then incidents, their steps the
inline commands and list-like prose of those columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from drillbook.runbooks.alerttable import tables
from drillbook.runbooks.model import Section, Step
from drillbook.runbooks.steps import STEP_SECTIONS, prose_steps
from drillbook.runbooks.vocabulary import label_of


@dataclass(frozen=True)
class RowIncident:
    title: str
    line: int
    sections: frozenset[Section]
    steps: tuple[Step, ...]


def _columns(header: tuple[str, ...]) -> tuple[int, dict[int, Section]] | None:
    kinds = {i: label_of(cell) for i, cell in enumerate(header)}
    symptom = next((i for i, kind in kinds.items() if kind is Section.SYMPTOMS), None)
    if symptom is None:
        return None
    steps = {i: k for i, k in kinds.items() if k in STEP_SECTIONS and i != symptom}
    return (symptom, steps) if steps else None


def symptom_rows(events: list[Any]) -> list[RowIncident]:
    """The incidents of every symptom table among the events, in document order."""
    found: list[RowIncident] = []
    for header, body in tables(events):
        columns = _columns(header.cells)
        if columns is None:
            continue
        symptom, step_columns = columns
        for row in body:
            if symptom >= len(row.cells) or not row.cells[symptom].strip():
                continue
            steps: list[Step] = []
            for index, section in step_columns.items():
                if index < len(row.cells):
                    steps.extend(prose_steps(row.cells[index], row.line, section))
            title = re.sub(r"[*_`]", "", row.cells[symptom]).strip()
            found.append(
                RowIncident(
                    title,
                    row.line,
                    frozenset({Section.SYMPTOMS, *step_columns.values()}),
                    tuple(steps),
                )
            )
    return found
