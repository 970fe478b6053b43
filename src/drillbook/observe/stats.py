"""Latency and error statistics over recorded requests (pure; no I/O)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drillbook.load import Request


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within 0..100, got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    name: str
    count: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.count if self.count else 0.0


def summarize(requests: Iterable[Request], span_s: float | None = None) -> list[Summary]:
    """Per request name (and 'all'): count, failures, throughput and latency percentiles.

    `span_s` is the time the load ran; by default, first start to last end.
    """
    by_name: dict[str, list[Request]] = defaultdict(list)
    everything: list[Request] = []
    for r in requests:
        by_name[r.name].append(r)
        everything.append(r)
    if not everything:
        return []
    span = span_s or max(r.end for r in everything) - min(r.start for r in everything) or 1.0
    rows = []
    for name, group in [*sorted(by_name.items()), ("all", everything)]:
        ms = [r.ms for r in group]
        rows.append(
            Summary(
                name,
                len(group),
                sum(not r.ok for r in group),
                len(group) / span,
                percentile(ms, 50),
                percentile(ms, 95),
                percentile(ms, 99),
            )
        )
    return rows
