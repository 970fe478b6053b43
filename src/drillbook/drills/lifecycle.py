"""One drill, end to end: steady state, fault, detection, remediation, recovery, revert.

    run = run_drill(plan, probe)                    # sync: blocks this thread
    run = await run_drill_async(plan, probe)        # async: yields to the event loop

The fault is always reverted, also when the drill fails, is interrupted or is cancelled.
Times come from the probe's monotonic samples; see drillbook.observe.measurement for the
definitions. Each step is announced as a typed event (`drillbook.drills.events`); the
timeline is one listener.

The drill is written once, as a generator that yields what it waits for (`Wait`); the two
drivers below do the waiting, one blocking, one awaiting.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any

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
from drillbook.errors import DrillbookError
from drillbook.observe.measurement import measure
from drillbook.observe.signal import Signal
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.result import TtrOrigin, Verdict

# A blocking action (run as is by run_drill, in a worker thread by run_drill_async) or, for
# run_drill_async only, a coroutine function.
Action = Callable[[], None] | Callable[[], Awaitable[None]]


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


@dataclass(frozen=True)
class WaitSteady:
    stability_s: float
    timeout_s: float
    since: float | None = None


@dataclass(frozen=True)
class WaitFailure:
    since: float
    timeout_s: float


@dataclass(frozen=True)
class SleepUntil:
    t: float  # monotonic


@dataclass(frozen=True)
class Act:
    action: Action


@dataclass(frozen=True)
class AwaitPage:
    """Wait for the runbook's alert to page; the driver sends back when it did (or None)."""

    wait: Callable[[float], float | None]
    injected_at: float


# What the drill waits for; the driver sends back the time found (steady, failure, page) or None.
Wait = WaitSteady | WaitFailure | SleepUntil | Act | AwaitPage
Drill = Generator[Wait, float | None, DrillRun]


def run_drill(
    plan: DrillPlan,
    signal: Signal,
    events: Events | None = None,
) -> DrillRun:
    """Run one drill against what `signal` judges; the fault is reverted whatever happens.

    Every phase is emitted on `events` (a new bus if None), whose timeline records them.
    """
    drill = _drill(plan, signal, events or Events())
    step: Wait | DrillRun = next(drill)
    while not isinstance(step, DrillRun):
        try:
            found = _wait(step, signal)
        except BaseException as exc:  # Ctrl-C too: the drill's `finally` reverts the fault
            step = _resume(drill, exc)
        else:
            step = _resume(drill, found)
    return step


async def run_drill_async(
    plan: DrillPlan,
    signal: Signal,
    events: Events | None = None,
) -> DrillRun:
    """`run_drill` for async code: the waits are awaited, so the probe's tasks run on.

    Blocking actions (a Docker call) run in a worker thread; coroutine functions are awaited.
    Cancelling the drill reverts the fault: an action already running in a thread is let
    finish first (a thread cannot be stopped, and a revert must not race a remediation).
    """
    drill = _drill(plan, signal, events or Events())
    step: Wait | DrillRun = next(drill)
    while not isinstance(step, DrillRun):
        try:
            found = await _wait_async(step, signal)
        except BaseException as exc:  # cancellation too
            step = _resume(drill, exc)
        else:
            step = _resume(drill, found)
    return step


def _resume(drill: Drill, outcome: float | BaseException | None) -> Wait | DrillRun:
    """The drill's next wait, or its DrillRun, after `outcome`: what the last wait found, or
    what it raised (thrown into the drill, whose `finally` may still yield the revert)."""
    try:
        if isinstance(outcome, BaseException):
            return drill.throw(outcome)
        return drill.send(outcome)
    except StopIteration as done:
        run: DrillRun = done.value
        return run


def _wait(wait: Wait, signal: Signal) -> float | None:
    match wait:
        case WaitSteady(stability_s, timeout_s, since):
            return signal.wait_steady(stability_s, timeout_s, since)
        case WaitFailure(since, timeout_s):
            return signal.wait_failure(since, timeout_s)
        case SleepUntil(t):
            time.sleep(max(0.0, t - time.monotonic()))
        case AwaitPage(wait_for_page, injected_at):
            return wait_for_page(injected_at)
        case Act(action):
            if inspect.isawaitable(result := action()):
                if inspect.iscoroutine(result):
                    result.close()  # never started: nothing of it ran
                name = getattr(action, "__qualname__", repr(action))
                raise DrillbookError(f"{name} is async: run the drill with run_drill_async")
    return None


