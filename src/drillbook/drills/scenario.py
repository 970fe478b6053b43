"""Running a scenario: the main job of drillbook.

    result = run_scenario(scenario, stack, locustfile=..., out_dir=..., listeners=[printer(print)])

Load on, steady state, fault, detection, the runbook executed as written, recovery within
target, acknowledged writes verified, the fault reverted and the stack reset, whatever
happens. The Result is judged by `drillbook.drills.judge` and written by
`drillbook.outcome.schema`.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from drillbook.drills.alerting import AlertCheck, AlertObserved
from drillbook.drills.events import BeforeFault, Events, Finished, Listener, WritesChecked
from drillbook.drills.judge import Observed, judge
from drillbook.drills.ledger import Both, LedgerWatch
from drillbook.drills.lifecycle import DrillPlan, run_drill
from drillbook.drills.schedule import FaultSchedule
from drillbook.drills.steps import StepEvents
from drillbook.errors import DrillbookError
from drillbook.faults import Fault, make_fault
from drillbook.load import Ack, LoadRun, missing_writes
from drillbook.observe.probe import Probe, answers_200, fully_ready
from drillbook.observe.slo import SloSignal
from drillbook.outcome.result import Result, Verdict, Writes
from drillbook.outcome.schema import write_result
from drillbook.runbooks.executor import Execution, Executor
from drillbook.scenarios.model import Scenario
from drillbook.stack.backend import StackBackend

if TYPE_CHECKING:
    from drillbook.stack import Stack


@contextlib.contextmanager
def _settings(stack: StackBackend, env: dict[str, dict[str, str]]) -> Iterator[None]:
    """Services recreated with the scenario's settings, and restored afterwards."""
    changed = []
    try:
        for service, settings in env.items():
            changed.append(service)
            stack.recreate(service, env=settings)
        yield
    finally:
        for service in changed:
            stack.recreate(service)


def _fault_of(scenario: Scenario, stack: StackBackend) -> Fault[Any] | FaultSchedule:
    """The scenario's one fault, or its schedule of several (every fault checked first)."""
    if not scenario.schedule:
        return make_fault(stack, scenario.fault_kind, **scenario.fault_params)
    return FaultSchedule(
        [(make_fault(stack, f.kind, **f.params), f.at_s, f.for_s) for f in scenario.schedule]
    )


def target_of(scenario: Scenario) -> float:
    """The recovery target: the scenario's own, else its runbook's MTTR (checked on load)."""
    target = scenario.expect.recover_within_s
    if target is None:
        runbook = scenario.runbook
        assert runbook is not None and runbook.mttr_s is not None  # checked on load
        target = runbook.mttr_s
    return target


