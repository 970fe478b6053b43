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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from drillbook.errors import DrillbookError
from drillbook.explore.oracle import (
    MIN_JUDGED,
    PROVIDERS,
    Breach,
    judge_window,
    must_answer_queries,
    queries_in,
    touched,
)
from drillbook.explore.plan import Act, Canonical, Hold, Inject, Remediate
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
    # The largest share of failed queries in a wait where the degraded modes promised
    # answers: what the search steers towards (`hypothesis.target`).
    pressure: float = 0.0

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
        # Whether the last drill ended with every promise kept: then the stack was seen in
        # steady state a moment ago, and the next drill need not wait for it again.
        self._kept = False
        self._windows: list[tuple[Breach | None, float]] = []  # this drill's judged waits
        self._open_until = 0.0  # until when a provider's breaker may still be open
        self.breaker_reset_s = breaker_reset_s(stack.spec.services[load_service(stack)].env)

    def run(self, schedule: Canonical) -> Outcome:
        started = time.monotonic()
        if not self._kept and wait_steady(self.url, self.stability_s, 90.0) is None:
            raise DrillbookError(
                "the stack is not in steady state before a drill (/ready not 'ready' for 90 s)",
                "a drill before may have broken it for good: look at `drillbook stack status`",
            )
        self._kept = False
        self._open_until = 0.0
        faults: dict[Inject, Fault[Any]] = {}
        self._windows = []
        try:
            for step in with_tail(schedule.steps):
                if isinstance(step, Inject):
                    faults[step] = make_fault(self.stack, step.kind, **dict(step.params))
                    faults[step].inject()
                elif isinstance(step, tuple):
                    faults.pop(step[1]).revert()
                    if touched(step[1]) in PROVIDERS:
                        # Its breaker stays open until its reset time has passed.
                        self._open_until = time.monotonic() + self.breaker_reset_s
                elif isinstance(step, Hold):
                    self.hold(step.seconds, list(faults))
                elif isinstance(step, Remediate):
                    self.remediate(step)
        finally:
            unreverted = self.revert_all(list(faults.values()))
        breaches = [b for b, _ in self._windows if b is not None]
        promise, detail = ("revert", unreverted) if unreverted else self.check_after(breaches)
        self._kept = promise is None
        pressure = max((share for _, share in self._windows), default=0.0)
        took = round(time.monotonic() - started, 1)
        return Outcome(promise, detail, took, bool(self._windows), tuple(breaches), pressure)

    def hold(self, seconds: float, active: list[Inject]) -> None:
        """Keep the faults in for `seconds`; a window judged when they promise answers."""
        begin = time.monotonic()
        time.sleep(seconds)
        if not active or not must_answer_queries(active):
            return
        start, end = max(begin + SETTLE_S, self._open_until), time.monotonic()
        requests = self.load.requests()
        failed, judged = queries_in(requests, start, end)
        share = failed / judged if judged >= MIN_JUDGED else 0.0
        self._windows.append((judge_window(requests, start, end, active), share))

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


def breaker_reset_s(env: Mapping[str, str]) -> float:
    """How long the api's circuit breaker on a provider stays open once it has opened (its
    documented BREAKER_RESET_S, 10 s unset): after a provider fault is reverted, the fallback
    mode promises answers again only once this has passed."""
    try:
        return float(env.get("BREAKER_RESET_S", "10"))
    except ValueError:
        return 10.0


def with_tail(steps: Sequence[Act]) -> list[Act]:
    """The steps as run: faults still in after the last step are held `TAIL_S` more, in the
    last wait when the schedule ends on one (one longer window judges more queries), so the
    last fault injected is judged even when no wait followed it (`plan.timed` agrees)."""
    out = list(steps)
    left: set[Inject] = set()
    for step in out:
        if isinstance(step, Inject):
            left.add(step)
        elif isinstance(step, tuple):
            left.discard(step[1])
    if not left:
        return out
    if out and isinstance(out[-1], Hold):
        out[-1] = Hold(out[-1].seconds + TAIL_S)
    else:
        out.append(Hold(TAIL_S))
    return out


def load_service(stack: Stack) -> str:
    """The service the users' load goes to: the stack's entry (see StackSpec.entry)."""
    return stack.spec.entry or "api"