async def _wait_async(wait: Wait, signal: Signal) -> float | None:
    match wait:
        case WaitSteady(stability_s, timeout_s, since):
            return await signal.wait_steady_async(stability_s, timeout_s, since)
        case WaitFailure(since, timeout_s):
            return await signal.wait_failure_async(since, timeout_s)
        case SleepUntil(t):
            await asyncio.sleep(max(0.0, t - time.monotonic()))
        case AwaitPage(wait_for_page, injected_at):
            paged: float | None = await _in_thread(lambda: wait_for_page(injected_at))
            return paged
        case Act(action):
            if inspect.iscoroutinefunction(action):
                await action()
            elif inspect.isawaitable(result := await _in_thread(action)):
                await result  # a plain function that returned a coroutine
    return None


async def _in_thread(action: Callable[[], Any]) -> Any:
    """Run a blocking action in a worker thread and see it end, even when cancelled meanwhile."""
    work = asyncio.ensure_future(asyncio.to_thread(action))
    interrupted = False
    while not work.done():
        try:
            await asyncio.wait({work})
        except asyncio.CancelledError:
            interrupted = True
    if interrupted:
        raise asyncio.CancelledError
    return work.result()


def _drill(plan: DrillPlan, signal: Signal, bus: Events) -> Drill:
    """The drill itself: yields each wait, gets what was found; returns the DrillRun."""
    timeline = bus.timeline
    name = plan.name
    ended_at: float | None = None
    origin: float | None = None  # where the target counts from, and which origin it is
    origin_kind: TtrOrigin = "fault"

    def done(verdict: Verdict, injected_at: float | None) -> DrillRun:
        m = None
        if injected_at is not None:
            m = measure(signal.samples(), injected_at, plan.stability_s)
        return DrillRun(
            name, verdict, m, plan.target_s, timeline, ended_at, origin or injected_at, origin_kind
        )

    steady = yield WaitSteady(plan.stability_s, plan.steady_timeout_s)
    if steady is None:
        bus.emit(NoSteadyState(drill=name, within_s=plan.steady_timeout_s))
        return done(Verdict.NO_STEADY_STATE, None)
    bus.emit(SteadyState(drill=name, held_s=plan.stability_s))
    if plan.before_inject is not None:
        yield Act(plan.before_inject)

    injected_at = bus.emit(FaultInjected(drill=name))
    try:
        yield Act(plan.inject)
        watch_s = plan.detect_within_s
        if plan.lasts_s is not None:
            watch_s = min(watch_s, plan.lasts_s)
        detected = yield WaitFailure(injected_at, watch_s)
        if detected is None and not (plan.lasts_s is not None and plan.may_absorb):
            bus.emit(NotDetected(drill=name, within_s=plan.detect_within_s))
            return done(Verdict.NOT_DETECTED, injected_at)
        origin = injected_at
        if detected is not None:
            bus.emit(Detected(drill=name, t=detected))
            respond_from = detected
            paged = None
            if plan.await_page is not None:
                paged = yield AwaitPage(plan.await_page, injected_at)
            if paged is not None:
                origin = respond_from = bus.emit(Paged(drill=name, t=paged))
                origin_kind = "page"
            if plan.remediate is not None:
                yield SleepUntil(respond_from + plan.respond_after_s)
                bus.emit(RemediationStarted(drill=name))
                yield Act(plan.remediate)
                bus.emit(RemediationFinished(drill=name))
        if plan.lasts_s is not None:
            # A transient fault ends by itself; recovery is timed from its end.
            yield SleepUntil(injected_at + plan.lasts_s)
            yield Act(plan.revert)
            ended_at = origin = bus.emit(FaultEnded(drill=name, after_s=plan.lasts_s))
            origin_kind = "fault end"
        if detected is None:
            bus.emit(Absorbed(drill=name))
            return done(Verdict.PASSED, injected_at)
        # Recovery must start within the target and then be seen to hold for the window.
        deadline = origin + plan.target_s + plan.stability_s
        recovered = yield WaitSteady(
            plan.stability_s, max(0.0, deadline - time.monotonic()), since=detected
        )
        if recovered is None or recovered - origin > plan.target_s:
            bus.emit(NotRecovered(drill=name, target_s=plan.target_s))
            return done(Verdict.NOT_RECOVERED, injected_at)
        bus.emit(Recovered(drill=name, t=recovered, stability_s=plan.stability_s))
        return done(Verdict.PASSED, injected_at)
    finally:
        yield Act(plan.revert)
        if ended_at is None:
            bus.emit(FaultReverted(drill=name))
