"""Signal: a source of time-ordered Samples, and waiting on what it shows."""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from drillbook.observe.measurement import Sample, first_failure, stable_since


class Signal(ABC):
    """Anything that judges, sample by sample, whether the service is in its steady state."""

    period_s: float

    @abstractmethod
    def samples(self, since: float = -math.inf) -> list[Sample]:
        """The samples at or after `since` (every one by default), in time order."""

    def wait_until(
        self,
        found: Callable[[list[Sample]], float | None],
        timeout_s: float,
        since: float = -math.inf,
    ) -> float | None:
        # Only samples from `since` on are looked at: polled every period, a whole drill's
        # samples (judged against its whole load) would cost more than the period itself.
        deadline = time.monotonic() + timeout_s
        while True:
            at = found(self.samples(since))
            if at is not None or time.monotonic() >= deadline:
                return at
            time.sleep(self.period_s)

    def wait_steady(
        self, stability_s: float, timeout_s: float, since: float | None = None
    ) -> float | None:
        """The start of a window of `stability_s` of passing samples, or None at the deadline."""
        origin = time.monotonic() if since is None else since
        return self.wait_until(lambda s: stable_since(s, origin, stability_s), timeout_s, origin)

    def wait_failure(self, since: float, timeout_s: float) -> float | None:
        """The time of the first failing sample at or after `since`, or None at the deadline."""

        def found(samples: list[Sample]) -> float | None:
            failed = first_failure(samples, since)
            return failed.t if failed else None

        return self.wait_until(found, timeout_s, since)
