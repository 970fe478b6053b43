"""The alert contract's verdicts, each with its one line of why (pure; no Docker)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drillbook.drills.alerting import AlertObserved
from drillbook.drills.alertjudge import alert_outcome, alert_verdict
from drillbook.drills.judge import Observed, judge
from drillbook.observe.alerts import ActiveAlert, AlertBound, Page, Poll
from drillbook.observe.measurement import Measurement
from drillbook.observe.timeline import Timeline
from drillbook.outcome.alert import AlertOutcome
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.result import Verdict
from drillbook.outcome.schema import SCHEMA_VERSION, from_json, to_json
from drillbook.scenarios.model import Expectations, Scenario

T0 = 1000.0
BOUND = AlertBound(1, 1, 2, 1)
GOOD = AlertOutcome("RedisDown", 5.0, BOUND.describe(), 0.9, 3.0, 3.8, 12.0)


def seen(*polls: Poll, pages: tuple[Page, ...] = (), **kw: object) -> AlertObserved:
    fields = {"bound": BOUND, "polls": polls, "pages": pages, "ended_at": T0 + 60, **kw}
    return AlertObserved("RedisDown", **fields)  # type: ignore[arg-type]


def firing(t: float, *names: str) -> Poll:
    return Poll(T0 + t, tuple(ActiveAlert(n, "firing") for n in names))


def test_an_outcome_from_polls_and_pages() -> None:
    watch = seen(
        Poll(T0 - 1, (ActiveAlert("LowCacheHitRate", "firing"),)),
        Poll(T0 + 1, (ActiveAlert("RedisDown", "pending", T0 + 0.9),)),
        firing(3, "RedisDown", "HighErrorRate", "APIDown"),
        Poll(T0 + 12),
        pages=(Page(T0 + 3.8, "firing", ("RedisDown",)),),
        allow=("HighErrorRate",),
        already_active=frozenset({"LowCacheHitRate"}),
    )
    m = Measurement(T0, T0 + 0.1, T0 + 8.0, 5.0)
    out = alert_outcome(watch, m)
    assert (out.pending_s, out.firing_s, out.notified_s, out.resolved_s) == pytest.approx(
        (0.9, 3.0, 3.8, 12.0)
    )
    assert (out.unexpected, out.allowed, out.already_active) == (
        ("APIDown",),
        ("HighErrorRate",),
        ("LowCacheHitRate",),
    )
    assert out.bound_s == 5.0 and out.ttr_from_page_s == pytest.approx(4.2)


@pytest.mark.parametrize(
    ("change", "verdict", "why"),
    [
        ({"firing_s": None, "pending_s": None}, Verdict.ALERT_NOT_FIRED, "expression never held"),
        ({"firing_s": None}, Verdict.ALERT_NOT_FIRED, "pending at 0.9 s but never fired"),
        ({"bound_s": None}, Verdict.ALERT_NOT_FIRED, "no loaded rule raises RedisDown"),
        ({"notified_s": 7.5}, Verdict.ALERT_LATE, "paged at 7.5 s, bound scrape 1 +"),
        ({"notified_s": None}, Verdict.ALERT_LATE, "fired at 3.0 s but never paged"),
        ({"unexpected": ("APIDown",)}, Verdict.UNEXPECTED_ALERT, "APIDown fired too"),
        ({"resolved_s": None}, Verdict.ALERT_NOT_RESOLVED, "still active 60 s after recovery"),
    ],
)
def test_each_broken_contract_has_its_verdict(
    change: dict[str, object], verdict: Verdict, why: str
) -> None:
    got = alert_verdict(dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert got is not None and got[0] is verdict and why in got[1]


def test_a_kept_contract_has_no_verdict() -> None:
    assert alert_verdict(GOOD) is None


def _scenario() -> Scenario:
    return Scenario(
        "redis-down", Path("s.yaml"), "", "kill", {}, None, expect=Expectations(recover_within_s=60)
    )


def _drill(verdict: Verdict) -> DrillRun:
    return DrillRun("redis-down", verdict, Measurement(T0, T0 + 0.1, T0 + 8, 5.0), 60.0, Timeline())


def test_the_judge_turns_a_pass_into_the_alert_verdict_and_records_it() -> None:
    never = seen(Poll(T0 + 1), Poll(T0 + 20))
    result = judge(_scenario(), Observed(_drill(Verdict.PASSED), alerts=never))
    assert result.verdict is Verdict.ALERT_NOT_FIRED
    assert result.reason.endswith(
        "RedisDown did not fire: its expression never held (check its metric names and thresholds)"
    )
    assert result.alert is not None and result.alert.expected == "RedisDown"
    back = from_json(to_json(result))
    assert back.alert == result.alert and to_json(result)["schema"] == SCHEMA_VERSION == 7


def test_a_failed_drill_keeps_its_own_verdict() -> None:
    never = seen(Poll(T0 + 1))
    result = judge(_scenario(), Observed(_drill(Verdict.NOT_RECOVERED), alerts=never))
    assert result.verdict is Verdict.NOT_RECOVERED and result.alert is not None


def test_schema_3_results_are_still_read() -> None:
    data = to_json(judge(_scenario(), Observed(_drill(Verdict.PASSED))))
    data["schema"] = 3
    del data["alert"]
    assert from_json(data).alert is None


def test_where_no_alert_is_expected_any_alert_is_unexpected() -> None:
    quiet = AlertOutcome("", None)
    assert alert_verdict(quiet) is None
    noisy = dataclasses.replace(quiet, unexpected=("LowCacheHitRate",))
    assert alert_verdict(noisy) == (
        Verdict.UNEXPECTED_ALERT,
        "LowCacheHitRate fired, and no alert was expected",
    )


def test_the_bound_counts_from_the_fault_in_place() -> None:
    slow_to_inject = dataclasses.replace(GOOD, notified_s=7.0, bound_from_s=3.0)
    assert alert_verdict(slow_to_inject) is None  # 7.0 - 3.0 <= 5
    late = alert_verdict(dataclasses.replace(slow_to_inject, notified_s=8.5))
    assert late is not None and late[0] is Verdict.ALERT_LATE
    assert "paged at 8.5 s (bound from 3.0 s), bound scrape" in late[1]


def test_for_a_fault_that_builds_up_the_bound_counts_from_detection() -> None:
    watch = seen(
        firing(27, "HighRateLimitViolations"),
        Poll(T0 + 40),
        pages=(Page(T0 + 28, "firing", ("HighRateLimitViolations",)),),
        from_detection=True,
    )
    watch = dataclasses.replace(watch, expected="HighRateLimitViolations")
    out = alert_outcome(watch, Measurement(T0, T0 + 25.0, T0 + 35.0, 5.0))
    assert out.bound_from_s == pytest.approx(25.0)
    assert alert_verdict(out) is None  # 28 - 25 <= 5


@pytest.mark.parametrize(
    ("outage_s", "verdict"),
    [
        (4.5, None),  # back before the 5 s bound: the alert was not owed yet
        (8.0, Verdict.ALERT_NOT_FIRED),  # down past its bound: it was owed and never came
        (None, Verdict.ALERT_NOT_FIRED),  # never recovered: owed
    ],
)
def test_an_alert_is_due_only_once_the_outage_has_lasted_its_bound(
    outage_s: float | None, verdict: Verdict | None
) -> None:
    silent = dataclasses.replace(
        GOOD, pending_s=None, firing_s=None, notified_s=None, resolved_s=None, outage_s=outage_s
    )
    judged = alert_verdict(silent)
    assert (judged[0] if judged else None) is verdict, judged
    # an alert it should not have raised is still one, owed or not
    noisy = dataclasses.replace(silent, unexpected=("DatabaseDown",))
    assert alert_verdict(noisy) is not None


def test_the_outage_is_recorded_with_the_outcome() -> None:
    m = Measurement(T0, T0 + 0.1, T0 + 4.5, 5.0)
    assert alert_outcome(seen(), m).outage_s == pytest.approx(4.5)
