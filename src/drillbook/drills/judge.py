"""The judge: from what a scenario run saw to its Result (pure; no Docker, no clock).

The lifecycle decides whether the service recovered at the machine's pace; the judge adds
what only the scenario knows, in this order: a runbook step nobody could run, recovery within
the target as a person following the runbook would have it (`drills.aswritten`), the SLO
while degraded, the user impact from fault to recovery, lost writes, then the alert contract
(`drillbook.drills.alertjudge`). The first that applies names the verdict; the reason says it
in one line. What the drill found in the runbook without failing it (a verification step that
said "fine" too early) goes to `findings`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from drillbook._version import __version__
from drillbook.drills.alerting import AlertObserved
from drillbook.drills.alertjudge import alert_outcome, alert_verdict
from drillbook.drills.aswritten import project
from drillbook.drills.bounds import margins
from drillbook.drills.impact import Windows, degradation_breach, impact_breach
from drillbook.load import Request
from drillbook.observe.measurement import Sample
from drillbook.observe.series import per_window
from drillbook.outcome.damage import Loss, Reading, kind_of, losses
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.margin import thinnest
from drillbook.outcome.result import (
    AsWritten,
    ErrorBudget,
    Mark,
    Result,
    RunbookRef,
    StepRecord,
    Verdict,
    Writes,
)
from drillbook.runbooks.executor import Execution, StepResult
from drillbook.runbooks.model import Runbook, Section
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
    samples: Sequence[Sample] = ()  # the steady-state probe's, in time order
    machine_only: bool = False  # judge the target at the machine's pace whatever the scenario
    alerts: AlertObserved | None = None  # the alert watch, where the stack has alerting
    ledger: Sequence[Reading] = ()  # the stack's stores, counted (drillbook.outcome.damage)


def judge(scenario: Scenario, observed: Observed) -> Result:
    """The Result of one scenario run."""
    drill = observed.drill
    steps = [r for e in observed.executions for r in e.results]
    m = drill.measurement
    t0 = m.injected_at if m else math.inf
    end = (m.recovered_at if m and m.recovered_at else None) or drill.ended_at or t0
    windows = Windows.split(
        observed.requests, t0, end, drill.ended_at or end, _degraded_from(scenario, drill)
    )
    budget = windows.budget(scenario)
    as_written = _as_written(scenario, observed, steps)
    weak = _weak_verifications(steps, observed.samples)

    alert = alert_outcome(observed.alerts, m) if observed.alerts and m else None
    damage = losses(observed.ledger)
    verdict, detail = _verdict(scenario, observed, steps, windows, budget, as_written)
    if verdict is Verdict.DATA_LOST:
        detail += _lost_by(damage)
    if verdict is Verdict.PASSED and alert is not None:
        verdict, detail = alert_verdict(alert) or (verdict, detail)
    bounded = margins(scenario, drill, windows, budget, as_written, alert, observed.writes)
    closest = thinnest(bounded)
    if verdict is Verdict.PASSED and closest is not None and closest.thin:
        detail = "; ".join(d for d in (detail, f"thin margin: {closest.describe()}") if d)
    reason = f"{scenario.name}: {verdict.value} ({drill.figures()})"
    if detail:
        reason += f": {detail}"
    origin = t0 if m else None
    return Result(
        scenario=scenario.name,
        verdict=verdict,
        reason=reason,
        target_s=drill.target_s,
        ttd_s=_ms(drill.ttd_s),
        ttr_s=_ms(drill.ttr_s),
        judged_ttr_s=_ms(drill.judged_ttr_s),
        ttr_origin=drill.origin_kind,
        file=str(scenario.path),
        runbook=_runbook(scenario.runbook),
        recovery_after_end_s=_ms(drill.recovery_after_end_s),
        remediation_s=round(sum(e.duration_s for e in observed.executions), 3),
        error_budget=budget,
        p95_ms=windows.latency(),
        writes=observed.writes,
        steps=tuple(_step(r, r.started_at if origin is None else origin, r in weak) for r in steps),
        timeline=tuple(Mark(**e) for e in drill.timeline.as_json(relative_to=origin)),
        series=per_window(observed.requests, t0) if m else None,
        started_at=observed.started_at,
        # The monotonic clock the drill ran on, read as wall-clock time.
        injected_epoch_s=_ms(t0 + observed.epoch_offset_s) if m else None,
        drillbook=__version__,
        as_written=as_written,
        findings=(
            *(_weak_finding(r, samples=observed.samples) for r in weak),
            *(f"destroyed: {loss.describe()}" for loss in damage),
        ),
        alert=alert,
        margins=bounded,
        damage=damage,
        ledger=tuple(observed.ledger),
    )


def _verdict(
    scenario: Scenario,
    observed: Observed,
    steps: list[StepResult],
    windows: Windows,
    budget: ErrorBudget,
    as_written: AsWritten | None,
) -> tuple[Verdict, str]:
    verdict, detail = observed.drill.verdict, ""
    unrunnable = [r for r in steps if r.status in _UNRUNNABLE]
    writes = observed.writes
    if verdict in (Verdict.NO_STEADY_STATE, Verdict.NOT_DETECTED):
        pass
    elif unrunnable:
        first = unrunnable[0]
        verdict = Verdict.STEP_NOT_EXECUTABLE
        detail = f"line {first.step.line}: {first.step.text} ({first.detail})"
    elif (
        verdict is Verdict.PASSED
        and as_written is not None
        and as_written.too_slow(observed.drill.target_s)
    ):
        verdict = Verdict.NOT_RECOVERED_AS_WRITTEN
        detail = as_written.explain(observed.drill.target_s)
    if verdict is Verdict.PASSED and scenario.expect.degraded is not None:
        breach = degradation_breach(scenario, windows.degraded)
        if scenario.expect.degraded.window == "remediated" and not windows.degraded:
            breach = "the runbook's remediation outlasted the fault: nothing was served after it"
        if breach:
            verdict, detail = Verdict.DEGRADED_BEYOND_BOUNDS, breach
    if verdict is Verdict.PASSED:
        breach = impact_breach(scenario.expect, budget)
        if breach:
            verdict, detail = Verdict.IMPACT_BEYOND_BOUNDS, breach
    if verdict is Verdict.PASSED and writes is not None and writes.missing:
        verdict = Verdict.DATA_LOST
        missing = list(writes.missing)
        detail = f"{len(missing)} acknowledged writes missing, e.g. {missing[:5]}"
    failed = [r for r in steps if r.status is StepStatus.FAILED]
    if not detail and failed:
        detail = f"{len(failed)} runbook step(s) failed, first at line {failed[0].step.line}"
    return verdict, detail


def _lost_by(damage: Sequence[Loss]) -> str:
    """`; rows deleted by step line 252` when a step's reading saw rows go: where to look
    first for the missing writes (the ledger does not know which table holds them)."""
    lines = [str(d.line) for d in damage if d.line is not None and kind_of(d.what) == "rows"]
    if not lines:
        return ""
    return f"; rows deleted by step line {', '.join(dict.fromkeys(lines))}"


def _degraded_from(scenario: Scenario, drill: DrillRun) -> float | None:
    """Where a degraded window that starts at the remediation's end starts (None: with the
    fault). A run where no remediation ran (a fault absorbed unnoticed, a drill nobody
    remediated) is judged over the whole fault: no runbook promise was ever in force."""
    bounds = scenario.expect.degraded
    if bounds is None or bounds.window != "remediated":
        return None
    if drill.timeline.first("remediation started") is None:
        return None
    finished = drill.timeline.first("remediation finished")
    return math.inf if finished is None else finished


def _as_written(
    scenario: Scenario, observed: Observed, steps: list[StepResult]
) -> AsWritten | None:
    """A person's pace through the steps that ran; None when no runbook step ran."""
    drill, m = observed.drill, observed.drill.measurement
    started = drill.timeline.first("remediation started")
    finished = drill.timeline.first("remediation finished")
    if m is None or started is None or finished is None:
        return None
    projected = project(
        [r for r in steps if r.started_at >= started],
        scenario.operator,
        injected_at=m.injected_at,
        remediation=(started, finished),
        recovered_at=m.recovered_at,
        transient=drill.ended_at is not None,
    )
    judged = scenario.expect.judge == "as-written" and not observed.machine_only
    return AsWritten(projected.ttr_s, projected.shift_s, projected.steps, judged)


