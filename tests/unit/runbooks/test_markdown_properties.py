"""Hypothesis over structured Markdown: nested lists, tables, fences, quotes, front matter.

The block parser is a compiled library; whatever the input, reading it must not crash, must
keep every event on a line of the input, in order, and must stay linear (a CPU-time bound).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drillbook.runbooks.markdown import CodeBlock, Heading, TableRow, Text, lex
from drillbook.runbooks.parser import parse_text

from .test_robustness import cpu_bound

_WORD = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=12
)
_INLINE = st.lists(
    st.one_of(_WORD, st.sampled_from(["`x`", "**b**", "`", "|", "\\|", "[a][b]", "<br>", "*"])),
    max_size=5,
).map(" ".join)
_INDENT = st.sampled_from(["", " ", "  ", "   ", "    ", "\t", "      ", "        "])
_MARKER = st.sampled_from(["- ", "* ", "+ ", "1. ", "2) ", "10. ", "- [ ] ", "> ", "> - ", ""])
_FENCE = st.sampled_from(["```", "~~~", "````", "```bash", "~~~ sql", "``` ` "])


@st.composite
def _block(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["line", "heading", "list", "fence", "table", "setext", "html"]))
    indent = draw(_INDENT)
    if kind == "heading":
        return [f"{indent}{'#' * draw(st.integers(1, 7))} {draw(_INLINE)}"]
    if kind == "list":
        items = draw(st.lists(st.tuples(_INDENT, _MARKER, _INLINE), min_size=1, max_size=4))
        return [f"{i}{m}{t}" for i, m, t in items]
    if kind == "fence":
        fence = draw(_FENCE)
        body = draw(st.lists(_INLINE, max_size=3))
        closing = [f"{indent}{fence.split()[0]}"] if draw(st.booleans()) else []
        return [f"{indent}{fence}", *(indent + b for b in body), *closing]
    if kind == "table":
        width = draw(st.integers(1, 4))
        rows = draw(st.lists(st.lists(_WORD, min_size=1, max_size=width + 1), max_size=3))
        head = "| " + " | ".join(["h"] * width) + " |"
        rule = "|" + "---|" * draw(st.integers(1, width))
        return [indent + head, indent + rule, *(indent + "| " + " | ".join(r) + " |" for r in rows)]
    if kind == "setext":
        return [draw(_INLINE), draw(st.sampled_from(["===", "---", "- - -"]))]
    if kind == "html":
        return [f"{indent}<details>", draw(_INLINE), "</details>"]
    return [indent + draw(_INLINE)]


_DOCUMENT = st.lists(st.one_of(_block(), st.just([""])), max_size=25).map(
    lambda blocks: [line for block in blocks for line in block]
)
_FRONT = st.sampled_from([[], ["---", "title: T", "---"], ["---", "a: [", "---"], ["---"]])


@settings(max_examples=400, deadline=None)
@given(_DOCUMENT)
def test_every_event_is_on_a_line_of_the_input_in_order(lines: list[str]) -> None:
    events = lex(lines, first_line=7)
    starts = [e.line for e in events]
    assert starts == sorted(starts)
    for event in events:
        assert 7 <= event.line <= 7 + max(len(lines), 1)
        if isinstance(event, Text):
            assert event.text == lines[event.line - 7] and event.text.strip()
        elif isinstance(event, Heading | TableRow):
            assert event.line <= 6 + len(lines)
        else:
            assert isinstance(event, CodeBlock)
            assert event.line + len(event.lines) <= 8 + len(lines)


@settings(max_examples=200, deadline=None)
@given(_FRONT, _DOCUMENT)
def test_any_structured_runbook_reads_without_a_crash(front: list[str], body: list[str]) -> None:
    doc = parse_text("\n".join(front + body), "any.md")
    for runbook in doc.runbooks:
        assert 1 <= runbook.line <= max(1, len(front) + len(body))


def test_deep_nesting_is_read_in_linear_time() -> None:
    nested = "\n".join("  " * i + "- item" for i in range(2000))
    quotes = "\n".join(">" * i + " q" for i in range(2000))
    with cpu_bound(5.0):
        lex((nested + "\n\n" + quotes).split("\n"))
