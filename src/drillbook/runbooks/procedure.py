"""A procedure: the steps under one heading of a runbook file, read as its resolution.

Field runbooks often keep their fixes as headed procedures without incident labels
("## Common Fixes / ### Restart API Service" and a code block): the parser finds no incident
there, but a scenario may still drill one. `procedure(doc, "restart-api-service")` reads that
heading's section alone, its commands, waits and list items as resolution steps, each at its
own line of the file.
"""

from __future__ import annotations

import re
from dataclasses import replace

from drillbook.runbooks.model import Runbook, RunbookDocument
from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.vocabulary import slug

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def headings(lines: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of each Markdown heading outside code blocks."""
    found, fenced = [], False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            found.append((index, len(heading.group(1)), heading.group(2)))
    return found


def procedure(doc: RunbookDocument, wanted: str) -> Runbook | None:
    """The section under the heading whose id (slug) is `wanted`, as a runbook; None if no
    heading has that id, or its section holds no step."""
    found = headings(doc.text_lines)
    for position, (index, level, title) in enumerate(found):
        if slug(title) != wanted:
            continue
        end = next((i for i, lv, _ in found[position + 1 :] if lv <= level), len(doc.text_lines))
        # The file's own lines, the rest blanked so every step keeps its line number; the
        # heading becomes a Resolution label and a front matter (at the blank top) says the id.
        lines = [""] * len(doc.text_lines)
        lines[index + 1 : end] = doc.text_lines[index + 1 : end]
        lines[index] = "**Resolution**"
        if index < 3:
            return None  # no room for the front matter: a file that is one procedure parses
        lines[0:3] = ["---", f"id: {wanted}", "---"]
        (runbook, *_) = parse_text("\n".join(lines), doc.path).runbooks
        if not runbook.steps:
            return None
        return replace(runbook, title=title, line=index + 1)
    return None
