"""Real processes for the tests of drillbook's process handling: read from /proc, or left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from pathlib import Path

import drillbook

SRC = str(Path(drillbook.__file__).resolve().parents[1])


def stat_fields(pid: int) -> list[str] | None:
    """proc(5) stat fields 3 onwards (state, ppid, ...; start time at [19]), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    return stat.rsplit(")", 1)[1].split()


def alive(pid: int, started: str | None = None) -> bool:
    """Running, not a zombie waiting to be reaped; with `started`, that very process and not a
    later one with the same pid."""
    fields = stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return started is None or fields[19] == started


def gone_within(processes: Mapping[int, str | None], timeout_s: float) -> float | None:
    """Seconds until none of `processes` (pid -> start time or None) is alive, None if one
    still is after `timeout_s`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if not any(alive(pid, started) for pid, started in processes.items()):
            return time.monotonic() - start
        time.sleep(0.005)
    return None


def python(script: str) -> subprocess.Popen[str]:
    """A Python process running `script` with this drillbook importable; its stdout piped."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=subprocess.PIPE,
        text=True,
    )


def left_behind(run_id: str) -> int:
    """A marked `sleep 60` for `run_id` whose owner has exited (untethered): what a killed run
    leaves when the parent-death signal could not be had. Returns its pid."""
    owner = python(
        f"""
        import os, subprocess
        from drillbook.stack.labels import process_marks
        child = subprocess.Popen(["sleep", "60"], env={{**os.environ, **process_marks("{run_id}")}},
                                 stdout=subprocess.DEVNULL, start_new_session=True)
        print(child.pid, flush=True)
        """
    )
    return int(owner.communicate()[0])
