"""`drillbook runbooks show PATH... [--json]`: what drillbook understood of the runbooks.

Before trusting a drill's verdict, a person checks what drillbook read: each incident's id,
title, alert, severity and MTTR target (and where each came from), the notes where it
guessed, and the steps of each section with their line and whether drillbook can run them
(the CommandAdapter's decision against the stack, and why).

The JSON shape (stable; new keys may be added, none removed or renamed):

    {"files": [{
        "path": "runbooks/redis.md",
        "notes": [{"line": 1, "level": "warning", "message": "...", "hint": "..."}],
        "incidents": [{
            "id": "redis-down", "title": "Redis down", "line": 7,
            "alert": {"name": "RedisDown", "from": "runbooks/redis.md:3"} | null,
            "severity": "critical" | null,
            "target": {"seconds": 300.0, "text": "5 min",
                       "from": "front matter" | "path:line" | "alert table line N"
                               | "severity table line N"} | null,
            "respond": {"seconds": 900.0, "text": "15 min", "from": ...as target} | null,
            "notes": [ ...as above: the guesses made for this incident ],
            "sections": {"diagnosis": [STEP], "resolution": [STEP], "verification": [STEP]}
        }]
    }]}

    STEP = {"line": 12, "kind": "command" | "wait" | "manual", "text": "...",
            "role": "diagnose" | "fix" | "verify",  (what it does: a look is no fix)
            "runs": true | false,
            "decision": "run" | "refused" | "not executable" | "wait" | "manual",
            "why": "..." }

Exit 0, or 2 on bad usage (a path or the stack definition that cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from drillbook.cli.options import project_of, with_stack
from drillbook.errors import DrillbookError
from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.durations import format_duration
from drillbook.runbooks.model import Note, Runbook, RunbookDocument, Section, Step, StepKind
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.repository import markdown_files, read_documents
from drillbook.runbooks.roles import roles
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

USAGE = 2
SECTIONS = (Section.DIAGNOSIS, Section.RESOLUTION, Section.VERIFICATION)


def register(sub: Any) -> None:
    runbooks = sub.add_parser("runbooks", help="what drillbook understood of runbooks")
    verbs = runbooks.add_subparsers(dest="verb", required=True, metavar="VERB")
    show = with_stack(
        verbs.add_parser(
            "show",
            help="incidents, alerts, targets and steps as drillbook read them",
            description="Show what drillbook understood of each runbook: incidents, alert, "
            "severity, MTTR target and where each came from, its guesses, and each step "
            "by section with its line and whether drillbook can run it on the stack.",
        )
    )
    show.add_argument("paths", nargs="+", metavar="PATH", help="Markdown files or folders")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(run=run_show)


def run_show(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"drillbook: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return USAGE
    try:
        spec = load_stack_spec(project_of(args).stack, args.profile)
    except DrillbookError as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return USAGE
    docs, unreadable = read_documents(markdown_files(Path(p) for p in args.paths))
    shown = {"files": [understood(doc, spec) for doc in docs]}
    for finding in unreadable:
        print(f"drillbook: {finding.text()}", file=sys.stderr)
    print(json.dumps(shown, indent=2) if args.json else render(shown))
    return 0


def understood(doc: RunbookDocument, spec: StackSpec) -> dict[str, Any]:
    """One file as drillbook read it, in the JSON shape of this module's docstring."""
    starts = [r.line for r in doc.runbooks]
    first = starts[0] if starts else None
    own: dict[int, list[Note]] = {i: [] for i in range(len(starts))}
    loose: list[Note] = []
    for note in doc.notes:
        index = _owner(starts, note.line)
        (own[index] if index is not None and note.line >= (first or 0) else loose).append(note)
    return {
        "path": str(doc.path),
        "notes": [_note(n) for n in loose],
        "incidents": [_incident(doc, r, own[i], spec) for i, r in enumerate(doc.runbooks)],
    }


