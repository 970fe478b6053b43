"""A page that is one incident as a whole, though no heading of it owns incident sections.

Many runbooks are a page per failure: `# Gitaly is down`, then "What to do" and a few
commands; or no title at all, the page starting at `## Symptoms`, its name in the file name or
the front matter's `title:`. Their sections have the author's own names, so no heading is found
to own incident sections. The page itself is then the incident when the evidence says so:

- what it is about names a failure (the title, or the file name): "down", "errors", "full"...;
- it asks for actions: commands in code blocks or in list items, or a fix section;
- it has incident sections at its top level (`## Symptoms` with no heading above);
- and it is not a guide, an index or a template by its title.

Two of these, or a title that is an alert's name (`# KubePodCrashLooping`), make the page one
incident.

Each piece is kept as evidence with the incident, so a reader sees why the page was taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillbook.runbooks.markdown import Heading, Text
from drillbook.runbooks.model import CodeBlock, Section
from drillbook.runbooks.procedures import PROBLEM, label_line
from drillbook.runbooks.steps import LIST_ITEM
from drillbook.runbooks.vocabulary import NOT_INCIDENT, alert_name, label_of, plain

# Titles of pages that are about the runbooks, not about a failure.
_GUIDE = re.compile(
    r"\b(?:readme|index|overview|tutorials?|guides?|how to (?:write|use|add|contribute)"
    r"|onboarding|templates?|contribut\w*|glossary|faq|tips|introduction|definitions?"
    r"|changelog|release notes|style)\b"
)
_INDEX = ("readme", "index")
_FRONT_TITLE = re.compile(r"^title:(.*)$")


@dataclass(frozen=True)
class PageTitle:
    text: str
    line: int
    source: str  # "heading", "front matter", "file name"


def page_title(events: list[Any], lines: list[str], body_start: int, path: Path) -> PageTitle:
    """The page's own title: its H1, its front matter's `title:`, or its file name."""
    first = next((e for e in events if isinstance(e, Heading)), None)
    if first is not None and first.level == 1:
        return PageTitle(first.title, first.line, "heading")
    for number in range(2, body_start - 1):
        found = _FRONT_TITLE.match(lines[number - 1])
        title = found.group(1).strip().strip("\"'").strip() if found else ""
        if title:
            return PageTitle(title, number, "front matter")
    return PageTitle(re.sub(r"[-_]+", " ", path.stem), 1, "file name")


def page_evidence(events: list[Any], title: PageTitle, path: Path) -> list[str]:
    """Why this page is one incident, or [] when the evidence falls short."""
    words = plain(title.text)
    if (
        NOT_INCIDENT.match(words)
        or _GUIDE.search(words)
        or path.stem.lower() in ("readme", "index")
    ):
        return []
    evidence: list[str] = []
    if alert_name(title.text):
        evidence.append(f"its title {title.text!r} is an alert name")
    named = words + " " + plain(re.sub(r"[-_]+", " ", path.stem))
    if PROBLEM.search(named):
        evidence.append(f"its {title.source} names a failure")
    if _acts(events):
        evidence.append("it asks for actions")
    sections = _top_sections(events)
    if {Section.SYMPTOMS, Section.DIAGNOSIS, Section.RESOLUTION} & sections:
        evidence.append("it has incident sections of its own")
    # An alert's name is enough on its own: one alert per file, prose under its own headings.
    return evidence if len(evidence) >= 2 or alert_name(title.text) else []


def _acts(events: list[Any]) -> bool:
    for event in events:
        if isinstance(event, CodeBlock) and event.lines:
            return True
        if isinstance(event, Text) and LIST_ITEM.match(event.text) and "`" in event.text:
            return True
    return False


def _top_sections(events: list[Any]) -> set[Section]:
    found: set[Section] = set()
    for event in events:
        if isinstance(event, Heading):
            section = label_of(event.title)
        elif isinstance(event, Text) and (bold := label_line(event.text)):
            section = label_of(bold.group(1))
        else:
            continue
        if section is not None:
            found.add(section)
    return found
