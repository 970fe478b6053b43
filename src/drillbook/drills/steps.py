"""Runbook steps as drill events: the executor tells, the bus announces."""

from __future__ import annotations

from dataclasses import dataclass

from drillbook.drills.events import Events, StepFinished, StepStarted
from drillbook.runbooks.executor import StepResult
from drillbook.runbooks.model import Step


@dataclass(frozen=True)
class StepEvents:
    """A `StepObserver` emitting StepStarted / StepFinished for drill `drill` on `bus`."""

    drill: str
    bus: Events

    def started(self, step: Step) -> None:
        self.bus.emit(StepStarted(drill=self.drill, step=step))

    def finished(self, result: StepResult) -> None:
        self.bus.emit(StepFinished(drill=self.drill, result=result))
