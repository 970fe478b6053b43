"""The labels drillbook puts on everything it creates, and the filters that find them.

Only objects carrying MANAGED are ever touched, removed or faulted by drillbook.

Processes get the same treatment through their environment: every long-lived process drillbook
starts (Locust) carries PROCESS_OWNER, inherited by its own children, so that the reaper can
find what a killed run left and end it, and never ends a process without the mark.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

MANAGED = "io.drillbook.managed"
RUN = "io.drillbook.run"
SERVICE = "io.drillbook.service"
REPLICA = "io.drillbook.replica"
MODE = "io.drillbook.mode"  # "session": owned by a live process; "detached": `stack up`
OWNER_PID = "io.drillbook.owner-pid"
OWNER_HOST = "io.drillbook.owner-host"
STACK = "io.drillbook.stack"
IMAGE_HASH = "io.drillbook.content-hash"

# "<pid>:<start time>" of the drillbook process that started it. The start time (clock ticks
# after boot, from /proc) tells the owner from a later process that got the same pid.
PROCESS_OWNER = "DRILLBOOK_OWNER"
PROCESS_RUN = "DRILLBOOK_RUN"
PROC = Path("/proc")


def run_labels(run_id: str, stack: str, mode: str) -> dict[str, str]:
    return {
        MANAGED: "true",
        RUN: run_id,
        STACK: stack,
        MODE: mode,
        OWNER_PID: str(os.getpid()),
        OWNER_HOST: socket.gethostname(),
    }


def managed_filter(**extra: str) -> dict[str, str | list[str] | bool]:
    return {"label": [f"{MANAGED}=true", *(f"{k}={v}" for k, v in extra.items())]}


def owner_alive(labels: dict[str, str]) -> bool:
    """Whether the process that created an object is still running on this host."""
    if labels.get(OWNER_HOST) != socket.gethostname():
        return True  # another host's run: not ours to judge
    try:
        pid = int(labels.get(OWNER_PID, ""))
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class ProcessMark:
    """A process that carries drillbook's mark: who started it, for which run."""

    pid: int
    owner_pid: int
    owner_start: int
    run_id: str | None


def process_marks(run_id: str | None = None, proc: Path = PROC) -> dict[str, str]:
    """The environment that marks a process as started by this process (for run `run_id`)."""
    me = os.getpid()
    marks = {PROCESS_OWNER: f"{me}:{start_time(me, proc) or 0}"}
    if run_id:
        marks[PROCESS_RUN] = run_id
    return marks


def read_mark(pid: int, environ: bytes) -> ProcessMark | None:
    """The mark in a process's environment (`/proc/PID/environ`), None if it carries none.

    A malformed mark counts as none: a process drillbook cannot judge is left alone.
    """
    env: dict[bytes, bytes] = {}
    for entry in environ.split(b"\0"):
        key, sep, value = entry.partition(b"=")
        if sep:
            env[key] = value
    owner = env.get(PROCESS_OWNER.encode())
    if owner is None:
        return None
    owner_pid, _, owner_start = owner.partition(b":")
    try:
        run = env.get(PROCESS_RUN.encode())
        return ProcessMark(pid, int(owner_pid), int(owner_start), run.decode() if run else None)
    except (ValueError, UnicodeDecodeError):
        return None


def start_time(pid: int, proc: Path = PROC) -> int | None:
    """When process `pid` started (clock ticks after boot, from its stat), None if it is gone."""
    try:
        stat = (proc / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    fields = stat[stat.rfind(b")") + 1 :].split()
    try:
        return int(fields[19])  # field 22 of proc(5), counted after the name
    except (IndexError, ValueError):
        return None


def process_owner_alive(mark: ProcessMark, proc: Path = PROC) -> bool:
    """Whether the drillbook process that started a marked process still runs."""
    started = start_time(mark.owner_pid, proc)
    if started is None:
        return False
    return mark.owner_start in (0, started)  # 0: the owner could not read its start time
