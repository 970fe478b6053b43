"""Margins: each bound a verdict was judged on, with what was observed (pure; no Docker)."""

from __future__ import annotations

import dataclasses

import pytest

from drillbook.drills.bounds import margins
from drillbook.drills.impact import Windows
from drillbook.drills.judge import Observed, judge
from drillbook.load import Request
from drillbook.outcome.alert import AlertOutcome
from drillbook.outcome.result import Verdict, Writes
from drillbook.outcome.schema import from_json, to_json
from drillbook.scenarios.model import Degradation
from tests.unit.drills.test_judge import T0, drill, request, scenario


def slow(at: float, ms: float) -> Request:
    return Request(at, at + ms / 1000, "POST", "POST /v1/query", 200, True, ms)


def remediated_at(t: float):  # type: ignore[no-untyped-def]
    """A passed drill whose remediation finished `t` s after the injection, the fault lasting
    30 s."""
    run = drill(Verdict.PASSED, recovered_s=35.0)
    run.timeline.mark("remediation started", "redis-down", t=T0 + t - 0.5)
    run.timeline.mark("remediation finished", "redis-down", t=T0 + t)
    return dataclasses.replace(run, ended_at=T0 + 30.0)


def test_every_bound_judged_has_its_margin() -> None:
    checked = Writes(acknowledged=10, checked=10)
    result = judge(
        scenario(detect_within_s=1.0, max_error_rate=0.5, max_failed_requests=10),
        Observed(drill(Verdict.PASSED), requests=[request(T0 + 1)], writes=checked),
    )
    found = {m.bound: (m.observed, m.limit) for m in result.margins}
    assert found == {
        "detect": (0.1, 1.0),
        "recover": (4.0, 60.0),
        "error rate": (0.0, 0.5),
        "failed requests": (0, 10),
        "writes lost": (0, 0),
    }
    assert result.thinnest is not None and result.thinnest.bound == "detect"
    assert result.thinnest.room == pytest.approx(0.9)
    assert not result.thin and "thin" not in result.reason
    assert from_json(to_json(result)).margins == result.margins
    assert to_json(result)["thinnest"] == "detect"


def test_a_pass_close_to_a_bound_is_called_thin() -> None:
    result = judge(scenario(detect_within_s=0.11), Observed(drill(Verdict.PASSED)))
    assert result.passed and result.thin
    assert result.reason.endswith("thin margin: detect 0.1 s of 0.1 s (9% left)")
    assert to_json(result)["thin"] is True


def test_a_bound_the_run_never_reached_has_no_margin() -> None:
    result = judge(scenario(), Observed(drill(Verdict.NOT_RECOVERED, recovered_s=None)))
    assert [m.bound for m in result.margins] == ["detect"]
    assert not result.thin  # a failure is never a thin pass


def test_a_broken_bound_has_negative_room() -> None:
    load = [slow(T0 + i, 2000) for i in range(10)]
    result = judge(
        scenario(degraded=Degradation(max_p95_ms=1200)),
        Observed(drill(Verdict.PASSED), requests=load),
    )
    assert result.verdict is Verdict.DEGRADED_BEYOND_BOUNDS
    assert result.thinnest is not None and result.thinnest.bound == "degraded p95"
    assert result.thinnest.room < 0 and result.thinnest.describe().endswith("(over)")


# The api answers in 2 s until the runbook shortens its timeout, then in 0.6 s.
def _load(fixed_at: float) -> list[Request]:
    return [slow(T0 + i / 2, 2000 if i / 2 < fixed_at else 600) for i in range(60)]


@pytest.mark.parametrize("fixed_at", [1.0, 10.0])
def test_a_remediated_window_judges_what_the_runbook_delivers_whenever_it_acts(
    fixed_at: float,
) -> None:
    run = remediated_at(fixed_at)
    remediated = Degradation(max_p95_ms=1200, window="remediated")
    result = judge(scenario(degraded=remediated), Observed(run, requests=_load(fixed_at)))
    assert result.verdict is Verdict.PASSED, result.reason
    p95 = next(m for m in result.margins if m.bound == "degraded p95")
    assert p95.observed == 600.0
    # Judged over the whole fault, the same runs differ: the late one breaks the bound.
    whole = judge(
        scenario(degraded=Degradation(max_p95_ms=1200)), Observed(run, requests=_load(fixed_at))
    )
    assert whole.passed is (fixed_at < 2)


def test_a_run_nobody_remediated_is_judged_over_the_whole_fault() -> None:
    # An absorbed fault, or a drill nobody followed the runbook in: no promise was in force.
    run = dataclasses.replace(drill(Verdict.PASSED, recovered_s=35.0), ended_at=T0 + 30.0)
    remediated = Degradation(max_p95_ms=1200, window="remediated")
    slow = judge(scenario(degraded=remediated), Observed(run, requests=_load(30.0)))
    assert slow.verdict is Verdict.DEGRADED_BEYOND_BOUNDS
    assert slow.reason.endswith("p95 2000 ms > 1200 ms while degraded")
    fast = judge(scenario(degraded=remediated), Observed(run, requests=_load(0.0)))
    assert fast.passed


def test_a_remediation_that_outlasted_the_fault_breaks_a_remediated_bound() -> None:
    run = remediated_at(31.0)  # finished after the fault's 30 s
    remediated = Degradation(max_p95_ms=1200, window="remediated")
    result = judge(scenario(degraded=remediated), Observed(run, requests=_load(0.0)))
    assert result.verdict is Verdict.DEGRADED_BEYOND_BOUNDS
    assert "remediation outlasted the fault" in result.reason


def test_degraded_bounds_that_judged_no_request_show_no_margin() -> None:
    only_writes = Degradation(max_p95_ms=1200, requests="POST /v1/documents")
    result = judge(
        scenario(degraded=only_writes), Observed(drill(Verdict.PASSED), requests=_load(0.0))
    )
    assert result.passed and "degraded p95" not in {m.bound for m in result.margins}


def test_a_transient_fault_s_detect_bound_is_the_time_it_was_watched() -> None:
    transient = dataclasses.replace(scenario(detect_within_s=15.0), duration_s=0.12)
    result = judge(transient, Observed(drill(Verdict.PASSED)))
    detect = next(m for m in result.margins if m.bound == "detect")
    assert detect.limit == 0.12 and detect.thin


def test_a_page_not_yet_owed_has_no_margin() -> None:
    early_end = AlertOutcome("RedisDown", bound_s=10.0, notified_s=15.0, outage_s=4.0)
    assert not early_end.due
    owed = AlertOutcome("RedisDown", bound_s=10.0, notified_s=8.0, outage_s=40.0)
    run = drill(Verdict.PASSED)
    windows = Windows.split([], T0, T0 + 4, T0 + 4)
    budget = windows.budget(scenario())
    found = [
        {m.bound for m in margins(scenario(), run, windows, budget, None, alert, None)}
        for alert in (early_end, owed)
    ]
    assert "page (RedisDown)" not in found[0] and "page (RedisDown)" in found[1]
