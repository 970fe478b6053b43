"""Hypothesis: no Markdown crashes the parser, and code blocks keep their line numbers."""

from __future__ import annotations

import functools

from hypothesis import given, settings
from hypothesis import strategies as st

from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.lint import lint_documents
from drillbook.runbooks.parser import parse_text
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

from .conftest import REPO

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


# Characters that steer shlex, the placeholder and duration patterns and the wrappers.
_SHELL_ALPHABET = st.sampled_from(list("aA_-=$(){}[]<>|&;'\"`\\#*:./ 0123456789\tXm"))
_SHELL_WORDS = st.sampled_from(
    [
        "docker",
        "compose",
        "exec",
        "kubectl",
        "-n",
        "--",
        "sh",
        "-c",
        "bash -lc",
        "redis-cli",
        "EVAL",
        "psql",
        "-c",
        "DELETE FROM t",
        "WHERE",
        "curl",
        "-X",
        "http://localhost:8000/",
        "BACKUP_DIR=/b",
        "$(date +%F)",
        "sleep",
        "rm -rf",
        "|",
        "&&",
        "<container>",
        "{name}",
    ]
)
_SHELL_LINE = st.lists(st.one_of(_SHELL_WORDS, st.text(_SHELL_ALPHABET, max_size=30)), max_size=12)


@settings(max_examples=400, deadline=10_000)  # a hang detector on a noisy machine
@given(_SHELL_LINE)
def test_any_shell_line_translates_without_crashing(words: list[str]) -> None:
    adapter = CommandAdapter(_spec())
    text = " ".join(words)
    for shell in ("sh", "powershell"):
        t = adapter.translate(text, 1, shell)
        assert t.admission in ("run", "refused", "not executable")
        assert t.runnable or t.reason


@settings(max_examples=100, deadline=20_000)  # a hang detector on a noisy machine
@given(st.text(_SHELL_ALPHABET, min_size=500, max_size=3000))
def test_long_runs_of_pattern_characters_finish(line: str) -> None:
    text = f"# T\n## Resolution\n{line}\n```bash\n{line}\n```\n"
    lint_documents([parse_text(text, "x.md")], _spec())


@functools.cache
def _spec() -> StackSpec:
    return load_stack_spec(REPO / "fixtures" / "stack.yaml")
