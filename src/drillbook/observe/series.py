"""Per-second series of the load: requests, errors and p95 latency, for timeline plots.

A scenario keeps thousands of requests in memory; a result only needs what a plot shows, so
the requests are binned by their end time into fixed windows relative to the injection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drillbook.load import Request
from drillbook.observe.stats import percentile


@dataclass(frozen=True)
class Series:
    """Load per window: `t[i]` is the window's start, seconds since injection."""

    bin_s: float
    t: tuple[float, ...]
    requests: tuple[int, ...]
    errors: tuple[int, ...]
    p95_ms: tuple[float | None, ...]

    def error_rate(self) -> list[float | None]:
        """Failed share of each window's requests; None for a window without requests."""
        return [e / n if n else None for n, e in zip(self.requests, self.errors, strict=True)]

    def as_json(self) -> dict[str, Any]:
        return {
            "bin_s": self.bin_s,
            "t": list(self.t),
            "requests": list(self.requests),
            "errors": list(self.errors),
            "p95_ms": list(self.p95_ms),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Series:
        columns = ("t", "requests", "errors", "p95_ms")
        lengths = {len(data[c]) for c in columns}
        if len(lengths) != 1:
            raise ValueError(f"series columns differ in length: {sorted(lengths)}")
        return cls(
            float(data["bin_s"]),
            tuple(float(x) for x in data["t"]),
            tuple(int(x) for x in data["requests"]),
            tuple(int(x) for x in data["errors"]),
            tuple(None if x is None else float(x) for x in data["p95_ms"]),
        )


def per_window(requests: Iterable[Request], origin: float, bin_s: float = 1.0) -> Series:
    """Bin requests by end time into windows of `bin_s` from `origin` (the injection).

    Windows without requests inside the covered span are kept (0 requests, p95 None): a
    stall in the load is what a plot must show.
    """
    if bin_s <= 0:
        raise ValueError(f"bin_s must be positive, got {bin_s}")
    bins: dict[int, list[Request]] = {}
    for r in requests:
        bins.setdefault(math.floor((r.end - origin) / bin_s), []).append(r)
    if not bins:
        return Series(bin_s, (), (), (), ())
    keys = range(min(bins), max(bins) + 1)
    groups = [bins.get(k, []) for k in keys]
    return Series(
        bin_s,
        tuple(round(k * bin_s, 3) for k in keys),
        tuple(len(g) for g in groups),
        tuple(sum(not r.ok for r in g) for g in groups),
        tuple(round(percentile([r.ms for r in g], 95), 1) if g else None for g in groups),
    )
