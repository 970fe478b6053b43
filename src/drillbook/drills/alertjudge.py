"""The alert contract's part of the judge (pure): from what the alert watch saw to an
AlertOutcome, and from that to an alert verdict with one line of why.

In order: the expected alert must fire; its page must arrive within the bound; no other
alert may fire after the fault unless the scenario allows it; and it must resolve after
recovery. Alerts already active before the fault are not the fault's doing. Where no alert
is expected (`alert: none`: a fault the service should absorb), every alert is unexpected.
"""

from __future__ import annotations

from drillbook.drills.alerting import RESOLVE_TIMEOUT_S, AlertObserved
from drillbook.observe.alerts import alert_times, fired
from drillbook.observe.measurement import Measurement
from drillbook.outcome.alert import AlertOutcome
from drillbook.outcome.result import Verdict


def alert_outcome(seen: AlertObserved, m: Measurement) -> AlertOutcome:
    """The expected alert's times since the injection, and the other alerts that fired."""
    t0 = m.injected_at
    times = alert_times(seen.polls, seen.pages, seen.expected, t0)
    others = fired(seen.polls, seen.pages, t0, seen.ended_at) - {seen.expected}
    others -= seen.already_active

    def since(t: float | None) -> float | None:
        return None if t is None else t - t0

    ttr_from_page = None
    if m.recovered_at is not None and times.notified_at is not None:
        ttr_from_page = m.recovered_at - times.notified_at
    return AlertOutcome(
        expected=seen.expected,
        bound_s=seen.bound.total_s if seen.bound else None,
        bound=seen.bound.describe() if seen.bound else "",
        pending_s=since(times.pending_at),
        firing_s=since(times.firing_at),
        notified_s=since(times.notified_at),
        resolved_s=since(times.resolved_at),
        unexpected=tuple(sorted(n for n in others if n not in seen.allow)),
        allowed=tuple(sorted(n for n in others if n in seen.allow)),
        already_active=tuple(sorted(seen.already_active)),
        rules=seen.rules,
        ttr_from_page_s=ttr_from_page,
        bound_from_s=since(_bound_from(seen, m)),
        outage_s=since(m.recovered_at),
    )


def _bound_from(seen: AlertObserved, m: Measurement) -> float | None:
    """Where the bound counts from: the fault in place, or the first failing probe after it
    for a fault that builds up (`alert_delay: detected`)."""
    if seen.from_detection and m.detected_at is not None:
        return max(m.detected_at, seen.landed_at or m.injected_at)
    return seen.landed_at


def alert_verdict(alert: AlertOutcome) -> tuple[Verdict, str] | None:
    """The first way the alert broke its contract, with one line of why; None if it held."""
    name = alert.expected
    if not name:  # nothing was to page: any alert is one too many
        if alert.unexpected:
            why = f"{', '.join(alert.unexpected)} fired, and no alert was expected"
            return Verdict.UNEXPECTED_ALERT, why
        return None
    if alert.bound_s is None:
        return Verdict.ALERT_NOT_FIRED, f"no loaded rule raises {name}"
    origin = alert.bound_from_s or 0.0
    in_time = alert.notified_s is not None and alert.notified_s - origin <= alert.bound_s
    if not alert.due and not in_time:
        # the service was back before the alert was owed: no page is no failure
        return _unexpected(alert)
    if alert.firing_s is None:
        pending = (
            f"it was pending at {alert.pending_s:.1f} s but never fired"
            if alert.pending_s is not None
            else "its expression never held (check its metric names and thresholds)"
        )
        return Verdict.ALERT_NOT_FIRED, f"{name} did not fire: {pending}"
    if alert.notified_s is None:
        return Verdict.ALERT_LATE, f"{name} fired at {alert.firing_s:.1f} s but never paged"
    if alert.notified_s - origin > alert.bound_s:
        since = f" (bound from {origin:.1f} s)" if origin >= 0.05 else ""
        return (
            Verdict.ALERT_LATE,
            f"{name} paged at {alert.notified_s:.1f} s{since}, bound {alert.bound}",
        )
    if unexpected := _unexpected(alert):
        return unexpected
    if alert.resolved_s is None:
        return (
            Verdict.ALERT_NOT_RESOLVED,
            f"{name} still active {RESOLVE_TIMEOUT_S:g} s after recovery",
        )
    return None


def _unexpected(alert: AlertOutcome) -> tuple[Verdict, str] | None:
    if not alert.unexpected:
        return None
    return (
        Verdict.UNEXPECTED_ALERT,
        f"{', '.join(alert.unexpected)} fired too (not in expect.alert_allow)",
    )
