"""The executor: a runbook's resolution and verification steps, run against a running stack.

    execution = Executor(stack).run(runbook)
    for r in execution.results: print(r.step.line, r.status, f"{r.duration_s:.1f} s")

Every command goes through the CommandAdapter and lands on a Service verb, `Service.exec`
inside the stack's own containers, HTTP to a 127.0.0.1 port the stack published, or, on a
Compose stack, the real `docker compose` pinned to the drill's project, or, on a Kubernetes
stack, the real kubectl pinned to the drill's namespace; nothing runs in a host shell.
Refused and not-executable steps are reported, never attempted. A written wait becomes a
readiness poll of the runbook's services, bounded by the written time, and a program run in
a container is stopped after `line_timeout_s` (the step fails: "ran until stopped after 60 s").
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, assert_never

import httpx

from drillbook.errors import DrillbookError
from drillbook.runbooks.actions import (
    Action,
    ComposeRun,
    Exec,
    Filter,
    Http,
    Inspect,
    KubectlRun,
    Lifecycle,
    Logs,
    Recreate,
    Scale,
    Stats,
    Status,
    UpdateMemory,
    Wait,
    describe,
)
from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.durations import format_duration
from drillbook.runbooks.model import Runbook, Section, Step, StepKind
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.status import StepStatus
from drillbook.stack.backend import StackBackend, Tool
from drillbook.stack.network import require_loopback

OK, FAILED, WAITED, MANUAL, SKIPPED = (
    StepStatus.OK,
    StepStatus.FAILED,
    StepStatus.WAITED,
    StepStatus.MANUAL,
    StepStatus.SKIPPED,
)
_OUTPUT_LIMIT = 4000
# A line that has not ended after this long (`ping` without -c, `tail -f`) is stopped, as the
# person following the runbook would stop it, and the step fails saying so.
LINE_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class StepResult:
    """How one step went: its status, when it started (monotonic), how long, what it printed."""

    step: Step
    status: StepStatus
    started_at: float
    duration_s: float
    output: str = ""
    detail: str = ""
    actions: tuple[str, ...] = ()

    def as_json(self, origin: float) -> dict[str, Any]:
        return {
            "line": self.step.line,
            "section": self.step.section.value,
            "kind": self.step.kind.value,
            "text": self.step.text,
            "status": self.status.value,
            "start_s": round(self.started_at - origin, 3),
            "duration_s": round(self.duration_s, 3),
            "written_wait_s": self.step.wait_s,
            "detail": self.detail,
            "actions": list(self.actions),
            "output": self.output,
        }


@dataclass(frozen=True)
class Execution:
    """The results of running one runbook's steps, in order."""

    runbook: Runbook
    started_at: float
    results: tuple[StepResult, ...] = ()

    @property
    def ok(self) -> bool:
        """No step failed, and at least one command ran."""
        ran = any(r.status == OK for r in self.results)
        return ran and not any(r.status == FAILED for r in self.results)

    @property
    def duration_s(self) -> float:
        return sum(r.duration_s for r in self.results)

    def by_status(self, status: str) -> list[StepResult]:
        """The results with this status."""
        return [r for r in self.results if r.status == status]

    def as_json(self) -> dict[str, Any]:
        return {
            "runbook": self.runbook.id,
            "path": str(self.runbook.path),
            "ok": self.ok,
            "duration_s": round(self.duration_s, 3),
            "steps": [r.as_json(self.started_at) for r in self.results],
        }

    def report(self) -> str:
        """One line per step: file:line, status, time, and what happened."""
        lines = [f"runbook {self.runbook.id} ({self.runbook.path})"]
        for r in self.results:
            what = r.detail or r.step.text
            status = r.status.value
            lines.append(f"  {r.step.line:>4} {status:15} {r.duration_s:6.2f} s  {what}")
        return "\n".join(lines)


@dataclass
class _Context:
    touched: list[str] = field(default_factory=list)
    output: str = ""


class StepObserver(Protocol):
    """Told of each step as it starts and when it has run (a drill turns these into events)."""

    def started(self, step: Step) -> None: ...

    def finished(self, result: StepResult) -> None: ...


