"""Result: what one scenario run established — the one shape every view of a run reads.

The drill lifecycle produces a `DrillRun` (the lifecycle's own verdict, measurement and
timeline); the judge turns it, the runbook's executed steps and the load into a `Result`. The
recorder, history, gate, reports, Allure and the pytest plugin all take a `Result`; its JSON
form is read and written only by `drillbook.outcome.schema`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Literal

from drillbook.observe.series import Series
from drillbook.outcome.alert import AlertOutcome
from drillbook.outcome.damage import Loss, Reading
from drillbook.outcome.margin import Margin, thinnest


class Verdict(enum.Enum):
    """How a scenario run ended. The lifecycle decides the first four; the judge the rest."""

    PASSED = "passed"
    NO_STEADY_STATE = "no steady state"
    NOT_DETECTED = "not detected"
    NOT_RECOVERED = "not recovered within target"
    STEP_NOT_EXECUTABLE = "step not executable"
    DEGRADED_BEYOND_BOUNDS = "SLO breached while degraded"
    DATA_LOST = "data lost"
    NOT_RECOVERED_AS_WRITTEN = "not recovered within target as written"
    IMPACT_BEYOND_BOUNDS = "user impact beyond bounds"
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
    """Load requests from injection to recovery: how many failed, of how many; and what the
    incident burned of the error budget of an availability SLO over its window.

    burned_min = failed share x incident minutes: the minutes of full outage the incident
    was worth. budget_min = (1 - availability) x window minutes (99.9 % over 30 days: 43.2).
    """

    failed: int = 0
    total: int = 0
    incident_s: float | None = None
    burned_min: float | None = None
    budget_min: float | None = None

    @property
    def burned_pct(self) -> float | None:
        """The share of the window's budget this incident burned, in percent."""
        if self.burned_min is None or not self.budget_min:
            return None
        return self.burned_min / self.budget_min * 100


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
    weak: bool = False  # a verification that said "fine" while the probe still failed


@dataclass(frozen=True)
class StepCost:
    """One step at a person's pace: seconds the machine took, seconds a person takes."""

    line: int
    text: str
    machine_s: float
    person_s: float
    why: str


@dataclass(frozen=True)
class AsWritten:
    """A person following the runbook (see `drillbook.drills.aswritten`); `ttr_s` is None when
    the drill did not recover, `judged` whether the verdict was taken on it."""

    ttr_s: float | None
    shift_s: float
    steps: tuple[StepCost, ...] = ()
    judged: bool = True

    def too_slow(self, target_s: float) -> bool:
        """Whether the verdict is taken on this projection and it misses the target."""
        return self.judged and self.ttr_s is not None and self.ttr_s > target_s

    def costliest(self, n: int = 3) -> list[StepCost]:
        """The steps that cost a person the most time beyond the machine, largest first."""
        extra = sorted(self.steps, key=lambda s: s.person_s - s.machine_s, reverse=True)
        return [s for s in extra[:n] if s.person_s > s.machine_s]

    def explain(self, target_s: float) -> str:
        """One line: the projected TTR against the target, and the steps that cost the time."""
        ttr = "-" if self.ttr_s is None else f"{self.ttr_s:.0f} s"
        parts = [
            f"line {s.line} +{s.person_s - s.machine_s:.0f} s ({s.why})" for s in self.costliest()
        ]
        return f"as written {ttr} > {target_s:g} s; the time goes to " + ", ".join(parts)


@dataclass(frozen=True)
class Mark:
    """One entry of the timeline: seconds since the injection, what happened, details."""

    t: float
    kind: str
    detail: str = ""


# What a recovery target counts from: the injection, the page (`clock: page`), or the end of a
# transient fault.
TtrOrigin = Literal["fault", "page", "fault end"]
TTR_ORIGINS: tuple[TtrOrigin, ...] = ("fault", "page", "fault end")


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
    as_written: AsWritten | None = None
    findings: tuple[str, ...] = ()  # what the drill found in the runbook, one line each
    alert: AlertOutcome | None = None  # the alert contract, where the stack has alerting
    # The TTR the target was judged on, counted from `ttr_origin` (ttr_s counts from the fault)
    judged_ttr_s: float | None = None
    ttr_origin: TtrOrigin = "fault"
    # each bound the verdict was judged on, with what was observed (see outcome.margin)
    margins: tuple[Margin, ...] = ()
    # what the stack kept, before the fault and after each step, and what fell (outcome.damage)
    damage: tuple[Loss, ...] = ()
    ledger: tuple[Reading, ...] = ()

    @property
    def thinnest(self) -> Margin | None:
        """The bound the run came closest to (or broke); None when nothing was bounded."""
        return thinnest(self.margins)

    @property
    def thin(self) -> bool:
        """A pass with less than `outcome.margin.THIN` of some bound left."""
        margin = self.thinnest
        return self.passed and margin is not None and margin.thin

    @property
    def target_ttr_s(self) -> float | None:
        """The TTR to compare with `target_s`: the judged one, like with like."""
        return self.judged_ttr_s if self.ttr_origin != "fault" else self.ttr_s

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
