"""Nothing of drillbook's outlives a run: normal end, exception, SIGKILL, SIGTERM, CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import docker
import pytest

from drillbook.stack import Stack, labels, load_stack_spec, reaper
from drillbook.stack.images import ensure_images

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def objects_of_run(client: docker.DockerClient, run_id: str) -> int:
    f = labels.managed_filter(**{labels.RUN: run_id})
    return len(client.containers.list(all=True, filters=f)) + len(client.networks.list(filters=f))


def test_stack_is_removed_when_the_block_raises(
    mini_stack: Path, client: docker.DockerClient
) -> None:
    with pytest.raises(RuntimeError), Stack(load_stack_spec(mini_stack), client=client) as stack:
        run_id = stack.run_id
        assert objects_of_run(client, run_id) == 2  # the container and the network
        raise RuntimeError("test failure inside a drill")
    assert objects_of_run(client, run_id) == 0


def _spawn(code: str, mini_stack: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, str(mini_stack)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


def test_leftovers_of_a_killed_run_are_reaped(
    mini_stack: Path, client: docker.DockerClient
) -> None:
    code = (
        "import os, sys\n"
        "from drillbook.stack import Stack, load_stack_spec\n"
        "s = Stack(load_stack_spec(sys.argv[1])).up()\n"
        "print(s.run_id, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    process = _spawn(code, mini_stack)
    assert process.stdout is not None
    run_id = process.stdout.readline().strip()
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert objects_of_run(client, run_id) == 2, "SIGKILL left nothing behind to reap?"
    assert reaper.reap_dead_runs(client) >= 2
    assert objects_of_run(client, run_id) == 0


def test_an_interrupted_pytest_run_removes_its_stack(
    mini_stack: Path, client: docker.DockerClient, tmp_path: Path
) -> None:
    test_file = tmp_path / "test_hangs.py"
    test_file.write_text(
        "import time\n"
        "def test_hangs(drillbook_stack):\n"
        "    print('RUN', drillbook_stack.run_id, flush=True)\n"
        "    time.sleep(120)\n"
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:locust",
            "-s",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--drillbook-stack={mini_stack}",
            f"--rootdir={tmp_path}",
            str(test_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    run_id = ""
    deadline = time.monotonic() + 60
    for line in process.stdout:
        if line.startswith("RUN "):
            run_id = line.split()[1]
            break
        assert time.monotonic() < deadline
    assert run_id and objects_of_run(client, run_id) == 2
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert objects_of_run(client, run_id) == 0


def drillbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "drillbook.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )


def test_cli_stack_up_status_down(mini_stack: Path, client: docker.DockerClient) -> None:
    up = drillbook("stack", "up", "--json", "--stack", str(mini_stack))
    assert up.returncode == 0, up.stderr
    endpoints = json.loads(up.stdout)
    run_id = endpoints["run"]
    try:
        redis = endpoints["services"]["redis"]
        assert redis["host"] == "127.0.0.1" and isinstance(redis["port"], int)
        assert "ready in" in up.stderr  # progress went to stderr, JSON alone to stdout
        status = json.loads(drillbook("stack", "status", "--json").stdout)
        assert any(r["run"] == run_id and r["status"] == "running" for r in status)
    finally:
        down = drillbook("stack", "down")
    assert down.returncode == 0, down.stderr
    assert objects_of_run(client, run_id) == 0


def test_unchanged_images_are_not_rebuilt(mini_stack: Path, client: docker.DockerClient) -> None:
    messages: list[str] = []
    ensure_images(client, load_stack_spec(mini_stack), messages.append)
    assert any("up to date" in m for m in messages)
    assert not any("building" in m for m in messages)
