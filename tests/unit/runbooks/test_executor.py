"""The executor against a test double of the Stack: step order, statuses, waits, refusals."""

from __future__ import annotations

from dataclasses import dataclass, field

from drillbook.runbooks.executor import Executor
from drillbook.runbooks.parser import parse_text
from drillbook.stack.spec import StackSpec


@dataclass
class FakeService:
    name: str
    calls: list[str]
    running: bool = True

    def status(self) -> str:
        return "running" if self.running else "exited"

    def check_ready(self) -> str | None:
        return None if self.running else "down"

    def restart(self) -> None:
        self.calls.append(f"restart {self.name}")
        self.running = True

    def start(self) -> None:
        self.calls.append(f"start {self.name}")
        self.running = True

    def exec(self, argv: list[str], timeout_s: float | None = None) -> tuple[int, str]:
        self.calls.append(f"exec {self.name} {' '.join(argv)}")
        return (0, "PONG") if argv[-1] == "ping" else (1, "ERR")

    def logs(self, tail: int) -> str:
        return "ok\nERROR boom\nok"


@dataclass
class FakeStack:
    spec: StackSpec
    calls: list[str] = field(default_factory=list)
    services: dict[str, FakeService] = field(default_factory=dict)

    def service(self, name: str) -> FakeService:
        return self.services.setdefault(name, FakeService(name, self.calls))


RUNBOOK = """---
id: t
alert: T
mttr: 5m
services: [redis]
---
# T
## Diagnosis
```bash
docker compose logs redis
```
## Resolution
```bash
docker compose up -d obsidian-redis
docker system prune -a
netstat -an
```
Wait 2 minutes.
1. Tell the team
## Verification
```bash
docker compose logs redis | grep -i error
redis-cli -h redis ping
redis-cli -h redis get nothing
```
"""


def test_steps_run_in_order_with_statuses(spec: StackSpec) -> None:
    stack = FakeStack(spec)
    stack.service("redis").running = False
    (runbook,) = parse_text(RUNBOOK, "t.md").runbooks
    execution = Executor(stack, wait_cap_s=1.0).run(runbook)
    statuses = [(r.step.line, r.status) for r in execution.results]
    assert statuses == [
        (14, "ok"),
        (15, "refused"),
        (16, "not executable"),
        (18, "waited"),
        (19, "manual"),
        (22, "ok"),
        (23, "ok"),
        (24, "failed"),
    ]
    assert stack.calls == [
        "start redis",
        "exec redis redis-cli ping",
        "exec redis redis-cli get nothing",
    ]
    wait = execution.results[3]
    assert "written wait 2 min" in wait.detail and "ready" in wait.detail
    assert wait.duration_s < 1.0  # ready at once: the written 2 minutes are not slept
    assert execution.results[5].output == "ERROR boom"
    assert not execution.ok
    as_json = execution.as_json()
    assert as_json["steps"][3]["written_wait_s"] == 120.0


def test_stop_on_failure_skips_the_rest(spec: StackSpec) -> None:
    stack = FakeStack(spec)
    text = RUNBOOK.replace("redis-cli -h redis ping", "redis-cli -h redis get x")
    (runbook,) = parse_text(text, "t.md").runbooks
    execution = Executor(stack, stop_on_failure=True, wait_cap_s=0.5).run(runbook)
    assert [r.status for r in execution.results][-2:] == ["failed", "skipped"]


def test_statuses_serialise_as_their_words(spec: StackSpec) -> None:
    import json

    from drillbook.runbooks.status import StepStatus

    (runbook,) = parse_text(RUNBOOK, "t.md").runbooks
    execution = Executor(FakeStack(spec), wait_cap_s=0.5).run(runbook)
    words = [step["status"] for step in json.loads(json.dumps(execution.as_json()))["steps"]]
    assert words[:2] == ["ok", "refused"] and "not executable" in words
    assert all(type(w) is str for w in words)
    assert "  15 refused " in execution.report()
    assert StepStatus("not executable") is StepStatus.NOT_EXECUTABLE == "not executable"