def _weak_verifications(steps: list[StepResult], samples: Sequence[Sample]) -> list[StepResult]:
    """Verification steps that reported success while the probe still failed."""
    times = [s.t for s in samples]  # in time order, as the probe keeps them
    return [
        r
        for r in steps
        if r.step.section is Section.VERIFICATION
        and r.status is StepStatus.OK
        and _probe_at(samples, times, r.started_at + r.duration_s) is False
    ]


def _probe_at(samples: Sequence[Sample], times: list[float], t: float) -> bool | None:
    """What the probe said last at or before `t` (None: no sample yet)."""
    i = bisect.bisect_right(times, t)
    return samples[i - 1].ok if i else None


def _weak_finding(result: StepResult, samples: Sequence[Sample]) -> str:
    done = result.started_at + result.duration_s
    healthy = next((s.t for s in samples if s.t > done and s.ok), None)
    until = "" if healthy is None else f", {healthy - done:.1f} s before it passed"
    return (
        f"line {result.step.line}: verification `{result.step.text}` reported success while "
        f"the service's probe still failed{until}: it cannot tell recovery from failure"
    )


def _runbook(runbook: Runbook | None) -> RunbookRef | None:
    if runbook is None:
        return None
    return RunbookRef(runbook.id, str(runbook.path), runbook.mttr_s, runbook.severity)


def _step(result: StepResult, origin: float, weak: bool) -> StepRecord:
    data = result.as_json(origin)
    data["actions"] = tuple(data.get("actions") or ())
    data["output"] = data.get("output") or ""
    data["detail"] = data.get("detail") or ""
    return StepRecord(**data, weak=weak)


def _ms(seconds: float | None) -> float | None:
    """Seconds to the millisecond: the precision of every figure a Result keeps."""
    return None if seconds is None else round(seconds, 3)
