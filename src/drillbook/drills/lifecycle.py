"""One drill, end to end: steady state, fault, detection, remediation, recovery, revert.

    run = run_drill(plan, probe)

The fault is always reverted, also when the drill fails or is interrupted. Times come from
the probe's monotonic samples; see drillbook.observe.measurement for the definitions. Each
step is announced as a typed event (`drillbook.drills.events`); the timeline is one listener.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from drillbook.drills.events import (
    Absorbed,
    Detected,
    Events,
    FaultEnded,
    FaultInjected,
    FaultReverted,
    NoSteadyState,
    NotDetected,
    NotRecovered,
    Paged,
    Recovered,
    RemediationFinished,
    RemediationStarted,
    SteadyState,
)
from drillbook.observe.measurement import measure
from drillbook.observe.signal import Signal
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.result import Verdict

Action = Callable[[], None]


@dataclass(frozen=True)
class DrillPlan:
    """What to break, how to fix it, and how fast the fix must hold.

    `remediate` is the runbook's resolution; None means nobody acts (the fault stays until
    the drill ends), which is how a drill proves it can fail. `respond_after_s` is the time
    from detection to the first remediation step: an on-call engineer acknowledging the page.
    With `lasts_s`, the fault is transient: it ends by itself after that long and the target
    counts from its end. A fault no probe noticed is "not detected" (a failure: the fault may
    not have worked), unless `may_absorb` says the service is meant to ride it out unnoticed.
    """

    name: str
    inject: Action
    revert: Action
    remediate: Action | None
    target_s: float
    detect_within_s: float = 10.0
    stability_s: float = 5.0
    steady_timeout_s: float = 60.0
    respond_after_s: float = 0.0
    lasts_s: float | None = None  # a transient fault: drillbook ends it after this long
    before_inject: Action | None = None  # runs in steady state, just before the fault
    may_absorb: bool = False  # a transient fault nobody noticed passes
    # The page: given the injection time, waits for the runbook's alert to page and returns
    # its arrival (None: no page came). When set, the responder starts at the page and the
    # target counts from it, as a runbook's MTTR target means (scenario `clock: page`).
    await_page: Callable[[float], float | None] | None = None


def run_drill(
    plan: DrillPlan,
    signal: Signal,
    events: Events | None = None,
) -> DrillRun:
    """Run one drill against what `signal` judges; the fault is reverted whatever happens.

    Every phase is emitted on `events` (a new bus if None), whose timeline records them.
    """
    bus = events or Events()
    timeline = bus.timeline
    name = plan.name
    ended_at: float | None = None

    def done(verdict: Verdict, injected_at: float | None) -> DrillRun:
        m = None
        if injected_at is not None:
            m = measure(signal.samples(), injected_at, plan.stability_s)
        return DrillRun(name, verdict, m, plan.target_s, timeline, ended_at)

    steady = signal.wait_steady(plan.stability_s, plan.steady_timeout_s)
    if steady is None:
        bus.emit(NoSteadyState(drill=name, within_s=plan.steady_timeout_s))
        return done(Verdict.NO_STEADY_STATE, None)
    bus.emit(SteadyState(drill=name, held_s=plan.stability_s))
    if plan.before_inject is not None:
        plan.before_inject()

    injected_at = bus.emit(FaultInjected(drill=name))
    try:
        plan.inject()
        watch_s = plan.detect_within_s
        if plan.lasts_s is not None:
            watch_s = min(watch_s, plan.lasts_s)
        detected = signal.wait_failure(injected_at, watch_s)
        if detected is None and not (plan.lasts_s is not None and plan.may_absorb):
            bus.emit(NotDetected(drill=name, within_s=plan.detect_within_s))
            return done(Verdict.NOT_DETECTED, injected_at)
        origin = injected_at
        if detected is not None:
            bus.emit(Detected(drill=name, t=detected))
            respond_from = detected
            paged = plan.await_page(injected_at) if plan.await_page is not None else None
            if paged is not None:
                origin = respond_from = bus.emit(Paged(drill=name, t=paged))
            if plan.remediate is not None:
                time.sleep(max(0.0, respond_from + plan.respond_after_s - time.monotonic()))
                bus.emit(RemediationStarted(drill=name))
                plan.remediate()
                bus.emit(RemediationFinished(drill=name))
        if plan.lasts_s is not None:
            # A transient fault ends by itself; recovery is timed from its end.
            time.sleep(max(0.0, injected_at + plan.lasts_s - time.monotonic()))
            plan.revert()
            ended_at = origin = bus.emit(FaultEnded(drill=name, after_s=plan.lasts_s))
        if detected is None:
            bus.emit(Absorbed(drill=name))
            return done(Verdict.PASSED, injected_at)
        # Recovery must start within the target and then be seen to hold for the window.
        deadline = origin + plan.target_s + plan.stability_s
        recovered = signal.wait_steady(
            plan.stability_s, max(0.0, deadline - time.monotonic()), since=detected
        )
        if recovered is None or recovered - origin > plan.target_s:
            bus.emit(NotRecovered(drill=name, target_s=plan.target_s))
            return done(Verdict.NOT_RECOVERED, injected_at)
        bus.emit(Recovered(drill=name, t=recovered, stability_s=plan.stability_s))
        return done(Verdict.PASSED, injected_at)
    finally:
        plan.revert()
        if ended_at is None:
            bus.emit(FaultReverted(drill=name))
