"""vectordb-slow's degraded bound is the runbook's promise, not the pager's timing.

The responder starts when the page arrives, anywhere within the alert's bound; until then the
api's own 2 s vector search timeout is in force. The scenario's bound covers the requests sent
once the runbook's remediation finished (`degraded.window: remediated`), so a responder who
acts at the start of the alert's bound and one who acts at its end get the same verdict; a
runbook without the step that shortens the timeout gets the red one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from drillbook import Result, Verdict, load_scenario

pytestmark = pytest.mark.selfcheck

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "vectordb-slow.yaml"


def paged_at(seconds: float, name: str):  # type: ignore[no-untyped-def]
    """vectordb-slow as if the page arrived `seconds` after the fault was detected: the
    responder acts then, after the scenario's usual acknowledgement (`respond_after`)."""
    scenario = load_scenario(SCENARIO)
    acknowledged = seconds + scenario.expect.respond_after_s
    expect = dataclasses.replace(scenario.expect, clock="fault", respond_after_s=acknowledged)
    return dataclasses.replace(scenario, name=name, expect=expect)


def test_the_degraded_verdict_is_the_same_whether_the_page_comes_early_or_late(
    drillbook_run_scenario: Callable[..., Result],
) -> None:
    early = drillbook_run_scenario(paged_at(0.0, "vectordb-slow-paged-at-once"))
    assert early.alert is not None and early.alert.bound_s is not None, early.reason
    bound = (early.alert.bound_from_s or 0.0) + early.alert.bound_s
    late = drillbook_run_scenario(paged_at(bound, "vectordb-slow-paged-at-the-bound"))

    started = [r.mark("remediation started") for r in (early, late)]
    assert started[0] is not None and started[0].t < 4.0, early.timeline
    assert started[1] is not None and started[1].t >= bound + 2.0, late.timeline
    # The degraded bound is judged the same whenever the responder acts. (The early responder
    # restarts the api before the alert has fired, which no paged responder can do: it may
    # delay that page, so the early run's alert contract is not what this test is about.)
    for result in (early, late):
        assert result.verdict is not Verdict.DEGRADED_BEYOND_BOUNDS, result.reason
        p95 = next(m for m in result.margins if m.bound == "degraded p95")
        assert p95.held and p95.limit == 1200, p95
    assert late.verdict is Verdict.PASSED, late.reason


def test_without_the_step_that_shortens_the_timeout_the_bound_breaks(
    drillbook_run_scenario: Callable[..., Result],
) -> None:
    scenario = load_scenario(SCENARIO)
    assert scenario.runbook is not None
    step = next(s for s in scenario.runbook.steps if "VECTORDB_TIMEOUT_S" in s.text)
    without = dataclasses.replace(
        scenario, name="vectordb-slow-without-timeout-step", runbook=scenario.runbook.without(step)
    )
    result = drillbook_run_scenario(without)
    assert result.verdict is Verdict.DEGRADED_BEYOND_BOUNDS, result.reason
    assert "while degraded" in result.reason
    p95 = next(m for m in result.margins if m.bound == "degraded p95")
    assert not p95.held and p95.room < 0
