"""MTTR maths: from probe samples and the moment of injection to TTD and TTR.

Pure functions over monotonic timestamps, so they are tested without any container:

    TTD = first failing probe at or after injection - injection
    TTR = start of the first stability window (every probe ok for `stability_s`) after
          detection - injection
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One probe observation: when it was taken (monotonic seconds) and whether it passed."""

    t: float
    ok: bool
    latency_s: float = 0.0
    status: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Measurement:
    """Detection and recovery of one fault, in seconds since injection (None: did not happen)."""

    injected_at: float
    detected_at: float | None
    recovered_at: float | None
    stability_s: float

    @property
    def ttd_s(self) -> float | None:
        return None if self.detected_at is None else self.detected_at - self.injected_at

    @property
    def ttr_s(self) -> float | None:
        return None if self.recovered_at is None else self.recovered_at - self.injected_at

    @property
    def outage_s(self) -> float | None:
        """How long the service was seen failing: detection to recovery."""
        if self.detected_at is None or self.recovered_at is None:
            return None
        return self.recovered_at - self.detected_at


def first_failure(samples: Sequence[Sample], since: float) -> Sample | None:
    return next((s for s in samples if s.t >= since and not s.ok), None)


def stable_since(samples: Sequence[Sample], since: float, stability_s: float) -> float | None:
    """Start of the first run of passing samples at or after `since` lasting `stability_s`.

    The run must be seen to last: a passing streak shorter than the window so far is not
    yet recovery, however promising.
    """
    start: float | None = None
    for s in samples:
        if s.t < since:
            continue
        if not s.ok:
            start = None
            continue
        if start is None:
            start = s.t
        if s.t - start >= stability_s:
            return start
    return None


def measure(samples: Sequence[Sample], injected_at: float, stability_s: float) -> Measurement:
    """TTD and TTR of a fault injected at `injected_at`, from samples ordered by time."""
    failed = first_failure(samples, injected_at)
    recovered = stable_since(samples, failed.t, stability_s) if failed is not None else None
    return Measurement(
        injected_at=injected_at,
        detected_at=failed.t if failed is not None else None,
        recovered_at=recovered,
        stability_s=stability_s,
    )
