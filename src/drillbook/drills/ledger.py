"""The damage ledger of one drill: the stack's stores counted just before the fault, as the
runbook starts (so what the fault destroyed is not put on the first step) and after every
runbook step that ran, and each loss announced as it is seen.

    watch = LedgerWatch.start(stack, "redis-down", bus)   # finds the stores (once per stack)
    watch.baseline()                                       # just before the fault
    Executor(stack, on_step=Both(StepEvents(...), watch))  # as the runbook starts, and
                                                           # after each step that ran

See `drillbook.outcome.damage` for what counts as a loss and `drillbook.observe.inventory` for
how the stores are found and counted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from drillbook.drills.events import Damaged, Events
from drillbook.observe.inventory import Store, count, discover
from drillbook.outcome.damage import Ledger, Loss, Reading
from drillbook.runbooks.executor import StepObserver, StepResult
from drillbook.runbooks.model import Step
from drillbook.runbooks.status import StepStatus
from drillbook.stack.backend import StackBackend

# What a step that ran (or waited: the system acts meanwhile) left behind is counted; a
# manual, refused or skipped one ran nothing, so a loss seen next is not put on it.
_RAN = (StepStatus.OK, StepStatus.FAILED, StepStatus.WAITED)
# Which stores each stack has: found once, as the first drill on it starts.
_STORES: dict[str, tuple[Store, ...]] = {}


def stores_of(stack: StackBackend) -> tuple[Store, ...]:
    """The stack's stores, asked of its services the first time (never fails a drill)."""
    if stack.run_id not in _STORES:
        try:
            _STORES[stack.run_id] = discover(stack)
        except Exception:  # a ledger that cannot look is empty, not a broken drill
            _STORES[stack.run_id] = ()
    return _STORES[stack.run_id]


@dataclass
class LedgerWatch:
    """A `StepObserver` taking a reading after each step that ran; losses go on the bus."""

    stack: StackBackend
    drill: str
    bus: Events
    stores: tuple[Store, ...]
    ledger: Ledger = field(default_factory=Ledger)
    _told: int = 0

    @classmethod
    def start(
        cls, stack: StackBackend, drill: str, bus: Events, *, enabled: bool = True
    ) -> LedgerWatch:
        return cls(stack, drill, bus, stores_of(stack) if enabled else ())

    def baseline(self) -> None:
        """The reading every later one is compared with: just before the fault."""
        self._read("before the fault", None, "")

    def started(self, step: Step) -> None:
        # Once, as the runbook starts: what the fault itself destroyed is not put on step 1.
        if len(self.ledger.readings) == 1:
            self._read("when the runbook started", None, "")

    def finished(self, result: StepResult) -> None:
        if result.status in _RAN and self.ledger.readings:
            self._read(f"line {result.step.line}", result.step.line, result.step.text)

    def losses(self) -> tuple[Loss, ...]:
        return self.ledger.losses()

    def _read(self, label: str, line: int | None, text: str) -> None:
        if not self.stores:
            return
        start = time.monotonic()
        counts = count(self.stack, self.stores)
        took = time.monotonic() - start
        self.ledger.add(Reading(label, line, text, counts, start, took))
        found = self.ledger.losses()
        for loss in found[self._told :]:
            self.bus.emit(Damaged(drill=self.drill, loss=loss))
        self._told = len(found)


@dataclass(frozen=True)
class Both:
    """Two step observers as one (the executor takes one)."""

    first: StepObserver
    second: StepObserver

    def started(self, step: Step) -> None:
        self.first.started(step)
        self.second.started(step)

    def finished(self, result: StepResult) -> None:
        self.first.finished(result)
        self.second.finished(result)
