"""A drill killed with SIGKILL in the middle of its outage leaves nothing behind.

The OOM killer ends only the process it picks, with SIGKILL: no finalizer runs. The Locust
process the drill started must end by itself, and `drillbook stack down` must remove the
drill's containers, networks and volumes, and end any marked process a dead run left.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import docker
import pytest

from drillbook.stack import labels, reaper
from tests.processes import SRC, alive, gone_within, left_behind, stat_fields

ROOT = Path(__file__).resolve().parents[2]
INJECTED = "redis-down: fault injected"
ENV = {**os.environ, "PYTHONPATH": SRC, "PYTHONUNBUFFERED": "1"}


def locust_children(parent: int) -> dict[int, str | None]:
    """pid -> start time of every Locust process whose parent is `parent`, read from /proc."""
    found: dict[int, str | None] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = stat_fields(int(entry.name))
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if fields is not None and fields[1] == str(parent) and b"locust" in command:
            found[int(entry.name)] = fields[19]
    return found


def drill_until_injected(results: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """`drillbook drill redis-down --auto`, returned once it says the fault is injected."""
    command = [sys.executable, "-m", "drillbook.cli", "drill", "redis-down", "--auto"]
    drill = subprocess.Popen(
        [*command, "--results", str(results)],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert drill.stdout is not None
        for line in drill.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    output: list[str] = []
    deadline = time.monotonic() + 300
    while not any(INJECTED in line for line in output):
        if time.monotonic() > deadline or (drill.poll() is not None and lines.empty()):
            drill.kill()
            pytest.fail("the drill did not inject its fault:\n" + "".join(output[-40:]))
        with contextlib.suppress(queue.Empty):
            output.append(lines.get(timeout=1))
    return drill, output


@pytest.mark.integration
def test_a_killed_drill_leaves_no_load_and_stack_down_leaves_nothing(
    tmp_path: Path, client: docker.DockerClient
) -> None:
    drill, output = drill_until_injected(tmp_path / "results")
    try:
        # Mid-outage: the load runs, and the drill's stack is up.
        locusts = locust_children(drill.pid)
        assert locusts, "no Locust process under the drill:\n" + "".join(output)
        owned = labels.managed_filter(**{labels.OWNER_PID: str(drill.pid)})
        runs = {c.labels[labels.RUN] for c in client.containers.list(all=True, filters=owned)}
        assert runs

        drill.send_signal(signal.SIGKILL)  # the drill process only, as the OOM killer does
        killed_at = time.monotonic()
        drill.wait()
        gone = gone_within(locusts, timeout_s=30)
        assert gone is not None, "Locust outlived the killed drill by 30 s"
        gone_after_s = time.monotonic() - killed_at
        print(f"\nLocust ({len(locusts)} process) gone {gone_after_s * 1000:.0f} ms after SIGKILL")
    finally:
        if drill.poll() is None:
            drill.kill()
            drill.wait()

    try:
        # Nothing removed the drill's containers yet: that is `stack down`'s job. It must also
        # end a marked process a dead run left (one that got no parent-death signal).
        assert client.containers.list(all=True, filters=owned)
        stack_down_ends(left_behind(uuid.uuid4().hex[:10]), client)
        for run in runs:
            left = labels.managed_filter(**{labels.RUN: run})
            assert client.containers.list(all=True, filters=left) == []
            assert client.networks.list(filters=left) == []
            assert client.volumes.list(filters=left) == []
        assert not any(alive(pid, started) for pid, started in locusts.items())
    finally:
        for run in runs:  # only this drill's, whatever happened above
            reaper.remove_run(client, run)


def stack_down_ends(orphan: int, client: docker.DockerClient) -> None:
    """Run `drillbook stack down`; `orphan` must be gone after it."""
    try:
        # `stack down` also removes what `drillbook stack up` left running: on a shared engine,
        # someone else's. Do not take it away from them.
        detached = labels.managed_filter(**{labels.MODE: "detached"})
        if client.containers.list(all=True, filters=detached):
            pytest.skip(
                "a `drillbook stack up` stack runs on this engine; `stack down` would end it"
            )
        down = subprocess.run(
            [sys.executable, "-m", "drillbook.cli", "stack", "down"],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert down.returncode == 0, down.stdout + down.stderr
        assert gone_within({orphan: None}, timeout_s=5) is not None
    finally:
        if alive(orphan):
            os.kill(orphan, signal.SIGKILL)
