"""Child processes tied to drillbook: they die with it, and carry a mark if they ever do not.

A drill killed with SIGKILL (the OOM killer, `kill -9`, a CI runner's hard stop) runs no
finalizer, so a child it started would live on. Two things tie a child to drillbook:

- the Linux parent-death signal: the child asks the kernel for SIGKILL when its parent goes
  (`prctl(PR_SET_PDEATHSIG)`), set in a small wrapper that then `exec`s the real command, so the
  signal survives into it (it is kept across execve for anything but set-user-ID programs);
- the environment mark of `labels.process_marks`, so that the reaper and `drillbook stack down`
  find and end what got away (a non-Linux host, a wrapper that could not set the signal).

The kernel's "parent" here is the *thread* that forked the child, not the process: a child
started from a worker thread would be killed as soon as that thread ends (a thread pool's
worker, say), while the load it generates is still wanted. So children are always forked by a
thread that lives as long as the process: the main thread, or else one daemon spawner thread
that every other thread hands its requests to.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from queue import SimpleQueue
from typing import IO

from drillbook.stack.labels import process_marks

# Run by the child's own interpreter (isolated, no site: stdlib only, fast to start).
# 1 is PR_SET_PDEATHSIG. If drillbook died before the request took effect, the child has been
# re-parented already: it ends instead of running unowned.
_WRAPPER = """\
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0) != 0:
    sys.exit("drillbook: prctl(PR_SET_PDEATHSIG) failed: " + os.strerror(ctypes.get_errno()))
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
os.execvp(sys.argv[2], sys.argv[2:])
"""


def start(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    stdout: IO[bytes],
    run_id: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start `command` tied to this process: it dies with it, and carries drillbook's mark.

    Stdout and stderr go to `stdout`; stdin is closed. The child gets a session of its own, so a
    Ctrl-C at the terminal reaches drillbook, which stops it in order.
    """
    marked = {**env, **process_marks(run_id)}

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            wrapped(command, os.getpid()),
            env=marked,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    if threading.current_thread() is threading.main_thread():
        return spawn()
    return _spawner().call(spawn)


def wrapped(command: Sequence[str], parent_pid: int) -> list[str]:
    """`command` behind the parent-death wrapper (unchanged where Linux's prctl is missing)."""
    if not sys.platform.startswith("linux"):
        return list(command)
    return [sys.executable, "-I", "-S", "-c", _WRAPPER, str(parent_pid), *command]


class _Spawner:
    """One daemon thread that forks on behalf of the others and never ends before the process.

    It waits on its queue for the whole life of the process, so it outlives every child it
    forks: their parent-death signal then fires only when the process itself dies.
    """

    def __init__(self) -> None:
        self._requests: SimpleQueue[
            tuple[Callable[[], subprocess.Popen[bytes]], Future[subprocess.Popen[bytes]]]
        ] = SimpleQueue()
        threading.Thread(target=self._serve, name="drillbook-spawner", daemon=True).start()

    def call(self, spawn: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        future: Future[subprocess.Popen[bytes]] = Future()
        self._requests.put((spawn, future))
        return future.result()

    def _serve(self) -> None:
        while True:
            spawn, future = self._requests.get()
            try:
                future.set_result(spawn())
            except BaseException as exc:  # handed to the caller, who raises it
                future.set_exception(exc)


_SPAWNER: _Spawner | None = None
_SPAWNER_LOCK = threading.Lock()


def _spawner() -> _Spawner:
    global _SPAWNER
    with _SPAWNER_LOCK:
        if _SPAWNER is None:
            _SPAWNER = _Spawner()
        return _SPAWNER
