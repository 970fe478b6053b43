"""Hypothesis: no Markdown crashes the parser, and code blocks keep their line numbers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drillbook.runbooks.parser import parse_text

_LINE = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40
)
_PIECES = st.sampled_from(
    [
        "# Title",
        "## Resolution",
        "### 1. Service Down",
        "**Symptoms**: broken",
        "**Resolution Steps**",
        "1. Wait 2 minutes and verify: `curl http://localhost:8000/health`",
        "- `docker restart redis`",
        "| Alert | Severity | Runbook | MTTR Target |",
        "| A | High | [a](./a.md) | 5 minutes |",
        "---",
        "mttr: [",
        "   ",
        "`unclosed",
        "~~~",
        "<pod-name> [PASSWORD] $DATABASE_URL",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, _LINE), max_size=30))
def test_any_markdown_parses(lines: list[str]) -> None:
    doc = parse_text("\n".join(lines), "any.md")
    for runbook in doc.runbooks:
        for step in runbook.steps:
            assert 1 <= step.line <= max(1, len(lines))


_BODY = st.lists(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r`~"), max_size=30
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(_PIECES.filter(lambda p: p != "~~~" and p != "---"), max_size=4),
            _BODY,
            st.sampled_from(["", "bash", "powershell", "sql"]),
        ),
        max_size=6,
    )
)
def test_code_blocks_keep_their_line_numbers(
    chunks: list[tuple[list[str], list[str], str]],
) -> None:
    lines: list[str] = []
    expected: list[tuple[int, tuple[str, ...]]] = []
    for prose, body, language in chunks:
        lines.extend(prose)
        lines.append(f"```{language}")
        expected.append((len(lines) + 1, tuple(body)))
        lines.extend(body)
        lines.append("```")
    doc = parse_text("\n".join(lines), "blocks.md")
    assert [(b.line, b.lines) for b in doc.blocks] == expected
    for line, body in expected:
        for offset, text in enumerate(body):
            assert doc.text_lines[line - 1 + offset] == text
