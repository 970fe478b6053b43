"""Timeline: what happened during a drill, on the monotonic clock the probes use."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    t: float
    kind: str
    detail: str = ""


@dataclass
class Timeline:
    """Events in order of recording. `mark` is thread-safe and returns the event's time."""

    origin: float = field(default_factory=time.monotonic)
    events: list[Event] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def mark(self, kind: str, detail: str = "", t: float | None = None) -> float:
        at = time.monotonic() if t is None else t
        with self._lock:
            self.events.append(Event(at, kind, detail))
        return at

    def first(self, kind: str) -> float | None:
        """The time of the first event of `kind`, or None."""
        with self._lock:
            return next((e.t for e in self.events if e.kind == kind), None)

    def as_json(self, relative_to: float | None = None) -> list[dict[str, Any]]:
        zero = self.origin if relative_to is None else relative_to
        return [
            {"t": round(e.t - zero, 3), "kind": e.kind, "detail": e.detail}
            for e in sorted(self.events, key=lambda e: e.t)
        ]
