"""Recorded processes: found again by pid and start time, stopped by record."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from drillbook.cluster.processes import pids_using, recorded, running, spawn, stop


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