def run_scenario(
    scenario: Scenario,
    stack: StackBackend,
    *,
    locustfile: Path,
    out_dir: Path,
    listeners: Sequence[Listener] = (),
    remediate: bool = True,
    machine_only: bool = False,
    refuse_destructive: bool = False,
    ledger: bool = True,
) -> Result:
    """Run one scenario on a running stack and write `<out_dir>/<name>.json`.

    With `remediate=False` nobody follows the runbook: the drill must then fail, which is
    how one proves it can. With `machine_only` the target is judged at the machine's pace,
    whatever the scenario says (see `drillbook.drills.aswritten`). The stack runs on Docker
    or on Kubernetes (a `KubeStack`, which has no alerting: no alert check there). A
    destructive runbook line runs inside the drill's containers and its damage is measured,
    unless `refuse_destructive` (then it is refused, and the step is not executable).
    `ledger=False` takes no damage ledger (its readings delay each step by a fraction of a
    second: `benchmarks/ledger.py` measures how much).
    """
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    bus = Events(*listeners)  # a bus per run: its timeline is this run's
    runbook = scenario.runbook
    executions: list[Execution] = []
    watch = LedgerWatch.start(stack, scenario.name, bus, enabled=ledger)  # what steps destroy
    executor = Executor(
        stack,
        on_step=Both(StepEvents(scenario.name, bus), watch),
        refuse_destructive=refuse_destructive,
    )
    fault = _fault_of(scenario, stack)
    steady = scenario.steady
    out_dir.mkdir(parents=True, exist_ok=True)
    before_fault_at: float | None = None
    check: AlertCheck | None = None
    alerts: AlertObserved | None = None

    def before_inject() -> None:
        if check is not None:
            check.before_fault()  # no page left over from an earlier drill
        if scenario.before_fault:
            prepare()
        watch.baseline()

    def prepare() -> None:
        # What happened just before the incident (a nightly backup, say), in the sandbox.
        # Writes acknowledged from here on may not be in what these steps captured.
        nonlocal before_fault_at
        before_fault_at = bus.emit(BeforeFault(drill=scenario.name))
        execution = executor.run_commands(scenario.before_fault, "before fault")
        if not execution.ok:
            raise DrillbookError(
                f"{scenario.name}: a before_fault step failed:\n{execution.report()}"
            )

    def inject() -> None:
        fault.inject()
        if check is not None:
            check.landed_at = time.monotonic()  # the alert's bound counts from here

    def await_page(injected_at: float) -> float | None:
        assert check is not None
        return check.wait_page(injected_at)

    try:
        # alerting runs beside Docker and Compose stacks (Prometheus and Alertmanager among
        # their containers); a Kubernetes stack has none yet
        alert_check = (
            AlertCheck.start(cast("Stack", stack), scenario)
            if stack.backend != "kubernetes"
            else contextlib.nullcontext(None)
        )
        with _settings(stack, scenario.env), alert_check as check:
            load = LoadRun(
                locustfile,
                stack.service(scenario.load_target(stack.spec.entry)).url,
                scenario.load,
                out_dir=out_dir / f"{scenario.name}-load",
                run_id=stack.run_id,
            )
            probe_url = stack.service(steady.service).url + steady.probe
            ok = fully_ready if steady.require == "ready" else answers_200
            with (
                load,
                Probe(probe_url, period_s=0.1, timeout_s=1.0, ok=ok) as probe,
                SloSignal(probe, load, steady.slo) as signal,
            ):
                plan = DrillPlan(
                    name=scenario.name,
                    inject=inject,
                    before_inject=before_inject,
                    revert=fault.revert,
                    remediate=(
                        executor.remediation(runbook, executions)
                        if runbook is not None and remediate
                        else None
                    ),
                    target_s=target_of(scenario),
                    detect_within_s=scenario.expect.detect_within_s,
                    stability_s=steady.stability_s,
                    steady_timeout_s=steady.timeout_s,
                    respond_after_s=scenario.expect.respond_after_s,
                    lasts_s=scenario.duration_s,
                    may_absorb=scenario.expect.may_absorb,
                    await_page=(
                        await_page
                        if check is not None and check.expected and scenario.expect.clock == "page"
                        else None
                    ),
                )
                drill = run_drill(plan, signal, bus)
                m = drill.measurement
                if check is not None and m is not None and m.recovered_at is not None:
                    check.after_recovery(m.injected_at)
                requests, acks, samples = load.requests(), load.acks(), probe.samples()
            if check is not None:
                alerts = check.observed()
                if drill.measurement is not None:  # pins the alert as it behaved: promtool
                    test = out_dir / f"{scenario.name}.alert-test.yml"
                    check.write_rule_test(drill.measurement.injected_at, test)
            writes = None
            if drill.verdict is not Verdict.NO_STEADY_STATE:
                writes = _check_writes(scenario, stack, acks, before_fault_at, bus)
    finally:
        try:
            fault.revert()
        finally:
            stack.reset()
    observed = Observed(
        drill,
        executions,
        requests,
        writes,
        started,
        epoch_offset_s=time.time() - time.monotonic(),
        samples=samples,
        machine_only=machine_only,
        alerts=alerts,
        ledger=tuple(watch.ledger.readings),
    )
    result = judge(scenario, observed)
    path = write_result(result, out_dir)
    bus.emit(Finished(drill=scenario.name, result=result, path=str(path)))
    return result


def _check_writes(
    scenario: Scenario, stack: StackBackend, acks: list[Ack], cutoff: float | None, bus: Events
) -> Writes | None:
    """Every acknowledged write the scenario promises to keep, looked up after the drill."""
    kept = scenario.expect.writes_kept
    if kept == "none":
        return None
    if kept != "before_fault":
        cutoff = None
    checked = [a.id for a in acks if cutoff is None or a.t < cutoff]
    missing = missing_writes(stack, checked)
    bus.emit(WritesChecked(drill=scenario.name, checked=len(checked), missing=len(missing)))
    return Writes(acknowledged=len(acks), checked=len(checked), missing=tuple(missing))
