"""Markdown as the events a runbook reader needs: headings, code blocks, table rows and text.

The block structure comes from a CommonMark parser (markdown-it, its Rust port for speed:
its block rules read a 5 MB file in under a second), so lists, code blocks inside list items,
indented code, setext headings and link reference definitions are what CommonMark says they
are, and the time is linear in the input. Text keeps its source lines (list markers included)
because the reader matches words and inline code in them; lines are 1-based.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from markdown_it_pyrs import MarkdownIt

from drillbook.runbooks.model import CodeBlock


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


# Block rules only: the reader matches inline markup itself, in the source lines.
_PARSER = MarkdownIt("zero").enable_many(
    [
        "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
        "reference", "html_block", "table",
    ]
)  # fmt: skip
_FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})\s*([^`\s]*)")
# Containers whose children are blocks; a paragraph, heading or table is a leaf here.
_CONTAINERS = {"root", "bullet_list", "ordered_list", "list_item", "blockquote"}


class _Source:
    """Byte offsets (the parser's) to 1-based line numbers and text."""

    def __init__(self, lines: list[str] | tuple[str, ...], first_line: int) -> None:
        self.text_ = "\n".join(lines)
        self.raw = self.text_.encode("utf-8")
        self.starts = [0] + [m.end() for m in re.finditer(b"\n", self.raw)]
        self.first_line = first_line
        self.lines = lines

    def line_of(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.starts, offset) - 1

    def span(self, node: Any) -> tuple[int, int]:
        """The node's first and last line (1-based, in the file)."""
        start, end = node.srcmap
        return self.line_of(start), self.line_of(max(start, end - 1))

    def slice(self, node: Any) -> str:
        start, end = node.srcmap
        return self.raw[start:end].decode("utf-8", errors="replace")

    def text(self, line: int) -> str:
        return self.lines[line - self.first_line]


class MarkdownError(Exception):
    """The parser itself failed on this text (a bug of its own, not bad Markdown)."""


def lex(lines: list[str] | tuple[str, ...], first_line: int = 1) -> list[Event]:
    """The events of a Markdown text whose first line has number `first_line`."""
    source = _Source(lines, first_line)
    try:
        tree = _PARSER.tree(source.text_)
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise MarkdownError(f"{type(exc).__name__}: {exc}") from exc
    return _events(tree, source)


def plain_lines(lines: list[str] | tuple[str, ...], first_line: int = 1) -> list[Event]:
    """Every non-blank line as text: what is left to read when the structure cannot be had."""
    source = _Source(lines, first_line)
    events: list[Event] = []
    _lines(source, 0, len(source.raw), events.append)
    return events


_BLOCKS = _CONTAINERS | {
    "paragraph",
    "heading",
    "fence",
    "code_block",
    "table",
    "html_block",
    "hr",
}


def _events(root: Any, source: _Source) -> list[Event]:
    """The events of the tree in document order.

    A heading inside a list item or a quote is read as text: it titles a callout or a step,
    and must not end the incident around it.

    One pass over the parser's own pre-order walk (reading each node's children from Python
    costs ten times more): a leaf block's inner nodes are skipped by their offsets, and the
    inline nodes of a tight list item, which have no paragraph around them, are gathered.
    """
    events: list[Event] = []
    add, line_of = events.append, source.line_of
    inside = -1  # the end offset of the leaf block last read
    nested = -1  # the end offset of the list item or quote the walk is in
    inline_from = inline_to = -1
    for node in root.walk():
        srcmap = node.srcmap
        if srcmap is None or srcmap[0] < inside:
            continue
        name = node.name
        if name not in _BLOCKS:
            inline_from = srcmap[0] if inline_from < 0 else inline_from
            inline_to = srcmap[1]
            continue
        if inline_from >= 0:
            _lines(source, inline_from, inline_to, add)
            inline_from = -1
        if name in _CONTAINERS:
            if name == "list_item" or name == "blockquote":
                nested = max(nested, srcmap[1])
            continue
        inside = srcmap[1]
        if name == "heading" and srcmap[0] < nested:
            name = "paragraph"  # `> ## Warning`, `- ### Fix`: a callout's words, no section
        if name == "paragraph" or name == "html_block":
            _lines(source, srcmap[0], srcmap[1], add)
        elif name == "heading":
            first = line_of(srcmap[0])
            add(Heading(int(node.meta["level"]), _heading_text(source.text(first)), first))
        elif name == "fence" or name == "code_block":
            add(_code(node, name, line_of(srcmap[0])))
        elif name == "table":
            events.extend(_rows(node, source))
    if inline_from >= 0:
        _lines(source, inline_from, inline_to, add)
    return events


def _lines(source: _Source, start: int, end: int, add: Callable[[Event], None]) -> None:
    """The non-blank source lines from byte `start` to byte `end`, as text."""
    first, last = source.line_of(start), source.line_of(max(start, end - 1))
    offset = source.first_line
    for index, line in enumerate(source.lines[first - offset : last - offset + 1], first):
        if line.strip():
            add(Text(line, index))


def _heading_text(line: str) -> str:
    return heading_title(line) if line.lstrip().startswith("#") else line.strip()  # or setext


def _code(node: Any, name: str, first: int) -> CodeBlock:
    body = node.meta.get("content", "").split("\n")
    if body and body[-1] == "":
        body.pop()
    if name == "fence":
        info = node.meta.get("info", "").strip()
        return CodeBlock(info.split()[0].lower() if info else "", tuple(body), first + 1)
    # A fence indented past a list item's content is an indented block holding the fence.
    opened = _FENCE_LINE.match(body[0]) if body else None
    if opened:
        marker = opened.group(1)
        inner = body[1:]
        if inner and inner[-1].strip().startswith(marker):
            inner = inner[:-1]
        return CodeBlock(opened.group(2).lower(), tuple(inner), first + 1)
    return CodeBlock("", tuple(body), first)


def _rows(table: Any, source: _Source) -> Iterator[TableRow]:
    """Every row, the delimiter row too: readers find a table's header as the row above it."""
    for part in table.children:
        for row in part.children:
            if row.srcmap is None:
                continue
            cells = tuple(source.slice(c).strip() if c.srcmap else "" for c in row.children)
            line = source.span(row)[0]
            yield TableRow(cells, line)
            if part.name == "thead":
                yield TableRow(table_cells(source.text(line + 1)), line + 1)


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
