"""Real processes for the tests of drillbook's process handling: read from /proc, or left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import drillbook

SRC = str(Path(drillbook.__file__).resolve().parents[1])

# A POSIX shell starts a background job (`cmd &` in a script, a CI runner's step) with SIGINT
# ignored, and an ignored signal stays ignored across fork and exec: Python then installs no
# KeyboardInterrupt handler. A test that stands for a person pressing Ctrl-C must not depend on
# how the suite itself was started, so it sets the child's SIGINT explicitly.
_WITH_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, getattr(signal, sys.argv[1])); "
    "os.execvp(sys.argv[2], sys.argv[2:])"
)


def at_a_terminal(argv: list[str]) -> list[str]:
    """`argv` started as from a terminal: SIGINT at its default action, whatever this process
    inherited (no `preexec_fn`, which is unsafe once threads run)."""
    return [sys.executable, "-c", _WITH_SIGINT, "SIG_DFL", *argv]


def as_a_background_job(argv: list[str]) -> list[str]:
    """`argv` started as `cmd &` in a script starts it: SIGINT ignored."""
    return [sys.executable, "-c", _WITH_SIGINT, "SIG_IGN", *argv]


@contextlib.contextmanager
def ctrl_c_raises() -> Iterator[None]:
    """In this (main) thread, SIGINT raises KeyboardInterrupt as at a terminal, whatever this
    process inherited; the previous handling is restored after."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


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
