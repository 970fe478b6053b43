"""The words runbooks use for the parts of an incident, and headings as comparable words."""

from __future__ import annotations

import functools
import re

from drillbook.runbooks.model import Section

# Section names gathered from public runbook collections (one alert per file: Meaning /
# Impact / Diagnosis / Mitigation) and from team runbooks (Symptoms / Immediate Actions /
# Resolution Steps / Verify Recovery / Escalation), with the trailing words teams add.
# (Plural "procedures" is left out: "Recovery Procedures" heads a list of procedures.)
_TAIL = r"(?: (?:steps?|procedure|commands?|actions?|checks?|plan|guide|process))?"
_LABELS: tuple[tuple[Section, re.Pattern[str]], ...] = tuple(
    (section, re.compile(rf"^(?:{pattern}){_TAIL}$"))
    for section, pattern in (
        (
            Section.SYMPTOMS,
            r"symptoms?|signs|what you see|impact|meaning|alert description|what it means"
            r"|how to recogni[sz]e|detection|problem|error|issue|signal",
        ),
        (
            Section.DIAGNOSIS,
            r"diagnos(?:is|tics?|e|ing)|investigat(?:ion|e)|triage|checks?|root cause(?: analysis)?"
            r"|troubleshoot(?:ing)?|initial (?:response|assessment|checks?)|possible causes"
            r"|common causes|causes?|likely causes?|identify(?: the (?:cause|problem))?",
        ),
        (
            Section.RESOLUTION,
            r"resolution|remediation|fix(?:ing)?|mitigat(?:ion|ing|e)"
            r"|(?:immediate|first) (?:actions?|response|steps)|actions|steps|recovery|recover"
            r"|how to fix"
            r"|procedure|rollback|roll back|restore"
            r"|workaround|docker(?: compose)?|kubernetes|kubectl|diagnosis and mitigation"
            r"|solution|resolve|resolving|runbook|quick fix(?:es)?|emergency (?:fix|response)",
        ),
        (
            Section.VERIFICATION,
            r"verification|verify(?: (?:recovery|resolution|the fix|fix|health))?|validation"
            r"|validate|confirm(?:ation)?|post-?checks?|check recovery|verify it worked"
            r"|confirm(?:ing)? recovery|recovery verification|health verification",
        ),
        (Section.ESCALATION, r"escalation(?: path| policy| contacts)?|escalate|when to escalate"),
        (Section.PREVENTION, r"prevention|follow-?ups?|long-term (?:fix|solution)s?|prevent"),
        (Section.OVERVIEW, r"overview|description|when|context|summary|about"),
    )
)
# Headings that own section labels but are no incident: the review after one, reference pages.
NOT_INCIDENT = re.compile(
    r"^(?:post[- ]?incident|post[- ]?mortem|incident review|lessons learned|retrospective"
    r"|quick reference|maintenance|emergency contacts|contacts|appendix|references?|glossary"
    r"|template|table of contents|general (?:guidelines|procedures))\b"
)
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,}$")
_ANNOTATION = re.compile(r"[\[(][^\])]{0,40}[\])]$")  # on a stripped title: linear


def alert_name(title: str) -> str | None:
    """`KubePodCrashLooping`, `etcdNoLeader`, `SSPDown [Deprecated]`: a heading or file name
    that is one mixed-case identifier, as one-alert-per-file collections name them."""
    name = _ANNOTATION.sub("", title.strip("`*# \t")).strip()
    if not _IDENTIFIER.match(name):
        return None
    mixed = any(c.isupper() for c in name[1:]) and any(c.islower() for c in name)
    return name if mixed else None


_NUMBERING = re.compile(r"^(?:(?:procedure|incident|step|runbook)\s*)?\d+[.):]*\s*", re.I)


_MARKUP = re.compile(r"[*_`]")
_PUNCTUATION = re.compile(r"[^\w\s-]")


@functools.lru_cache(maxsize=4096)
def plain(title: str) -> str:
    """A heading or label as comparable words: no emoji, markup, numbering or punctuation."""
    text = _MARKUP.sub("", title)
    text = _NUMBERING.sub("", text.strip())
    text = _PUNCTUATION.sub(" ", text.lower())
    return " ".join(text.split())


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", plain(title)).strip("-") or "runbook"


@functools.lru_cache(maxsize=4096)
def label_of(title: str) -> Section | None:
    """The section kind a heading or bold label names, if it names one."""
    words = plain(title).rstrip(":")
    for section, pattern in _LABELS:
        if pattern.match(words):
            return section
    return None
