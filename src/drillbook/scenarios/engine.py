"""Running a scenario: the main job of drillbook.

    result = run_scenario(scenario, stack, locustfile=..., out_dir=...)

Load on, steady state, fault, detection, the runbook executed as written, recovery within
target, acknowledged writes verified, the fault reverted and the stack reset, whatever
happens. See drillbook.scenarios.result for what is recorded.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from drillbook.drill import DrillPlan, run_drill
from drillbook.errors import DrillbookError
from drillbook.faults import make_fault
from drillbook.load import LoadRun, Request, missing_writes
from drillbook.observe.probe import Probe, answers_200, fully_ready
from drillbook.observe.series import per_window
from drillbook.observe.slo import SloSignal, error_rate_and_p95
from drillbook.observe.stats import percentile
from drillbook.observe.timeline import Timeline
from drillbook.result import Result, Verdict
from drillbook.runbooks.executor import Execution, Executor
from drillbook.runbooks.model import Runbook
from drillbook.scenarios.model import Scenario
from drillbook.scenarios.result import ScenarioResult
from drillbook.stack import Stack

Progress = Callable[[str], None]
_UNRUNNABLE = ("not executable", "refused")


def _quiet(_: str) -> None:
    pass


class _ProgressTimeline(Timeline):
    """A timeline that also reports each event as it happens (long drills need progress)."""

    def __init__(self, name: str, progress: Progress) -> None:
        super().__init__()
        self._name = name
        self._progress = progress

    def mark(self, kind: str, detail: str = "", t: float | None = None) -> float:
        at = super().mark(kind, detail, t)
        self._progress(f"{self._name}: {kind}" + (f" ({detail})" if detail else ""))
        return at


@contextlib.contextmanager
def _settings(stack: Stack, env: dict[str, dict[str, str]]) -> Iterator[None]:
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


def run_scenario(
    scenario: Scenario,
    stack: Stack,
    *,
    locustfile: Path,
    out_dir: Path,
    progress: Progress = _quiet,
    remediate: bool = True,
) -> ScenarioResult:
    """Run one scenario on a running stack and write `<out_dir>/<name>.json`.

    With `remediate=False` nobody follows the runbook: the drill must then fail, which is
    how one proves it can.
    """
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    runbook = scenario.runbook
    target = scenario.expect.recover_within_s
    if target is None:
        assert runbook is not None and runbook.mttr_s is not None  # checked on load
        target = runbook.mttr_s
    timeline = _ProgressTimeline(scenario.name, progress)
    executions: list[Execution] = []
    executor = Executor(stack, progress=lambda m: progress(f"{scenario.name}:   {m}"))
    fault = make_fault(stack, scenario.fault_kind, **scenario.fault_params)
    steady = scenario.steady
    out_dir.mkdir(parents=True, exist_ok=True)
    before_fault_at: float | None = None

    def before_inject() -> None:
        # What happened just before the incident (a nightly backup, say), in the sandbox.
        # Writes acknowledged from here on may not be in what these steps captured.
        nonlocal before_fault_at
        before_fault_at = timeline.mark("before fault", "steps started")
        execution = executor.run_commands(scenario.before_fault, "before fault")
        if not execution.ok:
            raise DrillbookError(
                f"{scenario.name}: a before_fault step failed:\n{execution.report()}"
            )

    try:
        with _settings(stack, scenario.env):
            load = LoadRun(
                locustfile,
                stack.service(scenario.load_service).url,
                scenario.load,
                out_dir=out_dir / f"{scenario.name}-load",
            )
            probe_url = stack.service(steady.service).url + steady.probe
            ok = fully_ready if steady.require == "ready" else answers_200
            with load, Probe(probe_url, period_s=0.1, timeout_s=1.0, ok=ok) as probe:
                plan = DrillPlan(
                    name=scenario.name,
                    inject=fault.inject,
                    before_inject=before_inject if scenario.before_fault else None,
                    revert=fault.revert,
                    remediate=(
                        executor.remediation(runbook, executions)
                        if runbook is not None and remediate
                        else None
                    ),
                    target_s=target,
                    detect_within_s=scenario.expect.detect_within_s,
                    stability_s=steady.stability_s,
                    steady_timeout_s=steady.timeout_s,
                    respond_after_s=scenario.expect.respond_after_s,
                    lasts_s=scenario.duration_s,
                    may_absorb=scenario.expect.may_absorb,
                )
                drill = run_drill(plan, SloSignal(probe, load, steady.slo), timeline)
                requests, acks = load.requests(), load.acks()
            writes = None
            kept = scenario.expect.writes_kept
            if kept != "none" and drill.verdict is not Verdict.NO_STEADY_STATE:
                cutoff = before_fault_at if kept == "before_fault" else None
                checked = [a.id for a in acks if cutoff is None or a.t < cutoff]
                missing = missing_writes(stack, checked)
                writes = {"acknowledged": len(acks), "checked": len(checked), "missing": missing}
                timeline.mark("writes checked", f"{len(checked)} checked, {len(missing)} missing")
    finally:
        try:
            fault.revert()
        finally:
            stack.reset()
    result = _judge(scenario, drill, runbook, executions, requests, writes, started)
    path = out_dir / f"{scenario.name}.json"
    path.write_text(json.dumps(result.as_json(), indent=2) + "\n")
    progress(f"{result.reason}  [{path}]")
    return result


def _judge(
    scenario: Scenario,
    drill: Result,
    runbook: Runbook | None,
    executions: list[Execution],
    requests: list[Request],
    writes: dict[str, object] | None,
    started: str,
) -> ScenarioResult:
    steps = [r for e in executions for r in e.results]
    unrunnable = [r for r in steps if r.status in _UNRUNNABLE]
    m = drill.measurement
    t0 = m.injected_at if m else math.inf
    end = (m.recovered_at if m and m.recovered_at else None) or drill.ended_at or t0
    during = [r for r in requests if r.end >= t0 and r.start <= end]
    before = [r for r in requests if r.end < t0]
    after = [r for r in requests if r.start > end]
    degraded_end = drill.ended_at or end
    while_faulted = [r for r in requests if r.end >= t0 and r.start <= degraded_end]

    verdict, detail = drill.verdict, ""
    if verdict in (Verdict.NO_STEADY_STATE, Verdict.NOT_DETECTED):
        pass
    elif unrunnable:
        first = unrunnable[0]
        verdict = Verdict.STEP_NOT_EXECUTABLE
        detail = f"line {first.step.line}: {first.step.text} ({first.detail})"
    elif verdict is Verdict.PASSED and scenario.expect.degraded is not None:
        breach = _degradation_breach(scenario, while_faulted)
        if breach:
            verdict, detail = Verdict.DEGRADED_BEYOND_BOUNDS, breach
    if verdict is Verdict.PASSED and writes and writes["missing"]:
        missing = list(writes["missing"])  # type: ignore[call-overload]
        verdict = Verdict.DATA_LOST
        detail = f"{len(missing)} acknowledged writes missing, e.g. {missing[:5]}"

    failed = [r for r in steps if r.status == "failed"]
    if not detail and failed:
        detail = f"{len(failed)} runbook step(s) failed, first at line {failed[0].step.line}"
    reason = f"{scenario.name}: {verdict.value} ({drill.figures()})"
    if detail:
        reason += f": {detail}"
    return ScenarioResult(
        scenario=scenario,
        drill=drill,
        verdict=verdict,
        reason=reason,
        runbook=None
        if runbook is None
        else {
            "id": runbook.id,
            "path": str(runbook.path),
            "mttr_s": runbook.mttr_s,
            "severity": runbook.severity,
        },
        steps=[r.as_json(t0 if m else r.started_at) for r in steps],
        remediation_s=sum(e.duration_s for e in executions),
        error_budget={"failed": sum(not r.ok for r in during), "total": len(during)},
        p95_ms={"before": _p95(before), "during": _p95(during), "after": _p95(after)},
        writes=writes,
        started_at=started,
        series=per_window(requests, t0) if m else None,
        # The monotonic clock the drill ran on, read as wall-clock time.
        injected_epoch_s=t0 + time.time() - time.monotonic() if m else None,
    )


def _p95(requests: list[Request]) -> float | None:
    return round(percentile([r.ms for r in requests], 95), 1) if requests else None


def _degradation_breach(scenario: Scenario, requests: list[Request]) -> str:
    bounds = scenario.expect.degraded
    if bounds is None or not requests:
        return ""
    error_rate, p95 = error_rate_and_p95(requests)
    if bounds.max_error_rate is not None and error_rate > bounds.max_error_rate:
        return f"error rate {error_rate:.0%} > {bounds.max_error_rate:.0%} while degraded"
    if bounds.max_p95_ms is not None and p95 > bounds.max_p95_ms:
        return f"p95 {p95:.0f} ms > {bounds.max_p95_ms:.0f} ms while degraded"
    return ""