def _owner(starts: list[int], line: int) -> int | None:
    """The index of the incident a line falls in: the last one starting at or before it."""
    found = None
    for index, start in enumerate(starts):
        if start <= line:
            found = index
    return found


def _incident(doc: RunbookDocument, r: Runbook, notes: list[Note], spec: StackSpec) -> Any:
    adapter = CommandAdapter(spec, NameMap(spec, r.names))
    role = roles(r.steps)
    sections = {
        s.value: [_step(adapter, step, role[step]) for step in r.section_steps(s)] for s in SECTIONS
    }
    return {
        "id": r.id,
        "title": r.title,
        "line": r.line,
        "alert": {"name": r.alert, "from": f"{doc.path}:{r.alert_line}"} if r.alert else None,
        "severity": r.severity,
        "target": _target(doc, r.mttr_s, r.mttr_from, r.mttr_line),
        "respond": _target(doc, r.respond_s, r.respond_from, r.respond_line),
        "notes": [_note(n) for n in notes],
        "sections": sections,
    }


def _target(
    doc: RunbookDocument, seconds: float | None, origin: str, line: int
) -> dict[str, Any] | None:
    """A target with where it was read: MTTR (restore) or the time to respond."""
    if seconds is None:
        return None
    where = {
        "front matter": "front matter",
        "alert table": f"alert table line {line}",
        "severity table": f"severity table line {line}",
    }.get(origin, f"{doc.path}:{line}")
    return {"seconds": seconds, "text": format_duration(seconds), "from": where}


def _step(adapter: CommandAdapter, step: Step, role: str) -> dict[str, Any]:
    if step.kind is StepKind.WAIT:
        decision, why = "wait", f"waits up to {format_duration(step.wait_s or 0.0)}"
    elif step.kind is StepKind.MANUAL:
        decision, why = "manual", "prose: a person carries it out"
    else:
        t = adapter.translate(step.text, step.line, step.shell)
        decision = t.admission.value
        why = t.reason or "; ".join(type(a).__name__.lower() for a in t.actions) or "nothing to do"
        if t.destructive:
            why += f" (destructive: {t.destructive}; runs inside the drill, its damage measured)"
    return {
        "line": step.line,
        "kind": step.kind.value,
        "role": role,
        "text": step.text,
        "runs": decision in ("run", "wait"),
        "decision": decision,
        "why": why,
    }


def _note(note: Note) -> dict[str, Any]:
    return {"line": note.line, "level": note.level, "message": note.message, "hint": note.hint}


def render(shown: dict[str, Any]) -> str:
    """The same as text a person reads: one block per incident, one line per step."""
    out: list[str] = []
    for file in shown["files"]:
        incidents = file["incidents"]
        out.append(f"{file['path']}: {len(incidents)} incident(s)")
        out += [f"  note {n['line']}: {n['message']}" for n in file["notes"]]
        for inc in incidents:
            out += _render_incident(inc)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _render_incident(inc: dict[str, Any]) -> list[str]:
    alert, target, respond = inc["alert"], inc["target"], inc["respond"]
    lines = [
        f"  [{inc['id']}] {inc['title']} (line {inc['line']})",
        f"    alert:    {alert['name'] + '  (' + alert['from'] + ')' if alert else '-'}",
        f"    severity: {inc['severity'] or '-'}",
        f"    target:   {target['text'] + '  (' + target['from'] + ')' if target else '-'}",
    ]
    if respond:
        lines.append(f"    respond:  {respond['text']}  ({respond['from']})")
    lines += [f"    guess {n['line']}: {n['message']}" for n in inc["notes"]]
    for section, steps in inc["sections"].items():
        if not steps:
            continue
        lines.append(f"    {section}:")
        for s in steps:
            mark = "ok " if s["runs"] else "-- "
            lines.append(f"      {mark}{s['line']:>4}  {s['text']}")
            if not s["runs"]:
                lines.append(f"             {s['decision']}: {s['why']}")
    return lines
