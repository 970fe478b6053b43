"""The damage ledger: a runbook line that wipes data runs inside the drill, and the drill says
which line destroyed what, with the counts. The same drill with the runbook as shipped reports
no damage, so the findings are the lines', not the ledger's noise. (`--refuse-destructive`
keeping such lines from running is checked on the executor, in
tests/integration/test_runbooks.py.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillbook import load_scenario, run_scenario
from drillbook.outcome.result import Result, Verdict
from drillbook.runbooks.parser import parse_file
from drillbook.stack import Stack
from drillbook.stack.open import reference_stack

ROOT = Path(__file__).resolve().parents[2]
WIPES = Path(__file__).parent / "mutants" / "api-down-wipes-data.md"


@pytest.fixture(scope="module")
def own_stack() -> Iterator[Stack]:
    """A stack of these tests' own: the drill below really wipes its data, and the session's
    stack is shared by every other test."""
    with reference_stack(ROOT / "fixtures" / "stack.yaml", None, lambda _: None) as stack:
        yield stack


def drill(stack: Stack, out: Path, runbook: Path | None = None) -> Result:
    scenario = load_scenario(ROOT / "scenarios" / "api-down.yaml")
    if runbook is not None:
        (mutant,) = parse_file(runbook).runbooks
        scenario = dataclasses.replace(scenario, name="api-down-wipes-data", runbook=mutant)
    return run_scenario(
        scenario, stack, locustfile=ROOT / "load_tests" / "locustfile.py", out_dir=out
    )


def line_of(text: str) -> int:
    return next(i for i, line in enumerate(WIPES.read_text().splitlines(), 1) if text in line)


@pytest.mark.selfcheck
def test_a_flush_and_a_delete_are_reported_with_their_lines_and_counts(
    own_stack: Stack, tmp_path: Path
) -> None:
    result = drill(own_stack, tmp_path, WIPES)
    flush, delete = line_of("FLUSHALL"), line_of("DELETE FROM documents")
    by_line = {(d.line, d.what) for d in result.damage}
    assert (delete, "postgres rows (drillbook.public.documents)") in by_line, result.damage
    assert any(line == flush and what.startswith("redis ") for line, what in by_line)
    rows = next(d for d in result.damage if d.line == delete)
    assert rows.before > 0 and rows.after < rows.before
    # The acknowledged writes went with the rows: the verdict says which step deleted rows.
    assert result.verdict is Verdict.DATA_LOST, result.reason
    assert f"rows deleted by step line {delete}" in result.reason
    assert any(f.startswith(f"destroyed: line {flush} ") for f in result.findings)


@pytest.mark.selfcheck
def test_the_runbook_as_shipped_destroys_nothing(own_stack: Stack, tmp_path: Path) -> None:
    result = drill(own_stack, tmp_path)
    assert result.passed, result.reason
    assert result.damage == (), result.damage
    assert len(result.ledger) >= 3  # before the fault, as the runbook started, after each step
