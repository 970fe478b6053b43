"""Runbook and Step: what a Markdown runbook says, as data.

A Runbook is one incident: its alert, severity, MTTR target, the services it concerns, its
sections, and the Steps of each section. A RunbookDocument is one file: it may hold many
runbooks, an alert table, and notes about what could not be read or inferred.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from pathlib import Path


class Section(enum.Enum):
    """The parts of an incident runbook, in the order a responder reads them."""

    OVERVIEW = "overview"
    SYMPTOMS = "symptoms"
    DIAGNOSIS = "diagnosis"
    RESOLUTION = "resolution"
    VERIFICATION = "verification"
    ESCALATION = "escalation"
    PREVENTION = "prevention"


class StepKind(enum.Enum):
    COMMAND = "command"  # a shell command from a code block or an inline code span
    WAIT = "wait"  # a written wait: "wait 2 minutes", `sleep 30`
    MANUAL = "manual"  # prose a person has to carry out


@dataclass(frozen=True)
class Step:
    """One thing to do, located at its source line (1-based)."""

    kind: StepKind
    text: str
    line: int
    section: Section
    wait_s: float | None = None  # for WAIT steps: the time as written
    shell: str = "sh"  # the block's language family: "sh" or "powershell"


@dataclass(frozen=True)
class Note:
    """Something the parser could not read or had to guess, located by line."""

    line: int
    message: str
    hint: str | None = None
    level: str = "warning"  # "warning" or "info", as a lint finding


@dataclass(frozen=True)
class Runbook:
    """One incident's runbook. Fields the document did not give are None or empty."""

    id: str
    title: str
    path: Path
    line: int
    alert: str | None = None
    severity: str | None = None
    mttr_s: float | None = None
    services: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    sections: frozenset[Section] = frozenset()
    escalation_s: tuple[tuple[float, int], ...] = ()  # (seconds, line) of written escalations
    names: dict[str, str] = field(default_factory=dict)  # runbook name -> stack service
    from_front_matter: bool = False
    alert_line: int = 0
    mttr_line: int = 0
    services_line: int = 0
    # Where the MTTR target was read: "front matter", "text", "alert table", "severity table".
    mttr_from: str = ""
    # A written time to respond (acknowledge, engage): judged against detection and the page,
    # never taken for the MTTR target. Where from: "text", "severity table", "front matter".
    respond_s: float | None = None
    respond_line: int = 0
    respond_from: str = ""
    # Sections whose label stands with nothing under it: (section, line of the label).
    empty_sections: tuple[tuple[Section, int], ...] = ()

    def section_steps(self, *sections: Section) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.section in sections)

    def without(self, *steps: Step) -> Runbook:
        """A copy of this runbook with these steps left out: what it does without them."""
        foreign = [s for s in steps if s not in self.steps]
        if foreign:
            raise ValueError(f"line {foreign[0].line} is not a step of runbook {self.id}")
        return replace(self, steps=tuple(s for s in self.steps if s not in steps))

    @property
    def written_wait_s(self) -> float:
        """The time the resolution and verification steps ask to wait, added up."""
        waits = self.section_steps(Section.RESOLUTION, Section.VERIFICATION)
        return sum(s.wait_s or 0.0 for s in waits if s.kind is StepKind.WAIT)


@dataclass(frozen=True)
class AlertRow:
    """A row of an alert table: | Alert | Severity | Runbook | MTTR Target |."""

    alert: str
    line: int
    severity: str | None = None
    runbook_link: str | None = None
    mttr_s: float | None = None


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block: its language, its lines, and the line of its first content line."""

    language: str
    lines: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class RunbookDocument:
    """One Markdown file: its runbooks, alert table, code blocks and parse notes."""

    path: Path
    runbooks: tuple[Runbook, ...]
    alerts: tuple[AlertRow, ...] = ()
    blocks: tuple[CodeBlock, ...] = ()
    notes: tuple[Note, ...] = ()
    text_lines: tuple[str, ...] = ()
