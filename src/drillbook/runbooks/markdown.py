"""A line-level reading of Markdown: headings, fenced code blocks, table rows and text.

Only what runbooks need, and forgiving: an unclosed fence runs to the end of the file, any
indentation opens a fence (runbooks put code blocks inside numbered lists). Lines are 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drillbook.runbooks.model import CodeBlock

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int


@dataclass(frozen=True)
class Text:
    text: str
    line: int


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    line: int


Event = Heading | Text | TableRow | CodeBlock


def _fence_open(line: str) -> tuple[str, str] | None:
    m = _FENCE.match(line)
    if not m:
        return None
    marker, info = m.group(2), m.group(3).strip()
    if marker[0] == "`" and "`" in info:
        return None  # ```x``` is inline code, not a fence
    return marker, (info.split()[0].lower() if info else "")


def _closes(line: str, marker: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped) >= len(marker)
        and set(stripped) == {marker[0]}
        and stripped.startswith(marker)
    )


def heading_title(line: str) -> str:
    """An ATX heading's text: `## Title ##` -> `Title` (a closing run of # needs a space)."""
    title = line.strip().lstrip("#").strip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.rstrip()
    return title


def table_cells(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return tuple(cell.strip() for cell in re.split(r"(?<!\\)\|", inner))


def lex(lines: list[str] | tuple[str, ...], first_line: int = 1) -> list[Event]:
    """The events of a Markdown text whose first line has number `first_line`."""
    events: list[Event] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        number = first_line + i
        fence = _fence_open(line)
        if fence is not None:
            marker, language = fence
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not _closes(lines[j], marker):
                body.append(lines[j])
                j += 1
            events.append(CodeBlock(language, tuple(body), number + 1))
            i = j + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            events.append(Heading(len(heading.group(1)), heading_title(line), number))
        elif line.lstrip().startswith("|"):
            events.append(TableRow(table_cells(line), number))
        elif line.strip():
            events.append(Text(line, number))
        i += 1
    return events


_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u2122]")


def repair_mojibake(line: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252 ("ðŸš¨" -> "🚨"), where that is certain."""
    if not _MOJIBAKE.search(line):
        return line
    raw = bytearray()
    for char in line:
        if ord(char) < 0x100:
            raw.append(ord(char))
            continue
        try:
            raw.extend(char.encode("cp1252"))
        except UnicodeEncodeError:
            return line
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return line
