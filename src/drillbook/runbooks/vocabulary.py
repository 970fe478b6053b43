"""The words runbooks use for the parts of an incident, and headings as comparable words."""

from __future__ import annotations

import re

from drillbook.runbooks.model import Section

_LABELS: tuple[tuple[Section, re.Pattern[str]], ...] = tuple(
    (section, re.compile(rf"^(?:{pattern})$"))
    for section, pattern in (
        (Section.SYMPTOMS, r"symptoms?|signs|what you see|impact"),
        (Section.DIAGNOSIS, r"diagnos(?:is|tics?|e)|investigation|triage|checks?|root cause"),
        (
            Section.RESOLUTION,
            r"resolution(?: steps)?|remediation(?: steps)?|fix|mitigation|immediate actions"
            r"|actions|steps|recovery(?: steps)?|how to fix|procedure|rollback",
        ),
        (Section.VERIFICATION, r"verification|verify|validation|confirm(?:ation)?|post-?checks?"),
        (Section.ESCALATION, r"escalation(?: path| policy)?|escalate"),
        (Section.PREVENTION, r"prevention|follow-?ups?|long-term fix"),
        (Section.OVERVIEW, r"overview|description|when|context|summary|about"),
    )
)
_NUMBERING = re.compile(r"^(?:(?:procedure|incident|step|runbook)\s*)?\d+[.):]*\s*", re.I)


def plain(title: str) -> str:
    """A heading or label as comparable words: no emoji, markup, numbering or punctuation."""
    text = re.sub(r"[*_`]", "", title)
    text = _NUMBERING.sub("", text.strip())
    text = re.sub(r"[^\w\s-]", " ", text.lower())
    return " ".join(text.split())


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", plain(title)).strip("-") or "runbook"


def label_of(title: str) -> Section | None:
    words = plain(title).rstrip(":")
    for section, pattern in _LABELS:
        if pattern.match(words):
            return section
    return None
