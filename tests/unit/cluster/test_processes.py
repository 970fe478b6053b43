"""Recorded processes: found again by pid and start time, stopped by record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drillbook.cluster import processes
from drillbook.cluster.processes import (
    pids_named,
    pids_using,
    recorded,
    running,
    spawn,
    started_at,
    stop,
    strays,
)


def test_a_spawned_process_is_recorded_running_and_stopped(tmp_path: Path) -> None:
    record = spawn("sleeper", ["sleep", "60"], tmp_path / "pids", tmp_path / "logs")
    assert running(tmp_path / "pids", "sleeper") == record
    assert os.getsid(record.pid) == record.pid  # its own session: not hit by our Ctrl-C
    assert stop(tmp_path / "pids", "sleeper", grace_s=5)
    assert not record.alive()
    assert recorded(tmp_path / "pids", "sleeper") is None


def test_a_reused_pid_is_not_taken_for_the_recorded_process(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    # our own pid, but recorded with another start time: some other process's old record
    (pids / "ghost.json").write_text(
        json.dumps({"name": "ghost", "pid": os.getpid(), "started": 1})
    )
    assert running(pids, "ghost") is None
    assert not stop(pids, "ghost")  # and it is not signalled: we are still here


def test_processes_are_found_by_an_exact_argument(tmp_path: Path) -> None:
    marker = str(tmp_path / "unique.sock")
    argv = [sys.executable, "-c", "import time; time.sleep(60)", marker]
    record = spawn("marked", argv, tmp_path / "pids", tmp_path / "logs")
    try:
        assert pids_using(marker) == [record.pid]
        assert pids_using(marker + "x") == []
    finally:
        stop(tmp_path / "pids", "marked", grace_s=5)


def test_processes_are_found_by_their_command_name(tmp_path: Path) -> None:
    record = spawn("sleeper", ["sleep", "60"], tmp_path / "pids", tmp_path / "logs")
    try:
        assert record.pid in pids_named("sleep")
        assert record.pid not in pids_named("sleeq")
    finally:
        stop(tmp_path / "pids", "sleeper", grace_s=5)


def test_an_unrecorded_process_of_the_cluster_is_found_by_its_arguments(tmp_path: Path) -> None:
    since = time.time() - 1
    marker = f"{tmp_path}/"
    stray = subprocess.Popen(["sh", "-c", "sleep 60", f"{tmp_path}/kubelet/config.yaml"])
    other = subprocess.Popen(["sh", "-c", "sleep 60", "/elsewhere/kubelet/config.yaml"])
    try:
        deadline = time.monotonic() + 5
        while started_at(stray.pid) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert strays(marker, frozenset({"sh"}), since) == [stray.pid]
        # a process started before the cluster's settings were written is never its
        assert strays(marker, frozenset({"sh"}), time.time() + 60) == []
        assert strays(marker, frozenset({"kubelet"}), since) == []
    finally:
        for proc in (stray, other):
            proc.kill()
            proc.wait()


def test_a_process_that_survives_stop_stays_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = spawn("stuck", ["sleep", "60"], tmp_path / "pids", tmp_path / "logs")
    monkeypatch.setattr(processes, "terminate", lambda *_a, **_k: None)  # D state: unkillable
    try:
        assert stop(tmp_path / "pids", "stuck")
        assert recorded(tmp_path / "pids", "stuck") == record
    finally:
        monkeypatch.undo()
        stop(tmp_path / "pids", "stuck", grace_s=2)
    assert recorded(tmp_path / "pids", "stuck") is None
