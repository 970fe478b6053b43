"""A runbook that only meets its target at machine speed is red as written.

The mutant of our redis-down runbook says "Wait 3 minutes for Redis to load its append-only
file" against an MTTR of 2 minutes. The executor turns the written wait into a readiness poll,
so the machine recovers in seconds; a person following the runbook cannot.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drillbook import Verdict, load_scenario, run_scenario
from drillbook.runbooks.parser import parse_file
from drillbook.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
MUTANT = Path(__file__).parent / "mutants" / "redis-down-wait-3-minutes.md"


@pytest.mark.selfcheck
@pytest.mark.parametrize("judge", ["as-written", "machine"])
def test_a_written_wait_longer_than_the_target_is_red_as_written(
    judge: str, drillbook_stack: Stack, tmp_path: Path
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "redis-down.yaml")
    (runbook,) = parse_file(MUTANT).runbooks
    assert runbook.mttr_s == 120
    mutant = dataclasses.replace(
        scenario,
        name=f"redis-down-wait-3-minutes-{judge}",
        runbook=runbook,
        expect=dataclasses.replace(scenario.expect, judge=judge),
    )
    result = run_scenario(
        mutant,
        drillbook_stack,
        locustfile=ROOT / "load_tests" / "locustfile.py",
        out_dir=tmp_path,
    )
    assert result.ttr_s is not None and result.ttr_s < 60, result.reason  # the machine is fast
    assert result.as_written is not None and result.as_written.ttr_s is not None
    assert result.as_written.ttr_s > 180, result.as_written
    if judge == "as-written":
        assert result.verdict is Verdict.NOT_RECOVERED_AS_WRITTEN, result.reason
        assert "written wait 180 s" in result.reason
    else:
        assert result.verdict is Verdict.PASSED, result.reason