class Executor:
    """Runs runbooks on one running stack through a CommandAdapter."""

    def __init__(
        self,
        stack: StackBackend,
        *,
        names: dict[str, str] | None = None,
        sections: Sequence[Section] = (Section.RESOLUTION, Section.VERIFICATION),
        stop_on_failure: bool = False,
        wait_cap_s: float | None = None,
        http_timeout_s: float = 10.0,
        line_timeout_s: float | None = LINE_TIMEOUT_S,
        on_step: StepObserver | None = None,
        refuse_destructive: bool = False,
    ) -> None:
        self.stack = stack
        self.names = dict(names or {})
        self.sections = tuple(sections)
        self.stop_on_failure = stop_on_failure
        self.wait_cap_s = wait_cap_s
        self.http_timeout_s = http_timeout_s
        self.line_timeout_s = line_timeout_s
        self.on_step = on_step
        self.refuse_destructive = refuse_destructive

    def adapter(self, runbook: Runbook) -> CommandAdapter:
        names = {**runbook.names, **self.names}
        return CommandAdapter(
            self.stack.spec,
            NameMap(self.stack.spec, names),
            refuse_destructive=self.refuse_destructive,
        )

    def run(self, runbook: Runbook) -> Execution:
        """Run the runbook's steps of the chosen sections, in order; never raises for a step."""
        adapter = self.adapter(runbook)
        concerned = [s for s in (adapter.names.resolve(n).service for n in runbook.services) if s]
        context = _Context(touched=list(concerned))
        started = time.monotonic()
        results: list[StepResult] = []
        failed = False
        for step in runbook.section_steps(*self.sections):
            if failed and self.stop_on_failure:
                results.append(StepResult(step, SKIPPED, time.monotonic(), 0.0, detail="skipped"))
                continue
            if self.on_step is not None:
                self.on_step.started(step)
            result = self.step(step, adapter, context)
            if self.on_step is not None:
                self.on_step.finished(result)
            results.append(result)
            failed = failed or result.status == FAILED
        return Execution(runbook, started, tuple(results))

    def run_commands(self, commands: Sequence[str], label: str) -> Execution:
        """Run loose shell commands (a scenario's own steps) through the same adapter."""
        steps = tuple(
            Step(StepKind.COMMAND, text, line=i + 1, section=Section.RESOLUTION)
            for i, text in enumerate(commands)
        )
        runbook = Runbook(
            id=label,
            title=label,
            path=Path(label),
            line=1,
            steps=steps,
            sections=frozenset({Section.RESOLUTION}),
        )
        return self.run(runbook)

    def remediation(self, runbook: Runbook, into: list[Execution]) -> Callable[[], None]:
        """A DrillPlan.remediate callable running the runbook; each Execution goes to `into`."""

        def remediate() -> None:
            into.append(self.run(runbook))

        return remediate

    # -- one step -------------------------------------------------------------------------------
    def step(self, step: Step, adapter: CommandAdapter, context: _Context) -> StepResult:
        start = time.monotonic()
        if step.kind is StepKind.MANUAL:
            return StepResult(step, MANUAL, start, 0.0, detail=f"manual: {step.text}")
        if step.kind is StepKind.WAIT:
            detail = self.wait(step.wait_s or 0.0, context)
            return StepResult(step, WAITED, start, time.monotonic() - start, detail=detail)
        translation = adapter.translate(step.text, step.line, step.shell)
        not_run = translation.admission.step_status
        if not_run is not None:
            return StepResult(step, not_run, start, 0.0, detail=translation.reason)
        names = tuple(describe(a) for a in translation.actions)
        context.output = ""
        try:
            for action in translation.actions:
                ok = self.perform(action, context)
                if not ok:
                    return StepResult(
                        step,
                        FAILED,
                        start,
                        time.monotonic() - start,
                        _cut(context.output),
                        failure(action, context.output),
                        names,
                    )
        except DrillbookError as exc:  # said for a person already
            why = exc.message
            return StepResult(step, FAILED, start, time.monotonic() - start, why, why, names)
        except Exception as exc:  # an OS, HTTP or Docker API error: the step failed
            why = f"{type(exc).__name__}: {exc}"
            return StepResult(step, FAILED, start, time.monotonic() - start, why, why, names)
        said = f"destructive, run inside the drill: {translation.destructive}"
        return StepResult(
            step,
            OK,
            start,
            time.monotonic() - start,
            _cut(context.output),
            said if translation.destructive else "",
            names,
        )

    def wait(self, written_s: float, context: _Context) -> str:
        services = context.touched or sorted(self.stack.spec.services)
        budget = written_s if self.wait_cap_s is None else min(written_s, self.wait_cap_s)
        start = time.monotonic()
        while True:
            pending = [s for s in dict.fromkeys(services) if not self._ready(s)]
            took = time.monotonic() - start
            written = format_duration(written_s)
            if not pending:
                return f"written wait {written}: {', '.join(services)} ready after {took:.1f} s"
            if took >= budget:
                return f"written wait {written}: still not ready: {', '.join(pending)}"
            time.sleep(0.2)

    def _ready(self, name: str) -> bool:
        try:
            service = self.stack.service(name)
            return bool(service.status() == "running" and service.check_ready() is None)
        except Exception:  # a container gone or mid-restart is simply not ready yet
            return False

    # -- one action -----------------------------------------------------------------------------
    def perform(self, action: Action, context: _Context) -> bool:
        """Carry out one action; its output goes to context.output. False means it failed."""
        service_name = getattr(action, "service", None)
        if isinstance(service_name, str):
            context.touched.append(service_name)
        ok, context.output = self.dispatch(action, context)
        return ok

    def dispatch(self, action: Action, context: _Context) -> tuple[bool, str]:
        """The handler of each action type; mypy checks that every type has one."""
        match action:
            case Filter():
                return True, apply_filter(action, context.output)
            case Wait():
                return True, self.wait(action.seconds, context)
            case Lifecycle():
                return self._do_lifecycle(action)
            case Logs():
                return self._do_logs(action)
            case Exec():
                return self._do_exec(action)
            case Status():
                return self._do_status(action)
            case Stats():
                return self._do_stats(action)
            case Inspect():
                return self._do_inspect(action)
            case Scale():
                return self._do_scale(action)
            case Recreate():
                return self._do_recreate(action)
            case UpdateMemory():
                return self._do_update_memory(action)
            case Http():
                return self._do_http(action)
            case ComposeRun():
                context.touched.extend(action.services)
                return self._do_compose(action)
            case KubectlRun():
                context.touched.extend(action.services)
                return self._do_kubectl(action)
            case _:
                assert_never(action)

    def _do_lifecycle(self, a: Lifecycle) -> tuple[bool, str]:
        service = self.stack.service(a.service)
        getattr(service, a.verb)()
        return True, f"{a.verb} {a.service}: {service.status()}"

    def _do_logs(self, a: Logs) -> tuple[bool, str]:
        return True, str(self.stack.service(a.service).logs(tail=a.tail))

    def _do_exec(self, a: Exec) -> tuple[bool, str]:
        service = self.stack.service(a.service)
        code, output = service.exec(list(a.argv), timeout_s=self.line_timeout_s)
        if code != 0:  # as a shell would leave it for a person to see (`echo $?`)
            output = f"{output.rstrip()}\n(exit status {code})".lstrip()
        return code == 0, str(output)

    def _do_status(self, a: Status) -> tuple[bool, str]:
        lines = []
        for name in a.services:
            try:
                lines.append(f"{name:20} {self.stack.service(name).status()}")
            except DrillbookError:
                lines.append(f"{name:20} not running")
        return True, "\n".join(lines)

    def _do_stats(self, a: Stats) -> tuple[bool, str]:
        lines = []
        for name in a.services:
            try:
                memory = self.stack.service(name).memory()
            except Exception as exc:
                lines.append(f"{name:20} {type(exc).__name__}")
                continue
            if memory is None:
                lines.append(f"{name:20} mem not reported")
                continue
            used, limit = memory
            lines.append(f"{name:20} mem {used / 2**20:.0f} MiB / {limit / 2**20:.0f} MiB")
        return True, "\n".join(lines)

    def _do_inspect(self, a: Inspect) -> tuple[bool, str]:
        return True, json.dumps(self.stack.service(a.service).state(), indent=2)

    def _do_scale(self, a: Scale) -> tuple[bool, str]:
        self.stack.scale(a.service, a.replicas)
        return True, f"{a.service} scaled to {a.replicas}"

    def _do_recreate(self, a: Recreate) -> tuple[bool, str]:
        self.stack.recreate(a.service, env=dict(a.env) or None)
        changed = ", ".join(f"{k}={v}" for k, v in a.env) or "as defined in the stack"
        return True, f"{a.service} recreated ({changed})"

    def _do_update_memory(self, a: UpdateMemory) -> tuple[bool, str]:
        self.stack.limit_memory(a.service, a.memory)
        return True, f"{a.service} memory limit {a.memory}"

    def _do_compose(self, a: ComposeRun) -> tuple[bool, str]:
        return self._as_written("compose", a.argv, "this stack is not a Compose project")

    def _do_kubectl(self, a: KubectlRun) -> tuple[bool, str]:
        return self._as_written("kubectl", a.argv, "this stack is not on Kubernetes")

    def _as_written(self, tool: Tool, argv: tuple[str, ...], elsewhere: str) -> tuple[bool, str]:
        """A line for the backend's own tool (Compose, kubectl), run as written by the stack."""
        done = self.stack.run_line(tool, list(argv))
        return (False, elsewhere) if done is None else done

    def _do_http(self, a: Http) -> tuple[bool, str]:
        url = str(self.stack.service(a.service).url) + a.path
        require_loopback(url)
        response = httpx.request(
            a.method,
            url,
            headers=dict(a.headers),
            content=a.body,
            timeout=self.http_timeout_s,
        )
        ok = not (a.fail_on_error and response.status_code >= 400)
        return ok, f"HTTP {response.status_code}\n{response.text}"


def failure(action: Action, output: str, lines: int = 3) -> str:
    """Why a step failed, in a person's words: what it did and the last lines it printed."""
    said = [line.strip() for line in output.strip().splitlines() if line.strip()][-lines:]
    return f"`{describe(action)}` failed" + (": " + " | ".join(said) if said else "")


def apply_filter(f: Filter, text: str) -> str:
    """grep / head / tail / wc -l over a command's output, as the shell pipe would."""
    lines = text.splitlines()
    if f.program == "grep":
        pattern = re.compile(f.pattern, re.IGNORECASE if f.ignore_case else 0)
        lines = [line for line in lines if bool(pattern.search(line)) != f.invert]
    elif f.program == "head":
        lines = lines[: f.count]
    elif f.program == "tail":
        lines = lines[-f.count :] if f.count else []
    elif f.program == "wc":
        return str(len(lines))
    return "\n".join(lines)


def _cut(text: str) -> str:
    return text if len(text) <= _OUTPUT_LIMIT else text[:_OUTPUT_LIMIT] + "\n[...]"
