"""Auditing a runbook: classifying each step from drills without it (pure; no Docker)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drillbook.drills.audit import (
    AS_WRITTEN,
    AuditDrill,
    Budget,
    estimate,
    plan_audit,
    run_audit,
    table,
)
from drillbook.drills.steprole import Figures, Noise, Role, classify
from drillbook.outcome.result import ErrorBudget, Latency, Result, Verdict
from drillbook.runbooks.parser import parse_file
from drillbook.scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[3]
OLD_HIGH_LATENCY = ROOT / "tests" / "chaos" / "audited" / "high-latency-restarts-api.md"


def figures(
    ttr: float | None,
    failed: int = 0,
    p95: float | None = 50.0,
    verdict: str = "passed",
    total: int = 1000,
) -> Figures:
    return Figures(verdict, ttr is not None, ttr, failed, total, p95)


FULL = figures(5.0, failed=100, p95=300)


def test_no_recovery_without_a_step_makes_it_required() -> None:
    role, why = classify(FULL, figures(None, verdict="not recovered within target"))
    assert role is Role.REQUIRED
    assert "not recovered" in why


def test_faster_recovery_without_a_step_makes_it_harmful() -> None:
    # The old high-latency runbook once: the api restart took TTR 32 -> 48 s, p95 1 -> 20 s.
    full = figures(48.0, failed=40, p95=20000)
    role, why = classify(full, figures(32.0, failed=38, p95=1000))
    assert role is Role.HARMFUL
    assert "TTR 48.0 -> 32.0 s" in why and "p95 20000 -> 1000 ms" in why


def test_a_lower_error_rate_and_p95_without_a_step_make_it_harmful() -> None:
    # The old high-latency runbook, drilled: TTR alike, but the restarted api answered in
    # 10 s (p95) and failed 41 % of its fewer requests; without the restart 24 % of more.
    full = figures(34.9, failed=106, total=256, p95=9852)
    role, why = classify(full, figures(32.1, failed=137, total=573, p95=1100))
    assert role is Role.HARMFUL
    assert why == "error rate 41 -> 24 %; p95 9852 -> 1100 ms"


def test_slower_recovery_without_a_step_makes_it_helpful() -> None:
    assert classify(FULL, figures(9.0, failed=100, p95=300))[0] is Role.HELPFUL


def test_more_failures_without_a_step_makes_it_helpful_even_at_the_same_ttr() -> None:
    role, why = classify(FULL, figures(5.0, failed=200, p95=300))
    assert role is Role.HELPFUL
    assert "error rate 10 -> 20 %" in why


def test_differences_within_the_noise_are_no_effect() -> None:
    # 20 % of 5 s is 1 s; 2 points of a 10 % error rate; 200 ms of p95.
    assert classify(FULL, figures(5.9, failed=119, p95=490))[0] is Role.NO_EFFECT
    assert classify(FULL, figures(4.1, failed=81, p95=110))[0] is Role.NO_EFFECT
    assert classify(FULL, figures(6.1, failed=100, p95=300))[0] is Role.HELPFUL


def test_short_ttrs_are_compared_with_two_probe_periods_at_least() -> None:
    quick = figures(0.5, failed=0)
    assert Noise().ttr_margin(0.5) == pytest.approx(0.2)
    assert classify(quick, figures(0.65, failed=0))[0] is Role.NO_EFFECT
    assert classify(quick, figures(0.75, failed=0))[0] is Role.HELPFUL


def test_the_spread_of_the_drills_as_written_is_noise() -> None:
    # A first drill on a fresh stack took 7.9 s, the same runbook later 4.6 s: a drill
    # without a step at 4.8 s is within that range, not faster.
    cold, warm = figures(7.9, failed=79, p95=1049), figures(4.6, failed=35, p95=1030)
    without = figures(4.8, failed=30, p95=1021)
    assert classify(cold, without)[0] is Role.HARMFUL  # one drill alone misleads
    assert classify([cold, warm], without)[0] is Role.NO_EFFECT
    role, why = classify([cold, warm], figures(9.9, failed=120, p95=1040))
    assert role is Role.HELPFUL
    assert "TTR 4.6-7.9 -> 9.9 s without it" in why


def test_a_trade_off_is_decided_by_the_recovery_time() -> None:
    role, why = classify(FULL, figures(3.0, failed=300, p95=300))
    assert role is Role.HARMFUL
    assert "trade-off" in why
    # Same TTR: fewer errors but a higher p95 is no clear win either way.
    assert classify(FULL, figures(5.0, failed=10, p95=900))[0] is Role.NO_EFFECT


def test_a_promise_broken_only_with_the_step_makes_it_harmful_whatever_the_noise() -> None:
    # The old high-latency runbook on a loaded machine: its restart broke the degraded p95
    # bound (6 s > 5 s); without it TTR and error rate were within the noise.
    degraded = Verdict.DEGRADED_BEYOND_BOUNDS.value
    full = figures(39.0, failed=80, total=345, p95=6037, verdict=degraded)
    without = figures(31.3, failed=145, total=586, p95=1018)
    role, why = classify(full, without)
    assert role is Role.HARMFUL
    assert why == "as written: SLO breached while degraded; without it: passed"
    # Had the errors made a trade-off of it, the recovery time (within the noise) would
    # have called it no effect.
    more_errors = figures(31.3, failed=300, total=586, p95=1018)
    assert classify(dataclasses.replace(full, verdict="passed"), more_errors)[0] is (Role.NO_EFFECT)
    assert classify(full, more_errors)[0] is Role.HARMFUL


def test_a_promise_broken_only_without_the_step_makes_it_helpful() -> None:
    lost = figures(5.0, failed=100, p95=300, verdict=Verdict.DATA_LOST.value)
    role, why = classify(FULL, lost)
    assert role is Role.HELPFUL and why == "without it: data lost"


def test_drills_as_written_that_disagree_on_a_promise_leave_it_to_the_figures() -> None:
    degraded = dataclasses.replace(FULL, verdict=Verdict.DEGRADED_BEYOND_BOUNDS.value)
    assert classify([degraded, FULL], figures(5.0, failed=100, p95=300))[0] is Role.NO_EFFECT
    # An alert's verdict is no promise to users: the figures decide.
    late = dataclasses.replace(FULL, verdict=Verdict.ALERT_LATE.value)
    assert classify(late, figures(5.0, failed=100, p95=300))[0] is Role.NO_EFFECT


def test_recovering_only_without_a_step_makes_it_harmful() -> None:
    full = figures(None, verdict="not recovered within target")
    assert classify(full, figures(20.0))[0] is Role.HARMFUL
    assert classify(full, full)[0] is Role.NO_EFFECT


def test_a_drill_without_an_incident_is_inconclusive() -> None:
    none = dataclasses.replace(figures(None, verdict="no steady state"), incident=False)
    assert classify(FULL, none)[0] is Role.INCONCLUSIVE


def test_the_plan_drills_each_resolution_step_and_none_but_no_prose_step() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "high-latency.yaml")
    (runbook,) = parse_file(OLD_HIGH_LATENCY).runbooks
    plan = plan_audit(scenario, runbook, 60.0)
    assert [d.label for d in plan.drills] == [
        "as written",
        "without line 23",
        "without line 25",
        "none",
        "as written again",
    ]
    assert [s.line for s in plan.manual] == [21]
    none = plan.drills[-2].runbook(runbook)
    assert [s.line for s in none.steps] == [15, 16, 17, 21, 29]  # diagnosis, prose, check


def test_runbook_without_refuses_a_step_of_another_runbook() -> None:
    (runbook,) = parse_file(OLD_HIGH_LATENCY).runbooks
    (other,) = parse_file(ROOT / "runbooks" / "redis-down.md").runbooks
    with pytest.raises(ValueError, match="line 21 is not a step of runbook high-latency"):
        runbook.without(other.steps[2])


def test_the_estimate_uses_the_last_ttr_and_the_target_as_the_worst_case() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "redis-down.yaml")
    (runbook,) = parse_file(ROOT / "runbooks" / "redis-down.md").runbooks
    plan = plan_audit(scenario, runbook, 120.0)
    assert len(plan.drills) == 6
    e = estimate(plan, 5, last_ttr_s=5.0)
    assert e.likely_s == 5 * (30 + 5.0)
    assert e.at_most_s == 5 * (30 + 120 + 5)
    assert "5 drills" in e.line() and "last run recovered in 5.0 s" in e.line()
    assert estimate(plan, 5, None).likely_s == e.at_most_s


def result_of(f: Figures) -> Result:
    return Result(
        scenario="redis-down",
        verdict=Verdict(f.verdict),
        reason="",
        target_s=120.0,
        ttr_s=f.ttr_s,
        error_budget=ErrorBudget(failed=f.failed, total=f.total),
        p95_ms=Latency(during=f.p95_during_ms),
    )


def redis_plan():  # type: ignore[no-untyped-def]
    scenario = load_scenario(ROOT / "scenarios" / "redis-down.yaml")
    (runbook,) = parse_file(ROOT / "runbooks" / "redis-down.md").runbooks
    return plan_audit(scenario, runbook, 120.0)


def test_an_audit_classifies_each_step_from_its_drill() -> None:
    plan = redis_plan()
    lost = figures(None, failed=900, verdict="not recovered within target")
    by_label = {"as written": FULL, "without line 21": lost, "none": lost}
    seen: list[AuditDrill] = []

    def drill(d: AuditDrill) -> tuple[Result, str]:
        seen.append(d)
        return result_of(by_label.get(d.label, FULL)), f"/r/{d.slug}.json"

    audit = run_audit(plan, drill)
    assert seen[0] is AS_WRITTEN and len(seen) == 6
    assert [(r.step.line, r.role) for r in audit.rows] == [
        (21, Role.REQUIRED),
        (23, Role.NO_EFFECT),
        (25, Role.NO_EFFECT),
    ]
    text = "\n".join(table(audit))
    assert "docker compose up -d redis" in text and "required" in text
    assert audit.as_json()["steps"][0]["role"] == "required"


def test_max_drills_and_the_budget_cap_the_audit() -> None:
    plan = redis_plan()

    def drill(d: AuditDrill) -> tuple[Result, str]:
        return result_of(FULL), ""

    capped = run_audit(plan, drill, Budget(max_drills=2))
    assert [d.drill.label for d in capped.drilled] == ["as written", "without line 21"]
    assert capped.skipped == ("without line 23", "without line 25", "none", "as written again")
    assert [r.role for r in capped.rows] == [Role.NO_EFFECT, Role.NOT_DRILLED, Role.NOT_DRILLED]

    now = [0.0]

    def clock() -> float:
        return now[0]

    def slow(d: AuditDrill) -> tuple[Result, str]:
        now[0] += 100.0  # each drill takes 100 s; one may take 30 + 120 + 5 = 155 s
        return result_of(FULL), ""

    timed = run_audit(plan, slow, Budget(minutes=5), clock=clock)
    # 0 + 155 <= 300 starts; 100 + 155 <= 300 starts; 200 + 155 > 300 stops.
    assert len(timed.drilled) == 2
    assert "not drilled (budget)" in "\n".join(table(timed))
