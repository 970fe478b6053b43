"""The cluster's processes: started in their own session, recorded on disk, stopped by record.

Each process is recorded as `pids/<name>.json` with its pid *and* its start time (from
`/proc/<pid>/stat`), so that a later `down()` — from another process, after the one that
started the cluster was SIGKILLed — stops exactly that process and never one that reused its
pid. Processes belong to the cluster, not to the command that started them: a new session
keeps them out of its Ctrl-C.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Recorded:
    """A process the cluster started."""

    name: str
    pid: int
    started: int  # clock ticks after boot, field 22 of /proc/<pid>/stat

    def alive(self) -> bool:
        return start_time(self.pid) == self.started


def start_time(pid: int) -> int | None:
    """When `pid` started (clock ticks after boot), None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited; only its parent's wait is missing
        return None
    return int(fields[19])


def spawn(
    name: str,
    argv: Sequence[str],
    pids: Path,
    logs: Path,
    env: Mapping[str, str] | None = None,
) -> Recorded:
    """Start `argv` in a new session, its output to `logs/<name>.log`, and record it."""
    pids.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{name}.log").open("ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(env) if env is not None else None,
        )
    started = start_time(proc.pid)
    record = Recorded(name, proc.pid, started if started is not None else -1)
    (pids / f"{name}.json").write_text(json.dumps(record.__dict__), encoding="utf-8")
    return record


def recorded(pids: Path, name: str) -> Recorded | None:
    try:
        raw = json.loads((pids / f"{name}.json").read_text(encoding="utf-8"))
        return Recorded(raw["name"], int(raw["pid"]), int(raw["started"]))
    except (OSError, ValueError, KeyError):
        return None


def running(pids: Path, name: str) -> Recorded | None:
    """The recorded process `name` if it is still the same process and alive."""
    record = recorded(pids, name)
    return record if record is not None and record.alive() else None


def stop(pids: Path, name: str, grace_s: float = 10.0) -> bool:
    """SIGTERM the recorded process, SIGKILL after `grace_s`; forget it. True if it ran."""
    record = recorded(pids, name)
    was_running = record is not None and record.alive()
    if record is not None and was_running:
        terminate(record.pid, record.started, grace_s)
    (pids / f"{name}.json").unlink(missing_ok=True)
    return was_running


def terminate(pid: int, started: int | None, grace_s: float) -> None:
    """SIGTERM, then SIGKILL after `grace_s`, of the process `pid` started at `started`."""

    def same() -> bool:
        return start_time(pid) is not None and (started is None or start_time(pid) == started)

    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        if not same():
            return
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and same():
            _reap(pid)
            time.sleep(0.05)


def _reap(pid: int) -> None:
    """Collect our own child's exit status, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def pids_using(marker: str) -> list[int]:
    """Processes whose command line has `marker` as one of its arguments (e.g. our socket)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and marker in cmdline(int(entry.name)):
            found.append(int(entry.name))
    return found
