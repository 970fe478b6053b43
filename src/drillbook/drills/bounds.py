"""The bounds a scenario's verdict was judged on, each with what the run observed (pure).

The judge says whether the run held its bounds; this says by how much, bound by bound, in
the order the judge takes them: detection, recovery (at the machine's pace, then as written),
the SLO while degraded, the user impact, the writes, the alert's page. A bound the run never
reached (no recovery to time, no alert to page) has no margin: the verdict already says so.
"""

from __future__ import annotations

import math

from drillbook.drills.impact import Windows, degraded_figures
from drillbook.outcome.alert import AlertOutcome
from drillbook.outcome.drillrun import DrillRun
from drillbook.outcome.margin import Margin
from drillbook.outcome.result import AsWritten, ErrorBudget, Writes
from drillbook.scenarios.model import Scenario


def margins(
    scenario: Scenario,
    drill: DrillRun,
    windows: Windows,
    budget: ErrorBudget,
    as_written: AsWritten | None,
    alert: AlertOutcome | None,
    writes: Writes | None,
) -> tuple[Margin, ...]:
    """Every bound the run was judged on that it got as far as, with its observed value."""
    found: list[Margin] = []
    expect = scenario.expect
    if drill.ttd_s is not None:
        # a transient fault is watched only while it lasts, as the lifecycle does
        watched = min(expect.detect_within_s, scenario.duration_s or math.inf)
        found.append(Margin("detect", drill.ttd_s, watched))
    recovered = drill.target_ttr_s
    if recovered is not None:
        found.append(Margin("recover", recovered, drill.target_s))
    if as_written is not None and as_written.judged and as_written.ttr_s is not None:
        found.append(Margin("recover as written", as_written.ttr_s, drill.target_s))
    found += _degraded(scenario, windows)
    if expect.max_error_rate is not None and budget.total:
        found.append(Margin("error rate", budget.failed / budget.total, expect.max_error_rate, "%"))
    if expect.max_failed_requests is not None:
        found.append(
            Margin("failed requests", budget.failed, expect.max_failed_requests, "requests")
        )
    if writes is not None:
        found.append(Margin("writes lost", len(writes.missing), 0, "writes"))
    if alert is not None and alert.bound_s is not None and alert.notified_s is not None:
        since = alert.notified_s - (alert.bound_from_s or 0.0)
        if alert.due or since <= alert.bound_s:  # a page not yet owed was not judged late
            found.append(Margin(f"page ({alert.expected})", since, alert.bound_s))
    return tuple(found)


def _degraded(scenario: Scenario, windows: Windows) -> list[Margin]:
    bounds = scenario.expect.degraded
    if bounds is None:
        return []
    figures = degraded_figures(bounds, windows.degraded)
    if figures is None:
        return []  # nothing was judged: no room to show
    error_rate, p95 = figures
    found = []
    if bounds.max_p95_ms is not None:
        found.append(Margin("degraded p95", p95, bounds.max_p95_ms, "ms"))
    if bounds.max_error_rate is not None:
        found.append(Margin("degraded error rate", error_rate, bounds.max_error_rate, "%"))
    return found
