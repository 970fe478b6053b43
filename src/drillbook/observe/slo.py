"""Service-level objectives of the load, laid over a probe: steady state as users see it.

A probe sample passes only if the probe passed *and* the requests the load made in the
window before it met the SLO: error rate and p95 latency. With too few requests in the
window to judge, the probe alone decides.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from drillbook.load import LoadRun, Request
from drillbook.observe.measurement import Sample
from drillbook.observe.signal import Signal
from drillbook.observe.stats import percentile


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


class SloSignal(Signal):
    """A probe judged together with the live load against an SLO."""

    def __init__(self, probe: Signal, load: LoadRun, slo: Slo) -> None:
        self.probe = probe
        self.load = load
        self.slo = slo
        self.period_s = probe.period_s

    def samples(self, since: float = -math.inf) -> list[Sample]:
        requests = [r for r in self.load.requests() if r.end > since - self.slo.window_s]
        return judge(self.probe.samples(since), requests, self.slo)
