"""Runbook Compose lines on a Compose stack: run as written, after the same safety checks.

The Compose file is read by the real `docker compose config` (no engine needed); on the
reference stack (not Compose) the same lines stay translated into Service verbs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drillbook.runbooks.actions import ComposeRun, Lifecycle
from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.executor import Executor
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.status import Admission, StepStatus
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

COMPOSE = """\
services:
  api:
    image: shop/api:1
    environment: {REDIS_URL: "redis://redis:6379/0"}
    healthcheck: {test: [CMD, "true"]}
  redis:
    image: redis:7
    healthcheck: {test: [CMD, "true"]}
  worker:
    image: shop/worker:1
    healthcheck: {test: [CMD, "true"]}
x-drillbook:
  links: [{from: api, to: redis, port: 6379}]
"""


@pytest.fixture(scope="module")
def compose_spec(tmp_path_factory: pytest.TempPathFactory) -> StackSpec:
    path = tmp_path_factory.mktemp("shop") / "compose.yml"
    path.write_text(COMPOSE)
    return load_stack_spec(path)


def run_of(spec: StackSpec, line: str, names: dict[str, str] | None = None) -> ComposeRun:
    t = CommandAdapter(spec, NameMap(spec, names or {})).translate(line, 1)
    assert t.admission is Admission.RUN, t.reason
    (action,) = t.actions
    assert isinstance(action, ComposeRun)
    return action


@pytest.mark.parametrize(
    ("line", "argv", "services"),
    [
        (
            "docker-compose -f docker-compose.production.yml restart api",
            "-f docker-compose.production.yml restart api",
            ("api",),
        ),
        ("docker compose exec redis redis-cli ping", "exec redis redis-cli ping", ("redis",)),
        ("docker-compose up -d --scale worker=3", "up -d --scale worker=3", ("worker",)),
        ("docker-compose -f prod.yml ps", "-f prod.yml ps", ()),
        ("docker compose logs --tail=100 api", "logs --tail=100 api", ("api",)),
    ],
)
def test_compose_lines_run_as_written_on_a_compose_stack(
    compose_spec: StackSpec, line: str, argv: str, services: tuple[str, ...]
) -> None:
    action = run_of(compose_spec, line)
    assert action.argv == tuple(argv.split())
    assert action.services == services


def test_a_verb_naming_no_service_acts_on_the_users_services_not_drillbooks_proxy(
    compose_spec: StackSpec,
) -> None:
    assert compose_spec.proxy  # the link put drillbook's Toxiproxy in the project
    action = run_of(compose_spec, "docker-compose -f docker-compose.prod.yml restart")
    assert action.argv == ("-f", "docker-compose.prod.yml", "restart", "api", "redis", "worker")


def test_the_runbooks_names_become_the_stacks(compose_spec: StackSpec) -> None:
    names = {"cache-prod": "redis", "jobs": "worker"}
    action = run_of(compose_spec, "docker compose restart cache-prod", names)
    assert action.argv == ("restart", "redis")
    action = run_of(compose_spec, "docker-compose up -d --scale jobs=3", names)
    assert action.argv == ("up", "-d", "--scale", "worker=3")


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("docker-compose -f docker-compose.production.yml down", Admission.NOT_EXECUTABLE),
        ("docker compose down -v", Admission.REFUSED),
        ("docker compose exec redis redis-cli FLUSHALL", Admission.REFUSED),
        ("docker compose restart [service-name]", Admission.NOT_EXECUTABLE),
        ("docker compose restart nginx", Admission.NOT_EXECUTABLE),
        ("docker compose up", Admission.NOT_EXECUTABLE),
    ],
)
def test_the_same_checks_come_first(compose_spec: StackSpec, line: str, status: Admission) -> None:
    assert CommandAdapter(compose_spec).translate(line, 1).admission is status


def test_on_the_reference_stack_compose_lines_stay_translated(spec: StackSpec) -> None:
    t = CommandAdapter(spec).translate("docker-compose -f prod.yml restart redis", 1)
    assert t.actions == (Lifecycle("redis", "restart"),)


@dataclass
class ComposeStack:
    """A test double of a running Compose stack: records the Compose lines it is given."""

    spec: StackSpec
    lines: list[list[str]] = field(default_factory=list)

    def run_line(self, tool: str, argv: list[str]) -> tuple[bool, str] | None:
        if tool != "compose":
            return None
        self.lines.append(argv)
        return argv[-1] != "worker", "out"  # this worker will not restart

    def service(self, name: str) -> object:
        raise AssertionError(f"a Compose line must not use the Service verbs ({name})")


RUNBOOK = """\
# Redis down
## Symptoms
Errors.
## Resolution
```bash
docker-compose -f docker-compose.production.yml restart redis
docker compose exec redis redis-cli ping
docker compose restart broken
```
"""


def test_the_executor_hands_compose_lines_to_the_stacks_compose(
    compose_spec: StackSpec,
) -> None:
    stack = ComposeStack(compose_spec)
    (runbook,) = parse_text(RUNBOOK, Path("r.md")).runbooks
    execution = Executor(stack, names={"broken": "api"}).run(runbook)
    assert stack.lines == [
        ["-f", "docker-compose.production.yml", "restart", "redis"],
        ["exec", "redis", "redis-cli", "ping"],
        ["restart", "api"],
    ]
    assert [r.status for r in execution.results] == [StepStatus.OK, StepStatus.OK, StepStatus.OK]


def test_a_failing_compose_line_fails_its_step(compose_spec: StackSpec) -> None:
    stack = ComposeStack(compose_spec)
    (runbook,) = parse_text(RUNBOOK, Path("r.md")).runbooks
    execution = Executor(stack, names={"broken": "worker"}).run(runbook)
    assert stack.lines[-1] == ["restart", "worker"]
    assert execution.results[-1].status is StepStatus.FAILED
    assert execution.results[-1].output == "out"
    assert not execution.ok
    # said as a person reads it: what ran and what it printed last, no Python repr
    assert execution.results[-1].detail == "`docker compose restart worker` failed: out"
