"""The role of each step: does it diagnose, fix, or verify?

A section's name says what its author meant; the command says what it does. A read-only check
written under "Immediate Actions" diagnoses (or, once something was changed, verifies): it is
not the fix. So a step's role is:

- under a diagnosis label: diagnose; under a verification label: verify;
- under a resolution label, or in a section with no label: by its effect. A change, or what
  cannot be judged, fixes; a look before any change diagnoses, after one verifies.

A person's instruction in prose is judged by its verb ("Check ...", "Restart ..."), the way a
reader would; one with neither kind of verb keeps its section's role.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from drillbook.runbooks.effect import CHANGES, LOOKS, UNKNOWN, effect
from drillbook.runbooks.model import Note, Section, Step, StepKind
from drillbook.runbooks.vocabulary import plain

DIAGNOSE = "diagnose"
FIX = "fix"
VERIFY = "verify"

_LOOKING = re.compile(
    r"(?i)^(?:\W*)(?:check|verify|confirm|ensure|look|inspect|review|monitor|watch|observe"
    r"|validate|test|see|find|identify|determine|investigate|query|list|view|read|search"
    r"|take a look|compare|count|examine|note|measure|make sure|open)\b"
)
_CHANGING = re.compile(
    r"(?i)^(?:\W*)(?:restart|delete|remove|scale|roll|apply|kill|terminate|increase|decrease"
    r"|set|update|edit|revert|rollback|redeploy|deploy|flush|clear|add|disable|enable|upgrade"
    r"|downgrade|fail ?over|promote|drain|cordon|uncordon|rotate|revoke|restore|replace"
    r"|recreate|reboot|stop|start|patch|purge|evict|resize|expand|free|clean|reset|re-?run"
    r"|block|isolate|reload|bump|raise|lower|cancel|pause|resume|migrate|fix|change|create)\b"
)
# A block in another language, handed to a person: a query language only reads.
_QUERY_BLOCK = re.compile(
    r"^apply the (?:promql|logql|sql|kql|graphql|traceql|esql|lucene|flux) block by hand$"
)


def _effect(step: Step) -> str:
    if step.kind is StepKind.COMMAND:
        return effect(step.text, step.shell)
    if step.kind is StepKind.MANUAL:
        if _LOOKING.match(step.text) or _QUERY_BLOCK.match(step.text):
            return LOOKS
        if _CHANGING.match(step.text):
            return CHANGES
    return UNKNOWN


class _Titled(Protocol):
    title: str
    line: int


def placed_by_effect(incident: _Titled, loose: list[Step], notes: list[Note]) -> list[Step]:
    """An incident's steps written under no label, placed by their effect, with a note."""
    steps = settle(loose)
    if steps:
        notes.append(
            Note(
                incident.line,
                f"{plain(incident.title)!r} labels no diagnosis or resolution: its "
                f"{len(steps)} steps are placed by what they do (a look diagnoses or "
                "verifies, a change fixes)",
                "label its sections (Diagnosis / Resolution / Verification) to say so",
                "info",
            )
        )
    return steps


def settle(steps: Iterable[Step]) -> list[Step]:
    """Steps written under no label, each put in the section its effect says.

    A change (or a command that cannot be judged) is resolution; a look is diagnosis before
    the first change and verification after it. Prose that asks for nothing recognisable
    ("- the queue grows") is description, not a step, and is dropped.
    """
    changed = False
    out: list[Step] = []
    for step in steps:
        kind = _effect(step)
        if step.kind is StepKind.MANUAL and kind == UNKNOWN:
            continue
        if kind == LOOKS:
            section = Section.VERIFICATION if changed else Section.DIAGNOSIS
        else:
            section, changed = Section.RESOLUTION, True
        out.append(replace(step, section=section))
    return out


def roles(steps: Iterable[Step]) -> dict[Step, str]:
    """Each step's role, in order, since a look after a change verifies.

    Judged on demand (`runbooks show`), not while parsing: telling a look from a change
    splits every command line, which a 5 MB file cannot afford on every read.
    """
    changed = False
    found: dict[Step, str] = {}
    for step in steps:
        if step.section is Section.DIAGNOSIS:
            role = DIAGNOSE
        elif step.section is Section.VERIFICATION:
            role = VERIFY
        elif step.kind is StepKind.WAIT:
            role = VERIFY if changed else FIX
        elif _effect(step) == LOOKS:
            role = VERIFY if changed else DIAGNOSE
        else:
            role, changed = FIX, True  # a change, or what cannot be judged
        found.setdefault(step, role)
    return found
