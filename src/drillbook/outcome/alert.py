"""AlertOutcome: what a drill established about its alert, as the Result carries it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertOutcome:
    """The expected alert's times, in seconds since the injection (None: it did not happen),
    against its bound, and the other alerts that fired after the fault.

    `notified_s` is the time to detect as people live it (TTD-alert): the page's arrival.
    `unexpected` fired and are not allowed; `allowed` fired and are on the scenario's list;
    `already_active` were active before the fault and are not counted against it.
    """

    expected: str
    bound_s: float | None = None
    bound: str = ""  # how the bound was computed, e.g. "scrape 1 + evaluation 1 + ..."
    pending_s: float | None = None
    firing_s: float | None = None
    notified_s: float | None = None
    resolved_s: float | None = None
    unexpected: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    already_active: tuple[str, ...] = ()
    rules: str = ""  # the rules file laid over the stack's for this drill, if any
    ttr_from_page_s: float | None = None  # recovery counted from the page (clock: page)
    # Where the bound counts from: the fault in place (a kill lands at once, a table drop
    # through psql takes a while), or with `alert_delay: detected` the first failing probe.
    bound_from_s: float | None = None
    # When the outage ended (the service recovered), since the injection: an alert is due
    # only once the outage has lasted its bound.
    outage_s: float | None = None

    @property
    def due(self) -> bool:
        """Whether the outage lasted long enough for the expected alert to be owed."""
        if self.outage_s is None or self.bound_s is None:
            return True
        return self.outage_s > (self.bound_from_s or 0.0) + self.bound_s
