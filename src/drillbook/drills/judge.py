"""The judge: from what a scenario run saw to its Result (pure; no Docker, no clock).

The lifecycle decides whether the service recovered; the judge adds what only the scenario
knows, in this order: a runbook step nobody could run, the SLO while degraded, lost
writes, then the alert contract (`drillbook.drills.alertjudge`). The first that applies
names the verdict; the reason says it in one line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from drillbook import __version__
from drillbook.drills.alerting import AlertObserved
from drillbook.drills.alertjudge import alert_outcome, alert_verdict
from drillbook.load import Request
from drillbook.observe.series import per_window
from drillbook.observe.slo import error_rate_and_p95
from drillbook.observe.stats import percentile
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.result import (
    ErrorBudget,
    Latency,
    Mark,
    Result,
    RunbookRef,
    StepRecord,
    Verdict,
    Writes,
)
from drillbook.runbooks.executor import Execution, StepResult
from drillbook.runbooks.model import Runbook
from drillbook.runbooks.status import StepStatus
from drillbook.scenarios.model import Scenario

_UNRUNNABLE = (StepStatus.NOT_EXECUTABLE, StepStatus.REFUSED)


@dataclass(frozen=True)
class Observed:
    """Everything a scenario run saw, as the judge needs it."""

    drill: DrillRun
    executions: Sequence[Execution] = ()
    requests: Sequence[Request] = ()
    writes: Writes | None = None
    started_at: str = ""
    epoch_offset_s: float = 0.0  # wall-clock minus monotonic time, read once at the end
    alerts: AlertObserved | None = None  # the alert watch, where the stack has alerting


def judge(scenario: Scenario, observed: Observed) -> Result:
    """The Result of one scenario run."""
    drill = observed.drill
    steps = [r for e in observed.executions for r in e.results]
    m = drill.measurement
    t0 = m.injected_at if m else math.inf
    end = (m.recovered_at if m and m.recovered_at else None) or drill.ended_at or t0
    requests = observed.requests
    during = [r for r in requests if r.end >= t0 and r.start <= end]
    before = [r for r in requests if r.end < t0]
    after = [r for r in requests if r.start > end]
    degraded_end = drill.ended_at or end
    while_faulted = [r for r in requests if r.end >= t0 and r.start <= degraded_end]

    alert = alert_outcome(observed.alerts, m) if observed.alerts and m else None
    verdict, detail = _verdict(scenario, drill, steps, while_faulted, observed.writes)
    if verdict is Verdict.PASSED and alert is not None:
        verdict, detail = alert_verdict(alert) or (verdict, detail)
    reason = f"{scenario.name}: {verdict.value} ({drill.figures()})"
    if detail:
        reason += f": {detail}"
    return Result(
        scenario=scenario.name,
        verdict=verdict,
        reason=reason,
        target_s=drill.target_s,
        ttd_s=drill.ttd_s,
        ttr_s=drill.ttr_s,
        file=str(scenario.path),
        runbook=_runbook(scenario.runbook),
        recovery_after_end_s=drill.recovery_after_end_s,
        remediation_s=sum(e.duration_s for e in observed.executions),
        error_budget=ErrorBudget(failed=sum(not r.ok for r in during), total=len(during)),
        p95_ms=Latency(before=_p95(before), during=_p95(during), after=_p95(after)),
        writes=observed.writes,
        steps=tuple(_step(r, t0 if m else r.started_at) for r in steps),
        timeline=tuple(
            Mark(**e) for e in drill.timeline.as_json(relative_to=m.injected_at if m else None)
        ),
        series=per_window(requests, t0) if m else None,
        started_at=observed.started_at,
        # The monotonic clock the drill ran on, read as wall-clock time.
        injected_epoch_s=t0 + observed.epoch_offset_s if m else None,
        drillbook=__version__,
        alert=alert,
    )


def _verdict(
    scenario: Scenario,
    drill: DrillRun,
    steps: list[StepResult],
    while_faulted: list[Request],
    writes: Writes | None,
) -> tuple[Verdict, str]:
    verdict, detail = drill.verdict, ""
    unrunnable = [r for r in steps if r.status in _UNRUNNABLE]
    if verdict in (Verdict.NO_STEADY_STATE, Verdict.NOT_DETECTED):
        pass
    elif unrunnable:
        first = unrunnable[0]
        verdict = Verdict.STEP_NOT_EXECUTABLE
        detail = f"line {first.step.line}: {first.step.text} ({first.detail})"
    elif verdict is Verdict.PASSED and scenario.expect.degraded is not None:
        breach = degradation_breach(scenario, while_faulted)
        if breach:
            verdict, detail = Verdict.DEGRADED_BEYOND_BOUNDS, breach
    if verdict is Verdict.PASSED and writes is not None and writes.missing:
        verdict = Verdict.DATA_LOST
        detail = (
            f"{len(writes.missing)} acknowledged writes missing, e.g. {list(writes.missing[:5])}"
        )
    failed = [r for r in steps if r.status is StepStatus.FAILED]
    if not detail and failed:
        detail = f"{len(failed)} runbook step(s) failed, first at line {failed[0].step.line}"
    return verdict, detail


def degradation_breach(scenario: Scenario, requests: Sequence[Request]) -> str:
    """Why the load while the fault lasted broke the scenario's bounds ('' when it did not)."""
    bounds = scenario.expect.degraded
    if bounds is None or not requests:
        return ""
    error_rate, p95 = error_rate_and_p95(list(requests))
    if bounds.max_error_rate is not None and error_rate > bounds.max_error_rate:
        return f"error rate {error_rate:.0%} > {bounds.max_error_rate:.0%} while degraded"
    if bounds.max_p95_ms is not None and p95 > bounds.max_p95_ms:
        return f"p95 {p95:.0f} ms > {bounds.max_p95_ms:.0f} ms while degraded"
    return ""


def _runbook(runbook: Runbook | None) -> RunbookRef | None:
    if runbook is None:
        return None
    return RunbookRef(runbook.id, str(runbook.path), runbook.mttr_s, runbook.severity)


def _step(result: StepResult, origin: float) -> StepRecord:
    data = result.as_json(origin)
    data["actions"] = tuple(data.get("actions") or ())
    data["output"] = data.get("output") or ""
    data["detail"] = data.get("detail") or ""
    return StepRecord(**data)


def _p95(requests: list[Request]) -> float | None:
    return round(percentile([r.ms for r in requests], 95), 1) if requests else None
