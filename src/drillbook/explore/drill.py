"""One explored drill: a schedule run on the live stack under load, and the promises checked.

The promises, in the order they are checked:
1. degraded modes: in every wait, queries answered while the faults in allow it (`oracle`);
2. steady state back within the target after the last revert or remediation;
3. no fault left behind (`find_leftovers`);
4. acknowledged writes kept (every write the load had acknowledged, looked up).
Every fault is reverted in a `finally`, also when the drill is interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from drillbook.errors import DrillbookError
from drillbook.explore.oracle import Breach, judge_window
from drillbook.explore.plan import Canonical, Hold, Inject, Remediate
from drillbook.faults import Fault, find_leftovers, make_fault
from drillbook.load import LoadRun, missing_writes
from drillbook.runbooks.executor import Executor
from drillbook.runbooks.model import Runbook, Section
from drillbook.stack import Stack

SETTLE_S = 0.5  # a hold is judged from this long after its start: requests in flight land
TAIL_S = 2.0  # faults still in after the last step are held this long (see plan.timed)


@dataclass(frozen=True)
class Outcome:
    """What one drill found: the promise broken first (None: all kept) and its details."""

    promise: str | None = None  # "degraded-mode", "recovery", "leftovers", "writes"
    detail: str = ""
    seconds: float = 0.0
    degraded_checked: bool = False  # whether a wait was judged against the degraded modes
    breaches: tuple[Breach, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return self.promise is not None


def _ready(url: str) -> bool:
    try:
        response = httpx.get(url + "/ready", timeout=2.0)
        return bool(response.status_code == 200 and response.json().get("status") == "ready")
    except (httpx.HTTPError, ValueError):
        return False


def wait_steady(url: str, stability_s: float, timeout_s: float) -> float | None:
    """Seconds until /ready said "ready" for `stability_s` in a row; None past the timeout."""
    start = time.monotonic()
    held_since: float | None = None
    while time.monotonic() - start < timeout_s:
        now = time.monotonic()
        if _ready(url):
            held_since = held_since or now
            if now - held_since >= stability_s:
                return held_since - start
        else:
            held_since = None
        time.sleep(0.1)
    return None


class Driller:
    """Runs schedules on one stack under one load; `run` is one drill."""

    def __init__(
        self,
        stack: Stack,
        load: LoadRun,
        runbooks: Mapping[str, Runbook],
        *,
        target_s: float = 30.0,
        stability_s: float = 2.0,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.stack = stack
        self.load = load
        self.runbooks = dict(runbooks)
        self.target_s = target_s
        self.stability_s = stability_s
        self.say = say
        self.url = stack.service(load_service(stack)).url
        self._checked_acks = 0

    def run(self, schedule: Canonical) -> Outcome:
        started = time.monotonic()
        if wait_steady(self.url, self.stability_s, 90.0) is None:
            raise DrillbookError(
                "the stack is not in steady state before a drill (/ready not 'ready' for 90 s)",
                "a drill before may have broken it for good: look at `drillbook stack status`",
            )
        faults: dict[Inject, Fault[Any]] = {}
        breaches: list[Breach] = []
        judged = False
        try:
            for step in schedule.steps:
                if isinstance(step, Inject):
                    faults[step] = make_fault(self.stack, step.kind, **dict(step.params))
                    faults[step].inject()
                elif isinstance(step, tuple):
                    faults.pop(step[1]).revert()
                elif isinstance(step, Hold):
                    breaches += self.hold(step.seconds, list(faults))
                    judged = judged or bool(faults)
                elif isinstance(step, Remediate):
                    self.remediate(step)
            # What is still in at the end is held a moment too before the finalizer: the
            # last fault injected is judged even when no hold followed it.
            if faults:
                breaches += self.hold(TAIL_S, list(faults))
                judged = True
        finally:
            unreverted = self.revert_all(list(faults.values()))
        promise, detail = ("revert", unreverted) if unreverted else self.check_after(breaches)
        return Outcome(
            promise, detail, round(time.monotonic() - started, 1), judged, tuple(breaches)
        )

    def hold(self, seconds: float, active: list[Inject]) -> list[Breach]:
        """Keep the faults in for `seconds`; the breach of the degraded modes, if any."""
        begin = time.monotonic()
        time.sleep(seconds)
        breach = judge_window(self.load.requests(), begin + SETTLE_S, time.monotonic(), active)
        return [breach] if breach else []

    def revert_all(self, faults: list[Fault[Any]]) -> str:
        """Revert every fault, newest first, each whatever the others do; what failed."""
        failed = []
        for fault in reversed(faults):
            try:
                fault.revert()
            except DrillbookError as exc:
                failed.append(f"{fault.describe()}: {exc.message}")
        return "; ".join(failed)

    def remediate(self, step: Remediate) -> None:
        # Written waits are polls capped at a few seconds: a drill of the search is short.
        executor = Executor(self.stack, sections=(Section.RESOLUTION,), wait_cap_s=5.0)
        executor.run(self.runbooks[step.runbook])

    def check_after(self, breaches: list[Breach]) -> tuple[str | None, str]:
        """The promises after the last revert, first broken first."""
        if breaches:
            return "degraded-mode", breaches[0].describe()
        took = wait_steady(self.url, self.stability_s, self.target_s + self.stability_s)
        if took is None or took > self.target_s:
            return "recovery", f"not back to steady state within {self.target_s:g} s"
        left = find_leftovers(self.stack)
        if left:
            return "leftovers", "; ".join(left)
        acks = self.load.acks()
        missing = missing_writes(self.stack, [a.id for a in acks[self._checked_acks :]])
        self._checked_acks = len(acks)
        if missing:
            return "writes", f"{len(missing)} acknowledged writes missing, e.g. {missing[:5]}"
        return None, ""


def load_service(stack: Stack) -> str:
    """The service the users' load goes to: the source of the stack's links."""
    sources = [link.source for link in stack.spec.links]
    return sources[0] if sources else "api"
