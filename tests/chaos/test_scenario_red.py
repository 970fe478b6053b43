"""A scenario must go red when nobody follows its runbook: the engine can fail."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from drillbook import Result, Verdict, load_scenario

pytestmark = pytest.mark.chaos

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_redis_down_without_its_runbook_is_not_recovered(
    drillbook_run_scenario: Callable[..., Result],
) -> None:
    scenario = load_scenario(SCENARIOS / "redis-down.yaml")
    # The same scenario with a short target, so that waiting it out stays cheap.
    quick = dataclasses.replace(
        scenario,
        name="redis-down-without-runbook",  # its result must not pass for the real one's
        expect=dataclasses.replace(scenario.expect, recover_within_s=8.0),
    )
    result = drillbook_run_scenario(quick, remediate=False)
    assert result.verdict is Verdict.NOT_RECOVERED, result.reason
    assert "not recovered within target" in result.reason
    kinds = [e.kind for e in result.drill.timeline.events]
    assert "remediation started" not in kinds and "not recovered" in kinds
    m = result.drill.measurement
    assert m is not None and m.ttd_s is not None and m.ttr_s is None
