"""The as-written timeline: a person's pace through the runbook (pure; no Docker)."""

from __future__ import annotations

from drillbook.drills.aswritten import project, step_cost
from drillbook.runbooks.executor import StepResult
from drillbook.runbooks.model import Section, Step, StepKind
from drillbook.runbooks.pace import OperatorModel
from drillbook.runbooks.status import StepStatus

MODEL = OperatorModel(command_s=20, prose_s=30, dashboard_s=60, wait_s=5)
T0 = 100.0


def ran(kind: StepKind, text: str, start: float, took: float, wait_s: float | None = None):
    step = Step(kind, text, 10, Section.RESOLUTION, wait_s=wait_s)
    status = {StepKind.WAIT: StepStatus.WAITED, StepKind.MANUAL: StepStatus.MANUAL}.get(
        kind, StepStatus.OK
    )
    return StepResult(step, status, start, took)


def test_a_written_wait_is_honoured_in_full() -> None:
    cost = step_cost(ran(StepKind.WAIT, "Wait 3 minutes", 0, 0.2, wait_s=180), MODEL)
    assert (cost.machine_s, cost.person_s) == (0.2, 185.0)
    assert cost.why.startswith("written wait 180 s")


def test_each_kind_of_step_costs_its_own_time() -> None:
    assert step_cost(ran(StepKind.COMMAND, "redis-cli ping", 0, 0.1), MODEL).person_s == 20.1
    assert step_cost(ran(StepKind.MANUAL, "Tell the team", 0, 0), MODEL).person_s == 30
    assert step_cost(ran(StepKind.MANUAL, "Start the api again:", 0, 0), MODEL).person_s == 5
    look = ran(StepKind.MANUAL, "Check the Grafana dashboard for p95", 0, 0)
    assert step_cost(look, MODEL).person_s == 60


def test_recovery_after_the_steps_moves_by_the_person_s_extra_time() -> None:
    steps = [
        ran(StepKind.COMMAND, "docker compose up -d redis", T0 + 2, 0.5),
        ran(StepKind.WAIT, "Wait 3 minutes", T0 + 2.5, 0.2, wait_s=180),
    ]
    projected = project(
        steps,
        MODEL,
        injected_at=T0,
        remediation=(T0 + 2, T0 + 2.7),
        recovered_at=T0 + 4.5,
        transient=False,
    )
    # extra: 20 (command) + 180 - 0.2 + 5 (wait) = 204.8
    assert projected.shift_s == 204.8
    assert projected.ttr_s == 4.5 + 204.8
    assert [s.line for s in projected.costliest(1)] == [10]


def test_recovery_during_the_steps_waits_for_the_person_to_finish() -> None:
    steps = [
        ran(StepKind.COMMAND, "restart", T0 + 2, 1.0),
        ran(StepKind.COMMAND, "check", T0 + 3, 5),
    ]
    projected = project(
        steps,
        MODEL,
        injected_at=T0,
        remediation=(T0 + 2, T0 + 8),
        recovered_at=T0 + 4,  # the service came back while the check still ran
        transient=False,
    )
    assert projected.ttr_s == 8 + 40  # the person's last step ends 40 s after the machine's


def test_recovery_that_did_not_wait_for_anyone_is_not_moved() -> None:
    steps = [ran(StepKind.COMMAND, "restart", T0 + 2, 1.0)]
    transient = project(
        steps,
        MODEL,
        injected_at=T0,
        remediation=(T0 + 2, T0 + 3),
        recovered_at=T0 + 31,
        transient=True,
    )
    healed_first = project(
        steps,
        MODEL,
        injected_at=T0,
        remediation=(T0 + 2, T0 + 3),
        recovered_at=T0 + 1.5,
        transient=False,
    )
    assert (transient.ttr_s, healed_first.ttr_s) == (31.0, 1.5)


def test_no_recovery_has_no_projected_ttr() -> None:
    steps = [ran(StepKind.COMMAND, "restart", T0 + 2, 1.0)]
    projected = project(
        steps,
        MODEL,
        injected_at=T0,
        remediation=(T0 + 2, T0 + 3),
        recovered_at=None,
        transient=False,
    )
    assert projected.ttr_s is None and projected.shift_s == 20
