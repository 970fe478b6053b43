"""Scenario: one incident, as a drill — the fault, the runbook, the load and what must hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillbook.load import LoadProfile
from drillbook.observe.slo import Slo
from drillbook.runbooks.model import Runbook
from drillbook.runbooks.pace import OperatorModel


@dataclass(frozen=True)
class SteadyState:
    """What "healthy" means: a probe on the probed service, and the load's SLO."""

    service: str = "api"
    probe: str = "/ready"
    require: str = "ready"  # "ready": every dependency fine; "serving": HTTP 200 is enough
    slo: Slo = field(default_factory=Slo)
    stability_s: float = 5.0
    timeout_s: float = 90.0


@dataclass(frozen=True)
class Degradation:
    """Bounds on how badly the service may behave while a transient fault lasts.

    With `requests`, only the load's requests whose name starts with it are judged: a
    degraded mode is a promise about some requests (queries answered from the fallback
    while the provider fails), not about every one (writes may fail without the database).

    `window` says which part of the fault the bounds cover: "fault", all of it (the service
    must degrade gracefully on its own); "remediated", the requests sent after the runbook's
    remediation finished (the runbook is what makes the degradation graceful, and the time
    before the responder acts depends on when the page arrives, not on the runbook).
    """

    max_error_rate: float | None = None
    max_p95_ms: float | None = None
    requests: str | None = None
    window: str = "fault"


@dataclass(frozen=True)
class AlertExpectation:
    """The alert a drill must raise: by default the runbook's `alert:`; `name=""` (`alert:
    none`) expects none, so that any alert that fires is unexpected.

    `allow` names honest co-firers (a dead Redis also raises the error rate); any other alert
    that fires after the fault is an unexpected page. `rules` is a rules file that replaces
    the stack's own for this scenario (how a rule change is tried before it ships).
    """

    name: str | None = None
    allow: tuple[str, ...] = ()
    rules: Path | None = None
    delay_s: float = 0.0  # added to the bound: how long the fault takes to show in metrics
    from_detection: bool = False  # `alert_delay: detected`: a fault that builds up, the
    # bound counts from the first failing probe


@dataclass(frozen=True)
class Expectations:
    detect_within_s: float = 15.0
    recover_within_s: float | None = None  # None: the runbook's MTTR target
    respond_after_s: float = 2.0
    degraded: Degradation | None = None
    # Which acknowledged writes must still be there afterwards: "all"; "before_fault" (only
    # those acknowledged before the before_fault steps: a restore loses later ones); "none".
    writes_kept: str = "all"
    # The recovery target is judged on a person following the runbook as written
    # ("as-written") or on the machine's own pace ("machine").
    judge: str = "as-written"
    max_error_rate: float | None = None  # of the load, from the fault to recovery
    max_failed_requests: int | None = None  # from the fault to recovery
    # A transient fault the probes never noticed passes (absorbed) instead of failing.
    may_absorb: bool = False
    alert: AlertExpectation = field(default_factory=AlertExpectation)
    # "page": the responder starts at the page and the target counts from it, as a runbook's
    # MTTR target means; "fault" (default): from the injection, the responder at detection.
    clock: str = "fault"


@dataclass(frozen=True)
class Availability:
    """The availability SLO whose error budget an incident burns."""

    target: float = 0.999
    window_days: float = 30.0

    @property
    def budget_min(self) -> float:
        return (1.0 - self.target) * self.window_days * 24 * 60


@dataclass(frozen=True)
class ScheduledFault:
    """One fault of a schedule: injected `at_s` seconds after the first, reverted `for_s`
    seconds later (None: it stays until the drill ends or the runbook fixes it)."""

    kind: str
    params: dict[str, Any]
    at_s: float = 0.0
    for_s: float | None = None

    @property
    def ends_s(self) -> float | None:
        return None if self.for_s is None else self.at_s + self.for_s


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file. `fault` holds the fault kind and its checked parameters."""

    name: str
    path: Path
    description: str
    fault_kind: str
    fault_params: dict[str, Any]
    runbook: Runbook | None  # parsed once, on load
    duration_s: float | None = None  # a transient fault: it ends by itself after this long
    load: LoadProfile = field(default_factory=LoadProfile)
    steady: SteadyState = field(default_factory=SteadyState)
    expect: Expectations = field(default_factory=Expectations)
    env: dict[str, dict[str, str]] = field(default_factory=dict)  # service -> settings
    load_service: str | None = None  # `load: {service: X}`; None: the stack's entry

    def load_target(self, stack_entry: str | None) -> str:
        """The service the users' load goes to: the scenario's own choice, else the stack's
        entry (the api the others serve), else the service steady state judges."""
        return self.load_service or stack_entry or self.steady.service

    before_fault: tuple[str, ...] = ()  # commands run (sandboxed) right before the fault
    operator: OperatorModel = field(default_factory=OperatorModel)
    availability: Availability = field(default_factory=Availability)
    line: int = 1
    # Several overlapping faults (`faults:` in the file); empty for the one `fault:`.
    schedule: tuple[ScheduledFault, ...] = ()
    seed: int | None = None  # the search seed of a scenario `drillbook explore` wrote

    @property
    def faults(self) -> tuple[ScheduledFault, ...]:
        """Every fault of the drill, in injection order (the one `fault:` at 0)."""
        return self.schedule or (ScheduledFault(self.fault_kind, self.fault_params),)

    @property
    def runbook_path(self) -> Path | None:
        return self.runbook.path if self.runbook else None

    @property
    def runbook_id(self) -> str | None:
        return self.runbook.id if self.runbook else None

    @property
    def expected_alert(self) -> str | None:
        """The alert this drill must raise: the scenario's, else its runbook's (None: none)."""
        if self.expect.alert.name is not None:
            return self.expect.alert.name or None
        return self.runbook.alert if self.runbook else None

    @property
    def transient(self) -> bool:
        return self.duration_s is not None
