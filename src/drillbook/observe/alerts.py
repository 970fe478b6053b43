"""Alerts as a drill sees them: what Prometheus reported at each poll, what Alertmanager paged,
and the times that follow from both, on the monotonic clock the probes use. Pure maths:

    times = alert_times(polls, pages, "RedisDown", since=injected_at)
    times.firing_at, times.notified_at, times.resolved_at

    bound = AlertBound(scrape_s=1, evaluation_s=1, for_s=2, group_wait_s=1, timeout_s=1)  # 6 s

The bound is the longest a page may take after a fault that makes the rule's expression
true at once: the next scrape and its timeout, the next evaluation, the `for:` window, and
Alertmanager's group_wait (a scenario may add the time its fault needs to show in the
metrics, `delay_s`). The timeout counts because a dead target often does not refuse: its
address hangs, and the failed scrape (`up == 0`) is recorded only when the timeout ends.
Polling and delivery are not in it: they are drillbook's, not the alert's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PENDING, FIRING = "pending", "firing"


@dataclass(frozen=True)
class ActiveAlert:
    """One active alert in a poll of Prometheus: its name, state, and `activeAt` (monotonic)."""

    name: str
    state: str  # "pending" or "firing"
    active_at: float | None = None


@dataclass(frozen=True)
class Poll:
    """Every alert Prometheus held active at `t` (a poll that failed is not recorded)."""

    t: float
    alerts: tuple[ActiveAlert, ...] = ()

    def state(self, name: str) -> ActiveAlert | None:
        return next((a for a in self.alerts if a.name == name), None)


@dataclass(frozen=True)
class Page:
    """One notification from Alertmanager, as it arrived: time, status, alert names."""

    t: float
    status: str  # "firing" or "resolved"
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertBound:
    """The longest an alert may take to page, from the stack's own configuration."""

    scrape_s: float
    evaluation_s: float
    for_s: float
    group_wait_s: float
    # What the scenario adds where the fault itself takes time to show in the metrics: a
    # latency alert sees a slow request only when it ends (`expect.alert_delay`).
    delay_s: float = 0.0
    timeout_s: float = 0.0  # the scrape timeout: a hanging target's up == 0 lands after it

    @property
    def total_s(self) -> float:
        return (
            self.scrape_s
            + self.timeout_s
            + self.evaluation_s
            + self.for_s
            + self.group_wait_s
            + self.delay_s
        )

    def describe(self) -> str:
        delay = f" + delay {self.delay_s:g}" if self.delay_s else ""
        timeout = f" + timeout {self.timeout_s:g}" if self.timeout_s else ""
        return (
            f"scrape {self.scrape_s:g}{timeout} + evaluation {self.evaluation_s:g} + for "
            f"{self.for_s:g} + group_wait {self.group_wait_s:g}{delay} = {self.total_s:g} s"
        )


@dataclass(frozen=True)
class AlertTimes:
    """When one alert went pending, fired, paged and resolved (monotonic; None: it did not)."""

    pending_at: float | None = None
    firing_at: float | None = None
    notified_at: float | None = None
    resolved_at: float | None = None
    resolved_paged_at: float | None = None


def alert_times(
    polls: Sequence[Poll], pages: Sequence[Page], name: str, since: float
) -> AlertTimes:
    """The first episode of alert `name` that began at or after `since`.

    Pending is Prometheus' own `activeAt` where it gave one (else the poll that first saw
    it); firing is the first poll that saw it firing; resolved, the first poll after that
    without it. Notified is the first firing page naming it; resolved_paged, the first
    resolved page after that.
    """
    pending = firing = resolved = None
    for poll in polls:
        if poll.t < since:
            continue
        alert = poll.state(name)
        if alert is None:
            if firing is not None:
                resolved = poll.t
                break
            pending = None  # pending that never fired and went away: not this episode
            continue
        if pending is None:
            pending = alert.active_at if alert.active_at is not None else poll.t
        if alert.state == FIRING and firing is None:
            firing = poll.t
    notified = _first_page(pages, name, FIRING, since)
    resolved_paged = _first_page(pages, name, "resolved", notified) if notified else None
    return AlertTimes(pending, firing, notified, resolved, resolved_paged)


def _first_page(pages: Iterable[Page], name: str, status: str, since: float) -> float | None:
    return next(
        (p.t for p in pages if p.t >= since and p.status == status and name in p.names), None
    )


def active_before(polls: Sequence[Poll], at: float) -> frozenset[str]:
    """The alerts active in the last poll before `at`: already there, not caused after it."""
    before = [p for p in polls if p.t < at]
    return frozenset(a.name for a in before[-1].alerts) if before else frozenset()


def fired(polls: Sequence[Poll], pages: Sequence[Page], since: float, until: float) -> set[str]:
    """Every alert seen firing, or paged as firing, between `since` and `until`."""
    names = {a.name for p in polls if since <= p.t <= until for a in p.alerts if a.state == FIRING}
    names.update(n for p in pages if since <= p.t <= until and p.status == FIRING for n in p.names)
    return names
