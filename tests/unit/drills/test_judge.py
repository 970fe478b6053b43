"""The scenario judge: one test per verdict, and what it records (pure; no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.drills.judge import Observed, judge
from drillbook.load import Request
from drillbook.observe.measurement import Measurement, Sample
from drillbook.observe.timeline import Timeline
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.result import Verdict, Writes
from drillbook.outcome.schema import from_json, to_json
from drillbook.runbooks.executor import Execution, StepResult
from drillbook.runbooks.model import Runbook, Section, Step, StepKind
from drillbook.runbooks.status import StepStatus
from drillbook.scenarios.model import Degradation, Expectations, Scenario

T0 = 1000.0  # injection, on the monotonic clock


def scenario(**expect: object) -> Scenario:
    return Scenario(
        name="redis-down",
        path=Path("scenarios/redis-down.yaml"),
        description="",
        fault_kind="kill",
        fault_params={"service": "redis"},
        runbook=None,
        expect=Expectations(recover_within_s=60.0, **expect),  # type: ignore[arg-type]
    )


def drill(verdict: Verdict, injected: bool = True, recovered_s: float | None = 4.0) -> DrillRun:
    timeline = Timeline(origin=T0 - 10)
    m = None
    if injected:
        timeline.mark("fault injected", "redis-down", t=T0)
        recovered = None if recovered_s is None else T0 + recovered_s
        m = Measurement(T0, T0 + 0.1, recovered, 5.0)
    return DrillRun("redis-down", verdict, m, 60.0, timeline)


def step_result(status: StepStatus, line: int = 12, detail: str = "") -> StepResult:
    step = Step(StepKind.COMMAND, "docker compose up -d redis", line, Section.RESOLUTION)
    return StepResult(step, status, T0 + 1, 0.5, detail=detail)


def execution(*results: StepResult) -> Execution:
    runbook = Runbook(id="redis-down", title="Redis down", path=Path("r.md"), line=1)
    return Execution(runbook, T0 + 1, results)


def request(at: float, ok: bool = True, ms: float = 20.0) -> Request:
    return Request(at - ms / 1000, at, "GET", "/v1/query", 200 if ok else 503, ok, ms)


@pytest.mark.parametrize("verdict", [Verdict.PASSED, Verdict.NOT_RECOVERED, Verdict.NOT_DETECTED])
def test_the_lifecycle_verdict_stands_when_nothing_else_applies(verdict: Verdict) -> None:
    result = judge(scenario(), Observed(drill(verdict)))
    assert result.verdict is verdict
    assert result.reason.startswith(f"redis-down: {verdict.value} (TTD 0.10 s")


def test_no_steady_state_has_no_figures() -> None:
    result = judge(scenario(), Observed(drill(Verdict.NO_STEADY_STATE, injected=False)))
    assert result.verdict is Verdict.NO_STEADY_STATE
    assert (result.ttd_s, result.ttr_s, result.series, result.injected_epoch_s) == (
        None,
        None,
        None,
        None,
    )


def test_a_step_nobody_could_run_names_its_line() -> None:
    ran = execution(
        step_result(StepStatus.OK), step_result(StepStatus.NOT_EXECUTABLE, 14, "unknown command")
    )
    result = judge(scenario(), Observed(drill(Verdict.PASSED), [ran]))
    assert result.verdict is Verdict.STEP_NOT_EXECUTABLE
    assert result.reason.endswith("line 14: docker compose up -d redis (unknown command)")


def test_a_refused_step_is_not_executable_even_when_the_service_recovered() -> None:
    ran = execution(step_result(StepStatus.REFUSED, 9, "destructive"))
    assert judge(scenario(), Observed(drill(Verdict.PASSED), [ran])).verdict is (
        Verdict.STEP_NOT_EXECUTABLE
    )


def test_an_unrunnable_step_does_not_hide_that_nothing_was_detected() -> None:
    ran = execution(step_result(StepStatus.NOT_EXECUTABLE))
    result = judge(scenario(), Observed(drill(Verdict.NOT_DETECTED), [ran]))
    assert result.verdict is Verdict.NOT_DETECTED


def test_slo_breached_while_degraded() -> None:
    bounds = Degradation(max_error_rate=0.10)
    load = [request(T0 + 0.5 + i / 10, ok=i % 2 == 0) for i in range(20)]
    result = judge(scenario(degraded=bounds), Observed(drill(Verdict.PASSED), requests=load))
    assert result.verdict is Verdict.DEGRADED_BEYOND_BOUNDS
    assert result.reason.endswith("error rate 50% > 10% while degraded")


def test_within_the_degradation_bounds_passes() -> None:
    bounds = Degradation(max_error_rate=0.60)
    load = [request(T0 + 0.5 + i / 10, ok=i % 2 == 0) for i in range(20)]
    result = judge(scenario(degraded=bounds), Observed(drill(Verdict.PASSED), requests=load))
    assert result.verdict is Verdict.PASSED


def test_degradation_bounds_can_judge_only_the_requests_they_name() -> None:
    # Writes fail (no database) but every query is answered: the degraded mode holds.
    writes = [
        Request(T0 + i / 10, T0 + i / 10 + 0.02, "POST", "POST /v1/documents", 503, False, 20)
        for i in range(10)
    ]
    queries = [request(T0 + 0.5 + i / 10) for i in range(10)]
    queries = [Request(r.start, r.end, "POST", "POST /v1/query", 200, True, 20) for r in queries]
    only_queries = Degradation(max_error_rate=0.0, requests="POST /v1/query")
    observed = Observed(drill(Verdict.PASSED), requests=writes + queries)
    assert judge(scenario(degraded=only_queries), observed).verdict is Verdict.PASSED
    every_request = Degradation(max_error_rate=0.0)
    result = judge(scenario(degraded=every_request), observed)
    assert result.verdict is Verdict.DEGRADED_BEYOND_BOUNDS
    failing = [Request(r.start, r.end, r.method, r.name, 503, False, 20) for r in queries]
    result = judge(
        scenario(degraded=only_queries), Observed(drill(Verdict.PASSED), requests=failing)
    )
    assert result.reason.endswith("error rate of POST /v1/query 100% > 0% while degraded")


def test_data_lost_names_the_missing_writes() -> None:
    writes = Writes(acknowledged=10, checked=10, missing=(3, 7))
    result = judge(scenario(), Observed(drill(Verdict.PASSED), writes=writes))
    assert result.verdict is Verdict.DATA_LOST
    assert result.reason.endswith("2 acknowledged writes missing, e.g. [3, 7]")


def test_a_failed_step_is_named_without_changing_the_verdict() -> None:
    ran = execution(step_result(StepStatus.FAILED, 21))
    result = judge(scenario(), Observed(drill(Verdict.PASSED), [ran]))
    assert result.verdict is Verdict.PASSED
    assert result.reason.endswith("1 runbook step(s) failed, first at line 21")


def test_impact_is_split_around_the_incident_and_survives_the_schema() -> None:
    load = [
        request(T0 - 1, ms=10),  # before
        request(T0 + 1, ok=False, ms=900),  # during
        request(T0 + 2, ms=30),  # during
        request(T0 + 9, ms=12),  # after recovery at +4 s
    ]
    observed = Observed(drill(Verdict.PASSED), requests=load, epoch_offset_s=5000.0)
    result = judge(scenario(), observed)
    assert (result.error_budget.failed, result.error_budget.total) == (1, 2)
    assert (result.p95_ms.before, result.p95_ms.after) == (10.0, 12.0)
    assert result.injected_epoch_s == T0 + 5000.0
    assert [m.kind for m in result.timeline] == ["fault injected"]
    assert result.timeline[0].t == 0.0
    assert from_json(to_json(result)) == result


# -- as written, weak verifications, user impact ------------------------------------------


def remediated(recovered_s: float = 4.0) -> DrillRun:
    run = drill(Verdict.PASSED, recovered_s=recovered_s)
    run.timeline.mark("remediation started", t=T0 + 1)
    run.timeline.mark("remediation finished", t=T0 + 1.7)
    return run


def waits(seconds: float) -> Execution:
    wait = Step(StepKind.WAIT, f"Wait {seconds:g} s", 23, Section.RESOLUTION, wait_s=seconds)
    return execution(
        step_result(StepStatus.OK, 21), StepResult(wait, StepStatus.WAITED, T0 + 1.5, 0.2)
    )


def test_a_runbook_that_passes_only_at_machine_speed_is_red_as_written() -> None:
    result = judge(scenario(), Observed(remediated(), [waits(180)]))
    assert result.verdict is Verdict.NOT_RECOVERED_AS_WRITTEN
    assert result.as_written is not None and result.as_written.ttr_s is not None
    assert result.as_written.ttr_s > 180
    assert "line 23 +" in result.reason and "written wait 180 s" in result.reason


def test_machine_only_judges_the_machine_and_still_records_the_projection() -> None:
    machine = judge(scenario(), Observed(remediated(), [waits(180)], machine_only=True))
    by_scenario = judge(scenario(judge="machine"), Observed(remediated(), [waits(180)]))
    for result in (machine, by_scenario):
        assert result.verdict is Verdict.PASSED
        assert result.as_written is not None and not result.as_written.judged


def test_a_runbook_within_its_target_as_written_passes() -> None:
    result = judge(scenario(), Observed(remediated(), [waits(5)]))
    assert result.verdict is Verdict.PASSED
    assert result.as_written is not None and result.as_written.ttr_s == 4.0 + 20 + 4.8 + 5


def test_a_verification_that_said_fine_while_the_probe_failed_is_weak() -> None:
    check = Step(
        StepKind.COMMAND, "curl -fsS http://localhost:8000/ready", 30, Section.VERIFICATION
    )
    verified = StepResult(check, StepStatus.OK, T0 + 1.6, 0.1)
    samples = [Sample(T0 + 1.6, False), Sample(T0 + 1.7, False), Sample(T0 + 3.9, True)]
    result = judge(scenario(), Observed(remediated(), [execution(verified)], samples=samples))
    assert result.verdict is Verdict.PASSED  # a finding, not a failure
    assert [s.weak for s in result.steps] == [True]
    (finding,) = result.findings
    assert finding.startswith("line 30: verification `curl -fsS")
    assert "2.2 s before it passed" in finding


def test_a_verification_after_recovery_is_not_weak() -> None:
    check = Step(StepKind.COMMAND, "redis-cli ping", 30, Section.VERIFICATION)
    verified = StepResult(check, StepStatus.OK, T0 + 1.6, 0.1)
    samples = [Sample(T0 + 1.0, False), Sample(T0 + 1.65, True)]
    result = judge(scenario(), Observed(remediated(), [execution(verified)], samples=samples))
    assert result.findings == () and not result.steps[0].weak


def test_user_impact_beyond_its_bounds() -> None:
    load = [request(T0 + 0.5 + i / 10, ok=i % 4 != 0) for i in range(20)]  # 5 of 20 fail
    too_many = judge(
        scenario(max_failed_requests=4), Observed(drill(Verdict.PASSED), requests=load)
    )
    too_often = judge(scenario(max_error_rate=0.2), Observed(drill(Verdict.PASSED), requests=load))
    within = judge(
        scenario(max_failed_requests=5, max_error_rate=0.25),
        Observed(drill(Verdict.PASSED), requests=load),
    )
    assert too_many.verdict is Verdict.IMPACT_BEYOND_BOUNDS
    assert too_many.reason.endswith("5 failed requests > 4 allowed")
    assert too_often.verdict is Verdict.IMPACT_BEYOND_BOUNDS
    assert within.verdict is Verdict.PASSED


def test_the_error_budget_burned_by_an_incident() -> None:
    load = [request(T0 + 0.5 + i / 10, ok=i % 4 != 0) for i in range(20)]  # 25 % failed
    budget = judge(scenario(), Observed(drill(Verdict.PASSED), requests=load)).error_budget
    # 25 % of a 4 s incident: 1 s of full outage, of 99.9 % over 30 days (43.2 min).
    assert budget.incident_s == 4.0 and budget.budget_min == 43.2
    assert budget.burned_min == round(1 / 60, 4)
    assert budget.burned_pct is not None and abs(budget.burned_pct - 100 / 60 / 43.2) < 0.01
