"""`drillbook drill --target`: a drill on a stack that was already running (`drillbook stack up`).

The stack must come out as it went in: every container running, on its port, as defined;
the drill's fault reverted also when the drill is interrupted; nothing of the drill left.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest

from drillbook.stack import Stack, labels, load_stack_spec, reaper
from drillbook.stack.images import ensure_images
from tests.processes import as_a_background_job, at_a_terminal

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "fixtures" / "stack.yaml"

pytestmark = [pytest.mark.integration, pytest.mark.selfcheck]


@pytest.fixture(scope="module")
def running(client: docker.DockerClient) -> Iterator[Stack]:
    """A stack left running as `drillbook stack up` leaves it: not owned by this process."""
    spec = load_stack_spec(STACK)
    ensure_images(client, spec)
    stack = Stack(spec, mode="detached", client=client).up()
    # Detached stacks outlive their process by design: this one is removed even on an exit
    # that skips the fixture's finalizer.
    atexit.register(reaper.remove_run, client, stack.run_id)
    yield stack
    # `drillbook stack down` finds all of it (by these labels), containers a drill recreated too.
    of_run = client.containers.list(
        all=True, filters=labels.managed_filter(**{labels.RUN: stack.run_id})
    )
    assert {c.labels.get(labels.MODE) for c in of_run} == {"detached"}
    reaper.remove_run(client, stack.run_id)


def _drill(*args: str) -> list[str]:
    return [sys.executable, "-m", "drillbook.cli", "drill", "redis-down", *args]


def _run(argv: list[str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """The drill as a script runs it: nobody at a terminal to answer."""
    return subprocess.run(
        argv, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout_s
    )


def _containers(client: docker.DockerClient, run_id: str) -> dict[str, tuple[object, ...]]:
    """The target's containers: name -> what a drill must leave as it was. A target drill
    starts no run of its own: anything it creates carries the target's run id."""
    found: dict[str, tuple[object, ...]] = {}
    of_run = labels.managed_filter(**{labels.RUN: run_id})
    for c in client.containers.list(all=True, filters=of_run):
        a = c.attrs
        found[c.name] = (
            c.status,
            a["Image"],
            a["Config"]["Labels"],
            sorted(a["Config"]["Env"]),
            a["HostConfig"]["PortBindings"],
            a["HostConfig"]["Memory"],
            sorted(a["NetworkSettings"]["Networks"]),
        )
    return found


def _as_defined(client: docker.DockerClient, run_id: str) -> None:
    """The running stack is whole, ready, and as its definition says."""
    again = Stack.attach(load_stack_spec(STACK), run_id, client=client)
    for name, service in again.services.items():
        assert service.status() == "running", name
        assert service.drift() is None, name
        service.wait_ready(timeout_s=30)
    assert all(link.enabled() and not link.toxics() for link in again.links.values())
    again.down()


def test_target_drill_needs_a_confirmation(client: docker.DockerClient, running: Stack) -> None:
    before = {c.id for c in client.containers.list(filters=labels.managed_filter())}
    done = _run(_drill("--target", running.run_id), timeout_s=120)
    assert done.returncode == 1, done.stderr
    assert "needs a confirmation" in done.stderr and "--yes" in done.stderr
    # The warning named what would be touched; nothing was.
    assert f"run {running.run_id}" in done.stdout and "redis" in done.stdout
    assert {c.id for c in client.containers.list(filters=labels.managed_filter())} == before


def test_a_second_drill_on_the_same_stack_waits_its_turn(
    client: docker.DockerClient, running: Stack
) -> None:
    lock = Path(tempfile.gettempdir()) / f"drillbook-target-{running.run_id}.lock"
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a drill in progress holds it
        done = _run(_drill("--target", running.run_id, "--yes"), timeout_s=120)
    assert done.returncode == 1
    assert f"another drill is running on stack run {running.run_id}" in done.stderr


def test_target_drill_runs_on_the_stack_and_leaves_it_running(
    client: docker.DockerClient, running: Stack, tmp_path: Path
) -> None:
    before = _containers(client, running.run_id)
    where = ["--results", str(tmp_path)]
    done = _run(_drill("--target", running.run_id, "--yes", "--auto", *where), timeout_s=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"attached to run {running.run_id}" in done.stderr

    result = json.loads((tmp_path / "redis-down.json").read_text())
    assert result["passed"] and 0 < result["ttr_s"] <= result["target_s"]
    assert sum(result["series"]["errors"]) > 0  # the outage happened on the target
    (drill,) = (tmp_path / "drills").iterdir()
    report = (drill / "report.md").read_text()
    assert f"on running stack {running.run_id}" in report.splitlines()[0]
    assert "## redis-down — passed" in report

    # Same containers by name, all running, on the same ports; nothing of another run.
    assert _containers(client, running.run_id) == before
    _as_defined(client, running.run_id)


@pytest.mark.parametrize(
    ("launch", "stop"),
    [
        (at_a_terminal, signal.SIGINT),
        (at_a_terminal, signal.SIGTERM),
        # A CI runner's step or `nohup ... &`: SIGINT is ignored, SIGTERM is how it is stopped.
        (as_a_background_job, signal.SIGTERM),
    ],
    ids=["ctrl-c", "kill", "kill-background-job"],
)
def test_interrupted_target_drill_reverts_its_fault(
    client: docker.DockerClient,
    running: Stack,
    tmp_path: Path,
    launch: Callable[[list[str]], list[str]],
    stop: signal.Signals,
) -> None:
    before = _containers(client, running.run_id)
    argv = [*_drill("--target", running.run_id, "--yes", "--manual"), "--results", str(tmp_path)]
    drill = subprocess.Popen(
        launch(argv),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    injected = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert drill.stderr is not None
        for line in drill.stderr:
            lines.append(line)
            if "fault injected" in line:
                injected.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert injected.wait(120), "".join(lines[-40:])
        time.sleep(1.0)  # Redis is down now and nobody fixes it (--manual)
        assert running.service("redis").status() != "running"
        drill.send_signal(stop)
        stopped = time.monotonic()
        assert drill.wait(120) == 130, "".join(lines[-40:])
        print(f"\n{stop.name}: reverted and exited in {time.monotonic() - stopped:.1f} s")
    finally:
        if drill.poll() is None:
            drill.kill()
        reader.join(10)
    assert "interrupted" in "".join(lines)
    assert _containers(client, running.run_id) == before
    _as_defined(client, running.run_id)
