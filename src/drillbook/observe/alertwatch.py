"""AlertWatch: Prometheus' active alerts polled every `period_s` (≤ 1 s), and the pager's
notifications, side by side on the monotonic clock, for the length of a drill.

    with AlertWatch(prometheus, pager, period_s=0.25) as watch:
        watch.wait_quiet(30)        # no alert left from before
        ...inject...
        watch.wait_page("RedisDown", since=t0, timeout_s=10)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from drillbook.errors import DrillbookError
from drillbook.observe.alerts import Page, Poll, alert_times
from drillbook.observe.pager import Pager
from drillbook.observe.prometheus import Prometheus


class AlertWatch:
    """Polls and pages of one drill; both lists only grow."""

    def __init__(self, prometheus: Prometheus, pager: Pager, period_s: float = 0.25) -> None:
        if not 0 < period_s <= 1.0:
            raise DrillbookError(f"alert polling period {period_s} s: must be in (0, 1]")
        self.prometheus, self.pager, self.period_s = prometheus, pager, period_s
        self._polls: list[Poll] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failures = 0  # polls Prometheus did not answer

    def polls(self) -> list[Poll]:
        with self._lock:
            return list(self._polls)

    def pages(self) -> list[Page]:
        return self.pager.pages()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                alerts = self.prometheus.active_alerts()
            except (httpx.HTTPError, DrillbookError, KeyError, ValueError):
                self.failures += 1
            else:
                with self._lock:
                    self._polls.append(Poll(started, alerts))
            self._stop.wait(max(0.0, started + self.period_s - time.monotonic()))

    def _until(self, found: Callable[[], float | None], timeout_s: float) -> float | None:
        deadline = time.monotonic() + timeout_s
        while True:
            at = found()
            if at is not None or time.monotonic() >= deadline:
                return at
            time.sleep(min(self.period_s, max(0.0, deadline - time.monotonic())))

    def wait_quiet(self, timeout_s: float) -> frozenset[str]:
        """Wait until Prometheus holds no active alert; returns those still active at the end."""
        self._until(lambda: self._last_empty(), timeout_s)
        polls = self.polls()
        return frozenset(a.name for a in polls[-1].alerts) if polls else frozenset()

    def _last_empty(self) -> float | None:
        polls = self.polls()
        return polls[-1].t if polls and not polls[-1].alerts else None

    def wait_page(self, name: str, since: float, timeout_s: float) -> float | None:
        """The arrival of the first firing page of `name` after `since`, waiting for it."""
        return self._until(
            lambda: alert_times(self.polls(), self.pages(), name, since).notified_at, timeout_s
        )

    def wait_resolved(self, name: str, since: float, timeout_s: float) -> float | None:
        """When `name`, having fired after `since`, was first seen resolved, waiting for it."""
        return self._until(
            lambda: alert_times(self.polls(), self.pages(), name, since).resolved_at, timeout_s
        )

    def start(self) -> AlertWatch:
        self._thread = threading.Thread(target=self._run, name="alert-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> AlertWatch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
