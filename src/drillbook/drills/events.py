"""What a drill announces as it goes: typed events, and the bus that hands them out.

    bus = Events(printer, live_view.on_event)
    bus.emit(FaultInjected("redis-down", "kill redis"))

The lifecycle emits, views subscribe: the timeline, the command line's progress lines, the
game-day live clock and the pytest terminal all read these objects; nobody parses text. Every
event carries the drill's name and its time on the monotonic clock the probes use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from drillbook.observe.timeline import Timeline

if TYPE_CHECKING:
    from drillbook.outcome.damage import Loss
    from drillbook.outcome.result import Result
    from drillbook.runbooks.executor import StepResult
    from drillbook.runbooks.model import Step


def _now() -> float:
    return time.monotonic()


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that happened in drill `drill` at `t` (monotonic seconds).

    `kind` names it on the timeline (and in the result JSON); `detail()` says more, in a few
    words. Events with `on_timeline = False` are for live views only.
    """

    drill: str
    t: float = field(default_factory=_now)
    kind: ClassVar[str] = ""
    on_timeline: ClassVar[bool] = True

    def detail(self) -> str:
        return ""

    def describe(self) -> str:
        """One line for people: '<drill>: <kind> (<detail>)'."""
        detail = self.detail()
        return f"{self.drill}: {self.kind}" + (f" ({detail})" if detail else "")


@dataclass(frozen=True, kw_only=True)
class SteadyState(Event):
    held_s: float
    kind: ClassVar[str] = "steady state"

    def detail(self) -> str:
        return f"held {self.held_s:g} s"


@dataclass(frozen=True, kw_only=True)
class NoSteadyState(Event):
    within_s: float
    kind: ClassVar[str] = "no steady state"

    def detail(self) -> str:
        return f"within {self.within_s:g} s"


@dataclass(frozen=True, kw_only=True)
class BeforeFault(Event):
    """The scenario's `before_fault` steps start (a nightly backup, say)."""

    kind: ClassVar[str] = "before fault"

    def detail(self) -> str:
        return "steps started"


@dataclass(frozen=True, kw_only=True)
class FaultInjected(Event):
    kind: ClassVar[str] = "fault injected"

    def detail(self) -> str:
        return self.drill


@dataclass(frozen=True, kw_only=True)
class Detected(Event):
    kind: ClassVar[str] = "detected"

    def detail(self) -> str:
        return "first failing probe"


@dataclass(frozen=True, kw_only=True)
class Paged(Event):
    """The runbook's alert paged (Alertmanager's notification arrived): the responder starts."""

    kind: ClassVar[str] = "paged"

    def detail(self) -> str:
        return "the alert's notification arrived"


@dataclass(frozen=True, kw_only=True)
class NotDetected(Event):
    within_s: float
    kind: ClassVar[str] = "not detected"

    def detail(self) -> str:
        return f"within {self.within_s:g} s"


@dataclass(frozen=True, kw_only=True)
class RemediationStarted(Event):
    kind: ClassVar[str] = "remediation started"


@dataclass(frozen=True, kw_only=True)
class StepStarted(Event):
    """A runbook step is about to run."""

    step: Step
    kind: ClassVar[str] = "step started"
    on_timeline: ClassVar[bool] = False

    def detail(self) -> str:
        return f"line {self.step.line}: {self.step.text}"


@dataclass(frozen=True, kw_only=True)
class StepFinished(Event):
    """A runbook step ran (or was refused, or could not run)."""

    result: StepResult
    kind: ClassVar[str] = "step finished"
    on_timeline: ClassVar[bool] = False

    def detail(self) -> str:
        r = self.result
        what = r.detail or r.step.text
        return f"line {r.step.line}: {r.status} in {r.duration_s:.2f} s: {what}"


@dataclass(frozen=True, kw_only=True)
class RemediationFinished(Event):
    kind: ClassVar[str] = "remediation finished"


@dataclass(frozen=True, kw_only=True)
class FaultEnded(Event):
    """A transient fault ended by itself (drillbook reverted it on schedule)."""

    after_s: float
    kind: ClassVar[str] = "fault ended"

    def detail(self) -> str:
        return f"after {self.after_s:g} s"


@dataclass(frozen=True, kw_only=True)
class Absorbed(Event):
    kind: ClassVar[str] = "absorbed"

    def detail(self) -> str:
        return "no probe failed while the fault lasted"


@dataclass(frozen=True, kw_only=True)
class Recovered(Event):
    stability_s: float
    kind: ClassVar[str] = "recovered"

    def detail(self) -> str:
        return f"steady for {self.stability_s:g} s"


@dataclass(frozen=True, kw_only=True)
class NotRecovered(Event):
    target_s: float
    kind: ClassVar[str] = "not recovered"

    def detail(self) -> str:
        return f"within {self.target_s:g} s"


@dataclass(frozen=True, kw_only=True)
class FaultReverted(Event):
    kind: ClassVar[str] = "fault reverted"


@dataclass(frozen=True, kw_only=True)
class WritesChecked(Event):
    checked: int
    missing: int
    kind: ClassVar[str] = "writes checked"

    def detail(self) -> str:
        return f"{self.checked} checked, {self.missing} missing"


@dataclass(frozen=True, kw_only=True)
class Damaged(Event):
    """A count the stack keeps fell over a runbook step (see `drillbook.outcome.damage`)."""

    loss: Loss
    kind: ClassVar[str] = "damage"

    def detail(self) -> str:
        return self.loss.describe()


@dataclass(frozen=True, kw_only=True)
class Finished(Event):
    """The scenario's result is judged and written."""

    result: Result
    path: str = ""
    kind: ClassVar[str] = "finished"
    on_timeline: ClassVar[bool] = False

    def describe(self) -> str:
        where = f"  [{self.path}]" if self.path else ""
        return self.result.reason + where


Listener = Callable[[Event], None]


class Events:
    """The bus: every listener gets every event, in order; safe to emit from any thread.

    The bus keeps its own record, `timeline`: every event with `on_timeline` as a mark.
    """

    def __init__(self, *listeners: Listener, timeline: Timeline | None = None) -> None:
        self.timeline = timeline or Timeline()
        self._listeners = list(listeners)
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: Event) -> float:
        """Hand `event` to every listener; returns its time."""
        with self._lock:
            if event.on_timeline:
                self.timeline.mark(event.kind, event.detail(), t=event.t)
            for listener in self._listeners:
                listener(event)
        return event.t


def printer(write: Callable[[str], None]) -> Listener:
    """A listener writing one line per event (its `describe()`), for terminals and logs."""

    def listen(event: Event) -> None:
        if isinstance(event, StepStarted | StepFinished):
            write(f"{event.drill}:   {event.kind}: {event.detail()}")
        else:
            write(event.describe())

    return listen
