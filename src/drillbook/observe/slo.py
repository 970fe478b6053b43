"""Service-level objectives of the load, laid over a probe: steady state as users see it.

A probe sample passes only if the probe passed *and* the requests the load made in the
window before it met the SLO: error rate and p95 latency. With too few requests in the
window to judge, the probe alone decides.

Entered (`with` or `async with`), the signal reads the load's request log as it grows, a
task beside the probe's on the same loop, so that a look at the samples only has the last
lines to read; otherwise each look reads all that is new.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from drillbook.load import LoadRun, Request
from drillbook.observe.loop import Watcher
from drillbook.observe.measurement import Sample
from drillbook.observe.signal import Signal
from drillbook.observe.stats import percentile

# How often the loop's task reads the request log. A drill polling the signal reads it each
# period anyway (`samples` refreshes first); the task only keeps the backlog short while
# nobody polls (a long runbook step). Seldom, because the reading is work on the loop the
# probe's sends wait behind.
FEED_PERIOD_S = 1.0


@dataclass(frozen=True)
class Slo:
    max_error_rate: float = 0.05
    max_p95_ms: float = 2000.0
    window_s: float = 2.0
    min_requests: int = 5


def error_rate_and_p95(requests: Sequence[Request]) -> tuple[float, float]:
    """The share of failed requests and the p95 latency (ms) of a non-empty set of requests."""
    return sum(not r.ok for r in requests) / len(requests), percentile([r.ms for r in requests], 95)


def judge(samples: Sequence[Sample], requests: Sequence[Request], slo: Slo) -> list[Sample]:
    """The samples, each failed where the load's requests ending in the window broke the SLO."""
    ordered = sorted(requests, key=lambda r: r.end)
    ends = [r.end for r in ordered]
    judged = []
    for s in samples:
        lo = bisect.bisect_right(ends, s.t - slo.window_s)
        hi = bisect.bisect_right(ends, s.t)
        window = ordered[lo:hi]
        if not s.ok or len(window) < slo.min_requests:
            judged.append(s)
            continue
        error_rate, p95 = error_rate_and_p95(window)
        if error_rate > slo.max_error_rate:
            judged.append(replace(s, ok=False, error=f"error rate {error_rate:.0%}"))
        elif p95 > slo.max_p95_ms:
            judged.append(replace(s, ok=False, error=f"p95 {p95:.0f} ms"))
        else:
            judged.append(s)
    return judged


def _end(request: Request) -> float:
    return request.end


class RequestFeed:
    """The load's requests, read from its log as it grows, kept in order of their end."""

    def __init__(self, load: LoadRun) -> None:
        self.load = load
        self._read = 0  # how many of the load's requests are in `_requests`
        self._requests: list[Request] = []
        self._lock = threading.Lock()

    def refresh(self, wait: bool = True) -> None:
        """Take in what the load logged since the last refresh; with `wait=False`, only if
        nobody else is doing it right now."""
        if not self._lock.acquire(blocking=wait):
            return
        try:
            new = self.load.requests(self._read)
            self._read += len(new)
            self._take(sorted(new, key=_end))
        finally:
            self._lock.release()

    def _take(self, batch: list[Request]) -> None:
        # Requests are logged as they end, so a batch nearly always goes after what is kept;
        # only the kept tail it overlaps (several workers' logs) is merged. A request at a
        # time: a first look at a long log was seen to hold the loop for 100 ms and more.
        if not batch:
            return
        kept = self._requests
        at = bisect.bisect_right(kept, batch[0].end, key=_end)
        tail = kept[at:]
        del kept[at:]
        kept.extend(heapq.merge(tail, batch, key=_end) if tail else batch)

    def ending_after(self, t: float) -> list[Request]:
        """The requests that ended after `t`, in order of their end."""
        with self._lock:
            return self._requests[bisect.bisect_right(self._requests, t, key=_end) :]


class SloSignal(Signal, Watcher):
    """A probe judged together with the live load against an SLO."""

    def __init__(self, probe: Signal, load: LoadRun, slo: Slo) -> None:
        self.probe = probe
        self.load = load
        self.slo = slo
        self.period_s = probe.period_s
        self.feed = RequestFeed(load)

    def task_name(self) -> str:
        return f"request log {self.load.request_log}"

    async def watch(self) -> None:
        while True:
            # Never block the loop on the lock: the probe's sends share it. Whoever holds
            # the lock is reading the same lines.
            self.feed.refresh(wait=False)
            await asyncio.sleep(FEED_PERIOD_S)

    def samples(self, since: float = -math.inf) -> list[Sample]:
        self.feed.refresh()  # the last lines too: a judgement must not lag the log by a period
        requests = self.feed.ending_after(since - self.slo.window_s)
        return judge(self.probe.samples(since), requests, self.slo)
