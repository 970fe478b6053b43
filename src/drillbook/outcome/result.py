"""Result: what one scenario run established — the one shape every view of a run reads.

The drill lifecycle produces a `DrillRun` (the lifecycle's own verdict, measurement and
timeline); the judge turns it, the runbook's executed steps and the load into a `Result`. The
recorder, history, gate, reports, Allure and the pytest plugin all take a `Result`; its JSON
form is read and written only by `drillbook.outcome.schema`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from drillbook.observe.series import Series
from drillbook.outcome.alert import AlertOutcome


class Verdict(enum.Enum):
    """How a scenario run ended. The lifecycle decides the first four; the judge the rest."""

    PASSED = "passed"
    NO_STEADY_STATE = "no steady state"
    NOT_DETECTED = "not detected"
    NOT_RECOVERED = "not recovered within target"
    STEP_NOT_EXECUTABLE = "step not executable"
    DEGRADED_BEYOND_BOUNDS = "SLO breached while degraded"
    DATA_LOST = "data lost"
    ALERT_NOT_FIRED = "alert did not fire"
    ALERT_LATE = "alert late"
    UNEXPECTED_ALERT = "unexpected alert"
    ALERT_NOT_RESOLVED = "alert did not resolve"


@dataclass(frozen=True)
class RunbookRef:
    """The runbook a scenario followed, as the result names it."""

    id: str
    path: str
    mttr_s: float | None
    severity: str | None = None


@dataclass(frozen=True)
class ErrorBudget:
    """Load requests from injection to recovery: how many failed, of how many."""

    failed: int = 0
    total: int = 0


@dataclass(frozen=True)
class Latency:
    """The load's p95 latency (ms) before, during and after the incident (None: no requests)."""

    before: float | None = None
    during: float | None = None
    after: float | None = None


@dataclass(frozen=True)
class Writes:
    """Acknowledged writes looked up in the system of record after the drill."""

    acknowledged: int
    checked: int
    missing: tuple[int, ...] = ()


@dataclass(frozen=True)
class StepRecord:
    """One runbook step as it was executed; times in seconds since the injection."""

    line: int
    text: str
    status: str
    start_s: float
    duration_s: float
    section: str = ""
    kind: str = ""
    written_wait_s: float | None = None
    detail: str = ""
    actions: tuple[str, ...] = ()
    output: str = ""


@dataclass(frozen=True)
class Mark:
    """One entry of the timeline: seconds since the injection, what happened, details."""

    t: float
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Result:
    """Everything a scenario run established (schema in `drillbook.outcome.schema`)."""

    scenario: str
    verdict: Verdict
    reason: str
    target_s: float
    ttd_s: float | None = None
    ttr_s: float | None = None
    file: str = ""
    runbook: RunbookRef | None = None
    recovery_after_end_s: float | None = None
    remediation_s: float = 0.0
    error_budget: ErrorBudget = field(default_factory=ErrorBudget)
    p95_ms: Latency = field(default_factory=Latency)
    writes: Writes | None = None
    steps: tuple[StepRecord, ...] = ()
    timeline: tuple[Mark, ...] = ()
    series: Series | None = None
    started_at: str = ""
    injected_epoch_s: float | None = None
    drillbook: str = ""
    alert: AlertOutcome | None = None  # the alert contract, where the stack has alerting

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    def figures(self) -> str:
        """TTD, TTR and the target, as one short phrase."""
        return figures(self.ttd_s, self.ttr_s, self.target_s)

    def mark(self, kind: str) -> Mark | None:
        """The first timeline entry of `kind`, if the run got there."""
        return next((m for m in self.timeline if m.kind == kind), None)


def figures(ttd_s: float | None, ttr_s: float | None, target_s: float) -> str:
    """'TTD 0.07 s, TTR 4.09 s, target 180 s', with '-' for what did not happen."""
    ttd = "-" if ttd_s is None else f"{ttd_s:.2f} s"
    ttr = "-" if ttr_s is None else f"{ttr_s:.2f} s"
    return f"TTD {ttd}, TTR {ttr}, target {target_s:g} s"
