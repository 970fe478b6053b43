"""One drill, end to end: steady state, fault, detection, remediation, recovery, revert.

    result = run_drill(plan, probe)

The fault is always reverted, also when the drill fails or is interrupted. Times come from
the probe's monotonic samples; see drillbook.observe.measurement for the definitions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from drillbook.observe.measurement import measure
from drillbook.observe.signal import Signal
from drillbook.observe.timeline import Timeline
from drillbook.result import Result, Verdict

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


def run_drill(plan: DrillPlan, signal: Signal, timeline: Timeline | None = None) -> Result:
    """Run one drill against what `signal` judges; the fault is reverted whatever happens."""
    timeline = timeline or Timeline()
    ended_at: float | None = None

    def result(verdict: Verdict, injected_at: float | None) -> Result:
        m = None
        if injected_at is not None:
            m = measure(signal.samples(), injected_at, plan.stability_s)
        return Result(plan.name, verdict, m, plan.target_s, timeline, ended_at)

    steady = signal.wait_steady(plan.stability_s, plan.steady_timeout_s)
    if steady is None:
        timeline.mark("no steady state", f"within {plan.steady_timeout_s:g} s")
        return result(Verdict.NO_STEADY_STATE, None)
    timeline.mark("steady state", f"held {plan.stability_s:g} s")
    if plan.before_inject is not None:
        plan.before_inject()

    injected_at = timeline.mark("fault injected", plan.name)
    try:
        plan.inject()
        watch_s = plan.detect_within_s
        if plan.lasts_s is not None:
            watch_s = min(watch_s, plan.lasts_s)
        detected = signal.wait_failure(injected_at, watch_s)
        if detected is None and not (plan.lasts_s is not None and plan.may_absorb):
            timeline.mark("not detected", f"within {plan.detect_within_s:g} s")
            return result(Verdict.NOT_DETECTED, injected_at)
        if detected is not None:
            timeline.mark("detected", "first failing probe", t=detected)
            if plan.remediate is not None:
                time.sleep(max(0.0, detected + plan.respond_after_s - time.monotonic()))
                timeline.mark("remediation started")
                plan.remediate()
                timeline.mark("remediation finished")
        origin = injected_at
        if plan.lasts_s is not None:
            # A transient fault ends by itself; recovery is timed from its end.
            time.sleep(max(0.0, injected_at + plan.lasts_s - time.monotonic()))
            plan.revert()
            ended_at = origin = timeline.mark("fault ended", f"after {plan.lasts_s:g} s")
        if detected is None:
            timeline.mark("absorbed", "no probe failed while the fault lasted")
            return result(Verdict.PASSED, injected_at)
        # Recovery must start within the target and then be seen to hold for the window.
        deadline = origin + plan.target_s + plan.stability_s
        recovered = signal.wait_steady(
            plan.stability_s, max(0.0, deadline - time.monotonic()), since=detected
        )
        if recovered is None or recovered - origin > plan.target_s:
            timeline.mark("not recovered", f"within {plan.target_s:g} s")
            return result(Verdict.NOT_RECOVERED, injected_at)
        timeline.mark("recovered", f"steady for {plan.stability_s:g} s", t=recovered)
        return result(Verdict.PASSED, injected_at)
    finally:
        plan.revert()
        if ended_at is None:
            timeline.mark("fault reverted")
