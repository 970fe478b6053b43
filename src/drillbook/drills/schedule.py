"""Several faults on a schedule, injected and reverted as one: a multi-fault scenario's fault.

    schedule = FaultSchedule([(fault_a, 0.0, None), (fault_b, 3.0, 5.0)])
    schedule.inject()   # fault_a now; fault_b 3 s later, reverted 5 s after that
    ...
    schedule.revert()   # stops the timer and reverts every fault still in, newest first

The lifecycle calls `inject()` and `revert()` as it does for one fault: the faults after the
first come from a timer thread, so detection is watched from the first injection on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from drillbook.errors import DrillbookError
from drillbook.faults import Fault

# (fault, seconds after the first injection, seconds it lasts or None: until revert())
Timed = tuple[Fault[Any], float, float | None]


class FaultSchedule:
    """Faults injected at their times and reverted at their ends, or all at `revert()`."""

    def __init__(self, timed: Sequence[Timed]) -> None:
        if not timed:
            raise ValueError("a schedule needs at least one fault")
        self._timed = sorted(timed, key=lambda t: t[1])
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()  # one fault action at a time: timer vs revert()

    @property
    def faults(self) -> list[Fault[Any]]:
        return [f for f, _, _ in self._timed]

    def _actions(self) -> list[tuple[float, bool, Fault[Any]]]:
        """(time, inject?, fault) in time order; at equal times reverts come first."""
        actions = [(at, True, f) for f, at, _ in self._timed]
        actions += [(at + lasts, False, f) for f, at, lasts in self._timed if lasts is not None]
        return sorted(actions, key=lambda a: (a[0], a[1]))

    def inject(self) -> None:
        """Inject what is due at 0 now, and start the timer for the rest."""
        start = time.monotonic()
        actions = self._actions()
        now = [a for a in actions if a[0] <= 0]
        for _, _, fault in now:
            fault.inject()
        later = actions[len(now) :]
        if later:
            self._thread = threading.Thread(
                target=self._run, args=(start, later), name="drillbook-schedule", daemon=True
            )
            self._thread.start()

    def _run(self, start: float, actions: list[tuple[float, bool, Fault[Any]]]) -> None:
        for at, inject, fault in actions:
            if self._stop.wait(max(0.0, start + at - time.monotonic())):
                return
            try:
                with self._lock:
                    if self._stop.is_set():
                        return
                    fault.inject() if inject else fault.revert()
            except BaseException as exc:  # re-raised by revert(), in the drill's own thread
                self._error = exc
                return

    def revert(self) -> None:
        """Stop the timer and revert every fault, newest first; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            failures = []
            for fault in reversed(self.faults):
                try:
                    fault.revert()
                except DrillbookError as exc:
                    failures.append(exc)
        if failures:
            raise failures[0]
        error, self._error = self._error, None
        if error is not None:
            raise DrillbookError(f"a scheduled fault failed: {error}") from error

    def describe(self) -> str:
        return " + ".join(
            f"{f.describe()} at {at:g} s" + (f" for {lasts:g} s" if lasts is not None else "")
            for f, at, lasts in self._timed
        )
