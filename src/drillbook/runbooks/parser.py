"""Markdown -> Runbooks: read any runbook file without crashing and get what it says.

    doc = parse_file("runbooks/redis-down.md")
    for runbook in doc.runbooks: ...

Our runbooks start with a front matter (id, alert, severity, mttr, services, names). Any other
file is read by inference: an incident is a heading that owns section labels (headings or bold
lines such as "Symptoms", "Resolution Steps", "Immediate Actions"), or a bold line followed by
steps (`**High Latency**`, see `procedures`); an alert table
(| Alert | Severity | Runbook | MTTR Target |) and prose ("Alert: HighLatency", "MTTR: 5 min")
give the rest. What cannot be inferred is left empty, with a Note saying so.

This module finds the incidents and their facts; `frontmatter` reads drillbook's own front
matter and `steps` turns a section's prose and code blocks into Steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from drillbook.runbooks.alerttable import (
    SeverityTargets,
    alert_index,
    is_level_item,
    matching_row,
    read_alert_table,
    read_severity_targets,
    with_severity_targets,
)
from drillbook.runbooks.durations import find_durations
from drillbook.runbooks.facts import alert_in, read_facts, severity_in, severity_in_title
from drillbook.runbooks.frontmatter import apply_front_matter, read_front_matter
from drillbook.runbooks.markdown import (
    Heading,
    MarkdownError,
    TableRow,
    Text,
    lex,
    plain_lines,
)
from drillbook.runbooks.model import (
    AlertRow,
    CodeBlock,
    Note,
    Runbook,
    RunbookDocument,
    Section,
    Step,
)
from drillbook.runbooks.page import PageTitle, page_evidence, page_title
from drillbook.runbooks.procedures import (
    NONE,
    Procedures,
    alert_headings,
    bold_title,
    bold_titles,
    label_line,
)
from drillbook.runbooks.roles import placed_by_effect
from drillbook.runbooks.source import read_lines
from drillbook.runbooks.steps import STEP_SECTIONS, code_steps, prose_steps
from drillbook.runbooks.symptomtable import symptom_rows
from drillbook.runbooks.vocabulary import NOT_INCIDENT, alert_name, label_of, plain, slug
from drillbook.yamlsource import Mapping

_INCIDENT_SECTIONS = {Section.SYMPTOMS, Section.DIAGNOSIS, Section.RESOLUTION}


def parse_file(path: str | Path) -> RunbookDocument:
    """Read one Markdown file into its runbooks; only an unreadable file raises (SourceError)."""
    path = Path(path)
    lines, notes = read_lines(path)
    doc = parse_text("\n".join(lines), path)
    return replace(doc, notes=tuple(notes) + doc.notes)


def parse_text(text: str, path: str | Path = "<string>") -> RunbookDocument:
    """Read Markdown text into its runbooks. Never raises."""
    # A byte order mark is no text: left in, it would hide the front matter's first `---`.
    # Every line ending counts as one, as the Markdown parser counts them (a lone \r too).
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _Parser(Path(path), text.split("\n")).parse()


@dataclass
class _Draft:
    title: str
    line: int
    level: int
    steps: list[Step] = field(default_factory=list)
    sections: set[Section] = field(default_factory=set)
    escalations: list[tuple[float, int]] = field(default_factory=list)
    alert: tuple[str, int] | None = None
    mttr: tuple[float, int] | None = None
    respond: tuple[float, int] | None = None
    severity: str | None = None
    section: Section = Section.OVERVIEW
    bold: bool = False  # named by a bold line, not a heading: any heading ends it
    label_line: int = 0  # the line of the current section's label, until something follows it
    empty: list[tuple[Section, int]] = field(default_factory=list)
    loose: list[Step] = field(default_factory=list)  # steps under no label, kept in case
    unlabelled: bool = True  # no label seen yet: steps so far are loose
    # The headings around a bold procedure that are no incident themselves ("### P0:
    # Database down" over "**Option A: fail over**"): it keeps their severity and targets.
    around: list[_Draft] = field(default_factory=list)

    def enter(self, section: Section, line: int) -> None:
        """A label opens `section`; the one before it stood empty if nothing followed."""
        self.close()
        self.unlabelled = False  # from here on, what is written stands under a label
        self.section = section
        self.sections.add(section)
        self.label_line = line

    def close(self) -> None:
        if self.label_line:
            self.empty.append((self.section, self.label_line))
        self.label_line = 0


class _Parser:
    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.notes: list[Note] = []
        self.severity_targets: SeverityTargets = {}

    def parse(self) -> RunbookDocument:
        front, body_start = self.front_matter()
        body = self.lines[body_start - 1 :]
        try:
            events = lex(body, body_start)
        except MarkdownError as exc:
            self.notes.append(
                Note(body_start, f"the Markdown parser failed here ({exc}): read as plain text")
            )
            events = plain_lines(body, body_start)
        blocks = tuple(e for e in events if isinstance(e, CodeBlock))
        alerts, table_notes = read_alert_table(events)
        self.notes.extend(table_notes)
        self.severity_targets = read_severity_targets(events)
        drafts = self.drafts(events, whole_document=front is not None)
        # A runbook of our own front matter is one incident: its tables are its own.
        rows = symptom_rows(events) if front is None else []
        if not drafts and not rows:
            title = page_title(events, self.lines, body_start, self.path)
            evidence = page_evidence(events, title, self.path)
            if evidence:
                drafts = self.drafts(events, whole_document=True, title=title)
                self.notes.append(
                    Note(
                        title.line,
                        f"the whole page is read as one incident: {'; '.join(evidence)}",
                        "give it a `# Title` and Symptoms / Resolution sections to say so",
                        "info",
                    )
                )
        for row in rows:
            drafts.append(
                _Draft(row.title, row.line, 8, list(row.steps), set(row.sections), bold=True)
            )
        if self.path.name.startswith("_index."):
            # A site generator's section index page lists runbooks; it is none itself.
            drafts = []
        runbooks = self.finish(drafts, front, alerts)
        return RunbookDocument(
            self.path, runbooks, alerts, blocks, tuple(self.notes), tuple(self.lines)
        )

    # -- front matter -----------------------------------------------------------------------
    def front_matter(self) -> tuple[Mapping | None, int]:
        return read_front_matter(self.lines, self.path, self.notes)

    # -- incidents --------------------------------------------------------------------------
    def incident_headings(self, events: list[Any], procedures: Procedures) -> set[int]:
        """Lines of the headings that own symptom, diagnosis or resolution labels.

        Labels after a bold-label procedure's title are that procedure's, and a heading
        that gathers such procedures ("## Troubleshooting") is no label of the one above.
        """
        stack: list[Heading] = []
        procedure = False  # a bold-label procedure opened under the innermost heading
        excluded: list[bool] = []  # per stack entry: it or a parent is no incident
        owners: set[int] = set()
        for event in events:
            section: Section | None = None
            if isinstance(event, Heading):
                while stack and stack[-1].level >= event.level:
                    stack.pop()
                    excluded.pop()
                section = label_of(event.title)
                if section is not None and event.line in procedures.gatherers:
                    continue
                if section is None:
                    procedure = False
                    parent = bool(excluded and excluded[-1])
                    excluded.append(parent or bool(NOT_INCIDENT.match(plain(event.title))))
                    stack.append(event)
                    continue
            elif isinstance(event, Text):
                procedure = procedure or event.line in procedures
                bold = label_line(event.text, self.alone(event.line))
                section = label_of(bold.group(1)) if bold else None
            if procedure:
                continue
            # Under "Post-Incident Review" or "Quick Reference", labels make no incident.
            if section in _INCIDENT_SECTIONS and stack and not excluded[-1]:
                owners.add(stack[-1].line)
        return owners

    def drafts(
        self, events: list[Any], whole_document: bool, title: PageTitle | None = None
    ) -> list[_Draft]:
        titles = NONE if whole_document else bold_titles(events)
        incidents = (
            set()
            if whole_document
            else self.incident_headings(events, titles) | alert_headings(events)
        )
        drafts: list[_Draft] = []
        open_: list[_Draft] = []
        if whole_document:
            first = next((e for e in events if isinstance(e, Heading)), None)
            if title is None:
                title = PageTitle(first.title, first.line, "heading") if first else None
            title = title or PageTitle(self.path.stem, 1, "file name")
            open_.append(_Draft(title.text, title.line, 0))
            drafts.append(open_[0])
        around: list[_Draft] = []  # the headings above, while no incident is open
        for event in events:
            if isinstance(event, Heading):
                self.heading(event, incidents, open_, drafts, whole_document)
                while around and around[-1].level >= event.level:
                    around.pop()
                around.append(_Draft(event.title, event.line, event.level))
            elif isinstance(event, Text) and event.line in titles and _in_procedure(open_):
                while open_ and open_[-1].bold:
                    open_.pop()
                draft = _Draft(bold_title(event.text) or event.text, event.line, 7, bold=True)
                draft.section = Section.RESOLUTION  # until a label says otherwise
                draft.around = list(around)
                open_.append(draft)
                drafts.append(draft)
            elif not open_ and around and isinstance(event, Text):
                if not is_level_item(event.text):  # a priority list is for every incident
                    read_facts(around[-1], event.text, event.line)
            elif open_ and isinstance(event, Text):
                self.text(open_[-1], event)
            elif open_ and isinstance(event, CodeBlock):
                self.code(open_[-1], event)
            elif open_ and isinstance(event, TableRow):
                open_[-1].label_line = 0
                if len(event.cells) == 2:  # | Default severity | **Critical** |: key, value
                    read_facts(open_[-1], ": ".join(event.cells), event.line, alert=False)
        return drafts

    def heading(
        self,
        event: Heading,
        incidents: set[int],
        open_: list[_Draft],
        drafts: list[_Draft],
        whole_document: bool,
    ) -> None:
        section = label_of(event.title)
        if event.line in incidents:
            while open_ and open_[-1].level >= event.level:
                open_.pop()
            draft = _Draft(event.title, event.line, event.level)
            open_.append(draft)
            drafts.append(draft)
            return
        if not whole_document:
            # A heading at or above an open incident's level ends it (unless it is its label).
            while open_ and open_[-1].level >= event.level:
                open_.pop()
        if open_ and section is not None:
            open_[-1].enter(section, event.line)
        elif open_ and open_[-1].severity is None:
            open_[-1].severity = severity_in(event.title)  # `## Critical` under the alert

    def text(self, draft: _Draft, event: Text) -> None:
        text = event.text
        bold = label_line(text, self.alone(event.line))
        section = label_of(bold.group(1)) if bold else None
        if bold and section is not None:
            draft.enter(section, event.line)
            text = bold.group(2)
            if not text.strip():
                return
        draft.label_line = 0  # the section has content
        read_facts(draft, text, event.line)
        if draft.section is Section.ESCALATION or "escalat" in text.lower():
            draft.escalations.extend((s, event.line) for s in find_durations(text))
        if draft.section in STEP_SECTIONS:
            draft.steps.extend(prose_steps(text, event.line, draft.section))
        elif draft.unlabelled:
            draft.loose.extend(prose_steps(text, event.line, Section.OVERVIEW))

    def alone(self, line: int) -> bool:
        """Whether the line starts a paragraph (nothing written on the line above)."""
        return line <= 1 or not self.lines[line - 2].strip()

    def code(self, draft: _Draft, block: CodeBlock) -> None:
        draft.label_line = 0
        if draft.section in STEP_SECTIONS:
            draft.steps.extend(code_steps(block, draft.section))
        elif draft.unlabelled:
            draft.loose.extend(code_steps(block, Section.OVERVIEW))

    # -- finishing --------------------------------------------------------------------------
    def finish(
        self, drafts: list[_Draft], front: Mapping | None, alerts: tuple[AlertRow, ...]
    ) -> tuple[Runbook, ...]:
        runbooks: list[Runbook] = []
        rows_by_key = alert_index(alerts)
        seen: set[str] = set()
        # The next free number per id: renaming the k-th duplicate must not retry 2..k.
        next_number: dict[str, int] = {}
        if front is not None and len(drafts) > 1:
            self.notes.append(Note(drafts[1].line, "front matter covers one runbook per file"))
        for index, draft in enumerate(drafts):
            draft.close()
            if draft.bold and not draft.sections and draft.steps:
                draft.sections.add(Section.RESOLUTION)
                self.notes.append(
                    Note(
                        draft.line,
                        f"procedure {plain(draft.title)!r} names no sections: its steps are "
                        "taken as resolution",
                        "add 'Diagnosis:' / 'Resolution:' labels to say which steps fix it",
                        "info",
                    )
                )
            if front is not None and index == 0:
                runbook = self.from_front(draft, front)
            else:
                runbook = self.inferred(draft, rows_by_key, single=len(drafts) == 1)
            base = runbook.id
            while runbook.id in seen:
                n = next_number.get(base, 2)
                next_number[base] = n + 1
                runbook = replace(runbook, id=f"{base}-{n}")
            seen.add(runbook.id)
            runbooks.append(runbook)
        return tuple(runbooks)

    def base(self, draft: _Draft) -> Runbook:
        draft.severity = draft.severity or severity_in_title(draft.title)
        for outer in reversed(draft.around):
            draft.severity = draft.severity or outer.severity or severity_in_title(outer.title)
            draft.mttr = draft.mttr or outer.mttr
            draft.respond = draft.respond or outer.respond
        return Runbook(
            id=slug(draft.title),
            title=re.sub(r"\s+", " ", draft.title).strip() or self.path.stem,
            path=self.path,
            line=draft.line,
            alert=draft.alert[0] if draft.alert else None,
            alert_line=draft.alert[1] if draft.alert else 0,
            severity=draft.severity or severity_in_title(draft.title),
            mttr_s=draft.mttr[0] if draft.mttr else None,
            mttr_line=draft.mttr[1] if draft.mttr else 0,
            mttr_from="text" if draft.mttr else "",
            respond_s=draft.respond[0] if draft.respond else None,
            respond_line=draft.respond[1] if draft.respond else 0,
            respond_from="text" if draft.respond else "",
            steps=tuple(draft.steps or self.unlabelled(draft)),
            sections=frozenset(draft.sections),
            empty_sections=tuple(draft.empty),
            escalation_s=tuple(draft.escalations),
        )

    def unlabelled(self, draft: _Draft) -> list[Step]:
        """The steps of an incident whose sections carry no label at all, by their effect."""
        if draft.sections & STEP_SECTIONS:
            return []  # labelled, with nothing to run: lint says so
        return placed_by_effect(draft, draft.loose, self.notes)

    def inferred(self, draft: _Draft, index: dict[str, AlertRow], single: bool) -> Runbook:
        runbook = self.alert_by_name(self.base(draft), single)
        row = matching_row(runbook, index)
        if row is not None:
            runbook = replace(
                runbook,
                alert=runbook.alert or row.alert,
                alert_line=runbook.alert_line or row.line,
                severity=runbook.severity or row.severity,
                mttr_s=runbook.mttr_s if runbook.mttr_s is not None else row.mttr_s,
                mttr_line=runbook.mttr_line or row.line,
                mttr_from=runbook.mttr_from or ("alert table" if row.mttr_s is not None else ""),
            )
        runbook = with_severity_targets(runbook, self.severity_targets, self.notes)
        missing = [
            what
            for what, value in (
                ("alert", runbook.alert),
                ("severity", runbook.severity),
                ("MTTR target", runbook.mttr_s),
            )
            if value is None
        ]
        if missing:
            self.notes.append(
                Note(
                    draft.line,
                    f"runbook {runbook.id!r}: could not infer {', '.join(missing)}",
                    "add a front matter (alert, severity, mttr) or an alert table row",
                    "info",
                )
            )
        return runbook

    def alert_by_name(self, runbook: Runbook, single: bool) -> Runbook:
        """`# KubePodCrashLooping`, or a file named so that holds one incident: the alert."""
        if runbook.alert:
            return runbook
        by_title = alert_name(runbook.title) or alert_in(runbook.title)
        if by_title:
            return replace(runbook, alert=by_title, alert_line=runbook.line)
        by_file = alert_name(self.path.stem) if single else None
        if single and runbook.title.strip() == self.path.stem and self.path.stem.isalnum():
            by_file = self.path.stem  # "# Watchdog" in Watchdog.md
        if by_file:
            self.notes.append(
                Note(runbook.line, f"alert {by_file} taken from the file name", None, "info")
            )
            return replace(runbook, alert=by_file, alert_line=runbook.line)
        return runbook

    def from_front(self, draft: _Draft, front: Mapping) -> Runbook:
        return apply_front_matter(self.base(draft), front, self.notes)


def _in_procedure(open_: list[_Draft]) -> bool:
    """Whether a bold title may open an incident here: not inside a heading's incident."""
    return not open_ or open_[-1].bold
