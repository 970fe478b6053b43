"""Our runbooks, executed as written on the real stack, with and without the fault they fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from drillbook.runbooks.actions import Recreate, Scale, UpdateMemory
from drillbook.runbooks.executor import Execution, Executor
from drillbook.runbooks.model import Runbook, StepKind
from drillbook.runbooks.parser import parse_file, parse_text
from drillbook.stack import Stack

pytestmark = pytest.mark.integration

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
KEY = {"X-API-Key": "drillbook-dev-key"}


def runbook(name: str) -> Runbook:
    (rb,) = parse_file(RUNBOOKS / f"{name}.md").runbooks
    return rb


def problems(execution: Execution) -> list[str]:
    return [
        f"{r.step.line}: {r.status}: {r.step.text}: {r.detail} {r.output[-300:]}"
        for r in execution.results
        if r.status not in ("ok", "waited", "manual")
    ]


def restore(stack: Stack, executor: Executor, rb: Runbook) -> None:
    """Undo what a runbook changed on the shared stack: environment, limits, replicas."""
    adapter = executor.adapter(rb)
    for step in rb.steps:
        for action in adapter.translate(step.text, step.line, step.shell).actions:
            if isinstance(action, Recreate | UpdateMemory):
                stack.recreate(action.service)
            elif isinstance(action, Scale):
                stack.scale(action.service, 1)
    for name in rb.services:
        service = stack.service(name)
        if service.status() != "running":
            service.start()
        service.wait_ready()
    wait_api_ready(stack)


def wait_api_ready(stack: Stack, timeout_s: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    url = stack.service("api").url + "/ready"
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"api not ready within {timeout_s} s")


def take_backup(stack: Stack) -> None:
    """The backup the backup-restore runbook restores from, taken inside the postgres container."""
    dump = ["pg_dump", "-U", "drillbook", "-Fc", "-f", "/var/lib/postgresql/backup.dump"]
    code, out = stack.service("postgres").exec([*dump, "drillbook"])
    assert code == 0, out


@pytest.fixture
def document(drillbook_stack: Stack) -> Iterator[int]:
    """A document written through the api, so reads and restores have data to act on."""
    api = drillbook_stack.service("api").url
    created = httpx.post(
        f"{api}/v1/documents", json={"title": "runbook", "body": "kept"}, headers=KEY, timeout=30
    )
    assert created.status_code == 201, created.text
    yield int(created.json()["id"])


@pytest.mark.parametrize("name", sorted(p.stem for p in RUNBOOKS.glob("*.md")))
def test_each_runbook_runs_cleanly_on_a_healthy_stack(
    drillbook_stack: Stack, document: int, name: str
) -> None:
    rb = runbook(name)
    executor = Executor(drillbook_stack, wait_cap_s=60.0)
    try:
        if name == "backup-restore":
            take_backup(drillbook_stack)
        execution = executor.run(rb)
    finally:
        restore(drillbook_stack, executor, rb)
    assert problems(execution) == []
    assert execution.ok


def test_redis_down_runbook_brings_redis_back(drillbook_stack: Stack) -> None:
    redis = drillbook_stack.service("redis")
    rb = runbook("redis-down")
    executor = Executor(drillbook_stack, wait_cap_s=30.0)
    try:
        redis.kill()
        assert redis.status() != "running"
        execution = executor.run(rb)
        # Judged before `restore`, which would start Redis itself.
        assert problems(execution) == [] and execution.ok
        assert any(r.status == "ok" and r.step.kind is StepKind.COMMAND for r in execution.results)
        assert redis.status() == "running"
        assert redis.exec(["redis-cli", "ping"])[1].strip() == "PONG"
    finally:
        restore(drillbook_stack, executor, rb)
    lines = [r.step.line for r in execution.results]
    assert lines == sorted(lines) and all(r.duration_s >= 0 for r in execution.results)


def test_bad_deploy_runbook_rolls_back_a_crash_looping_api(drillbook_stack: Stack) -> None:
    rb = runbook("bad-deploy")
    executor = Executor(drillbook_stack, wait_cap_s=60.0)
    try:
        drillbook_stack.recreate("api", command=["sh", "-c", "exit 3"], wait=False)
        with pytest.raises(httpx.HTTPError):
            httpx.get(drillbook_stack.service("api").url + "/health", timeout=2.0)
        execution = executor.run(rb)
        # Judged before `restore`, which would recreate the api as defined itself.
        assert problems(execution) == [] and execution.ok
        assert httpx.get(drillbook_stack.service("api").url + "/health").status_code == 200
    finally:
        restore(drillbook_stack, executor, rb)


def test_backup_restore_runbook_brings_deleted_rows_back(
    drillbook_stack: Stack, document: int
) -> None:
    postgres = drillbook_stack.service("postgres")
    psql = ["psql", "-U", "drillbook", "-d", "drillbook", "-tAc"]
    rb = runbook("backup-restore")
    executor = Executor(drillbook_stack, wait_cap_s=60.0)
    try:
        take_backup(drillbook_stack)
        code, out = postgres.exec([*psql, f"DELETE FROM documents WHERE id = {document}"])
        assert code == 0, out
        execution = executor.run(rb)
    finally:
        restore(drillbook_stack, executor, rb)
    assert problems(execution) == [] and execution.ok
    code, out = postgres.exec([*psql, f"SELECT body FROM documents WHERE id = {document}"])
    assert (code, out.strip()) == (0, "kept")


def test_refused_and_unknown_steps_are_reported_not_run(drillbook_stack: Stack) -> None:
    text = (
        "---\nid: unsafe\nalert: U\nmttr: 1m\n---\n# Unsafe\n## Resolution\n```bash\n"
        # database 9 only: the session's stack is shared, its cache must stay as it was
        "docker exec redis redis-cli -n 9 FLUSHDB\nnetstat -an\ncurl https://example.com/\n```\n"
    )
    (rb,) = parse_text(text, "unsafe.md").runbooks
    redis = drillbook_stack.service("redis")
    assert redis.exec(["redis-cli", "-n", "9", "set", "runbook:sentinel", "1"])[0] == 0
    execution = Executor(drillbook_stack, refuse_destructive=True).run(rb)
    assert [r.status for r in execution.results] == [
        "refused",
        "not executable",
        "not executable",
    ]
    # The FLUSHDB was refused: the key is still there.
    assert redis.exec(["redis-cli", "-n", "9", "exists", "runbook:sentinel"])[1].strip() == "1"
    # By default it runs, in the drill's own Redis only, and says it is destructive.
    first = Executor(drillbook_stack).run(rb).results[0]
    assert first.status == "ok" and first.detail.startswith("destructive, run inside the drill")
    assert redis.exec(["redis-cli", "-n", "9", "exists", "runbook:sentinel"])[1].strip() == "0"
