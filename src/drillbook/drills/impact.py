"""What an incident did to the users: the load around it, its error budget, its bounds (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drillbook.load import Request
from drillbook.observe.slo import error_rate_and_p95
from drillbook.observe.stats import percentile
from drillbook.outcome.result import ErrorBudget, Latency
from drillbook.scenarios.model import Degradation, Expectations, Scenario


@dataclass(frozen=True)
class Windows:
    """The load's requests before, during (fault to recovery) and after an incident, and
    while the fault itself lasted (a transient fault ends before recovery is judged);
    `degraded`: those of the last that a scenario's degraded bounds are judged on."""

    before: tuple[Request, ...]
    during: tuple[Request, ...]
    after: tuple[Request, ...]
    while_faulted: tuple[Request, ...]
    incident_s: float
    degraded: tuple[Request, ...] = ()

    @classmethod
    def split(
        cls,
        requests: Sequence[Request],
        t0: float,
        end: float,
        fault_end: float,
        degraded_from: float | None = None,
    ) -> Windows:
        """`degraded_from`: the degraded window starts with the requests sent from then on
        (None: the whole fault, requests in flight at the injection included)."""
        faulted = tuple(r for r in requests if r.end >= t0 and r.start <= fault_end)
        return cls(
            before=tuple(r for r in requests if r.end < t0),
            during=tuple(r for r in requests if r.end >= t0 and r.start <= end),
            after=tuple(r for r in requests if r.start > end),
            while_faulted=faulted,
            incident_s=max(0.0, end - t0),
            degraded=faulted
            if degraded_from is None
            else tuple(r for r in faulted if r.start >= degraded_from),
        )

    def latency(self) -> Latency:
        return Latency(_p95(self.before), _p95(self.during), _p95(self.after))

    def budget(self, scenario: Scenario) -> ErrorBudget:
        """Failed requests of the incident, and the error budget it burned (see ErrorBudget)."""
        failed, total = sum(not r.ok for r in self.during), len(self.during)
        burned = failed / total * self.incident_s / 60 if total else 0.0
        return ErrorBudget(
            failed=failed,
            total=total,
            incident_s=round(self.incident_s, 3),
            burned_min=round(burned, 4),
            budget_min=round(scenario.availability.budget_min, 4),
        )


def impact_breach(expect: Expectations, budget: ErrorBudget) -> str:
    """Why the incident hurt users beyond the scenario's bounds ('' when it did not)."""
    if expect.max_failed_requests is not None and budget.failed > expect.max_failed_requests:
        return f"{budget.failed} failed requests > {expect.max_failed_requests} allowed"
    if expect.max_error_rate is not None and budget.total:
        rate = budget.failed / budget.total
        if rate > expect.max_error_rate:
            return f"error rate {rate:.0%} > {expect.max_error_rate:.0%} from fault to recovery"
    return ""


def degraded_figures(
    bounds: Degradation, requests: Sequence[Request]
) -> tuple[float, float] | None:
    """The error rate and p95 (ms) of the requests the bounds judge; None when none."""
    if bounds.requests is not None:
        requests = [r for r in requests if r.name.startswith(bounds.requests)]
    return error_rate_and_p95(list(requests)) if requests else None


def degradation_breach(scenario: Scenario, requests: Sequence[Request]) -> str:
    """Why the load in the degraded window broke the scenario's bounds ('' when it did not)."""
    bounds = scenario.expect.degraded
    if bounds is None:
        return ""
    figures = degraded_figures(bounds, requests)
    if figures is None:
        return ""
    error_rate, p95 = figures
    if bounds.max_error_rate is not None and error_rate > bounds.max_error_rate:
        which = f" of {bounds.requests}" if bounds.requests else ""
        return f"error rate{which} {error_rate:.0%} > {bounds.max_error_rate:.0%} while degraded"
    if bounds.max_p95_ms is not None and p95 > bounds.max_p95_ms:
        return f"p95 {p95:.0f} ms > {bounds.max_p95_ms:.0f} ms while degraded"
    return ""


def _p95(requests: Sequence[Request]) -> float | None:
    return round(percentile([r.ms for r in requests], 95), 1) if requests else None
