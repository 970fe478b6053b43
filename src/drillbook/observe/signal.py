"""Signal: a source of time-ordered Samples, and waiting on what it shows.

Every wait has two forms: `wait_steady` blocks the calling thread, `await wait_steady_async`
yields to the event loop. What they look for is the same function of the samples.
"""

from __future__ import annotations

import asyncio
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from drillbook.observe.measurement import Sample, first_failure, stable_since

Finder = Callable[[list[Sample]], float | None]


def steady_finder(stability_s: float, since: float) -> Finder:
    """Finds the start of a window of `stability_s` of passing samples from `since` on."""
    return lambda samples: stable_since(samples, since, stability_s)


def failure_finder(since: float) -> Finder:
    """Finds the time of the first failing sample at or after `since`."""

    def found(samples: list[Sample]) -> float | None:
        failed = first_failure(samples, since)
        return failed.t if failed else None

    return found


class Signal(ABC):
    """Anything that judges, sample by sample, whether the service is in its steady state."""

    period_s: float

    @abstractmethod
    def samples(self, since: float = -math.inf) -> list[Sample]:
        """The samples at or after `since` (every one by default), in time order."""

    def wait_until(self, found: Finder, timeout_s: float, since: float = -math.inf) -> float | None:
        # Only samples from `since` on are looked at: polled every period, a whole drill's
        # samples (judged against its whole load) would cost more than the period itself.
        deadline = time.monotonic() + timeout_s
        while (at := found(self.samples(since))) is None and time.monotonic() < deadline:
            time.sleep(self.period_s)
        return at

    async def wait_until_async(
        self, found: Finder, timeout_s: float, since: float = -math.inf
    ) -> float | None:
        """`wait_until` yielding to the event loop between looks."""
        deadline = time.monotonic() + timeout_s
        while (at := found(self.samples(since))) is None and time.monotonic() < deadline:
            await asyncio.sleep(self.period_s)
        return at

    def wait_steady(
        self, stability_s: float, timeout_s: float, since: float | None = None
    ) -> float | None:
        """The start of a window of `stability_s` of passing samples, or None at the deadline."""
        origin = time.monotonic() if since is None else since
        return self.wait_until(steady_finder(stability_s, origin), timeout_s, origin)

    async def wait_steady_async(
        self, stability_s: float, timeout_s: float, since: float | None = None
    ) -> float | None:
        """`wait_steady` for async code."""
        origin = time.monotonic() if since is None else since
        return await self.wait_until_async(steady_finder(stability_s, origin), timeout_s, origin)

    def wait_failure(self, since: float, timeout_s: float) -> float | None:
        """The time of the first failing sample at or after `since`, or None at the deadline."""
        return self.wait_until(failure_finder(since), timeout_s, since)

    async def wait_failure_async(self, since: float, timeout_s: float) -> float | None:
        """`wait_failure` for async code."""
        return await self.wait_until_async(failure_finder(since), timeout_s, since)
