"""A program run in a container through the engine's API, stopped when it outlasts its time.

The engine's exec API has no time limit and no way to stop what it started: `ping` without
`-c` or `tail -f` would hold a drill for ever. So the program runs in a worker thread, and
when its time is up every process of it is killed *inside its container* (by a `kill` run
there, with the process ids as the container sees them), which ends the exec as a person's
Ctrl-C would. The host's /proc is only read, to find the program's children and their ids
in the container's namespace. A child put in the background and re-parented, or an engine
on another machine, escapes this: the program then runs on until the container is removed
at the end of the run, and the step still ends at its time limit.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from docker.models.containers import Container

from drillbook.stack.backend import STOPPED


def run_bounded(
    container: Container, command: Sequence[str], timeout_s: float | None
) -> tuple[int, bytes, bool]:
    """Exit status, output, and whether it had to be stopped after `timeout_s`."""
    assert container.client is not None  # a container the engine listed has its client
    api = container.client.api
    exec_id = api.exec_create(container.id, list(command), stdout=True, stderr=True)["Id"]
    found: dict[str, bytes] = {}
    failed: list[BaseException] = []

    def run() -> None:
        try:
            found["output"] = bytes(api.exec_start(exec_id, demux=False) or b"")
        except BaseException as exc:  # handed to the caller, not lost in the thread
            failed.append(exc)

    worker = threading.Thread(target=run, name="drillbook-exec", daemon=True)
    worker.start()
    worker.join(timeout_s)
    stopped = worker.is_alive()
    if stopped:
        _kill_inside(container, int(api.exec_inspect(exec_id).get("Pid") or 0))
        worker.join(10)
    if failed:
        raise failed[0]
    code = api.exec_inspect(exec_id).get("ExitCode")
    if stopped:
        code = STOPPED
    return (-1 if code is None else int(code)), found.get("output", b""), stopped


def _kill_inside(container: Container, host_pid: int) -> None:
    """SIGKILL the exec's process and its descendants, from inside the container. Only when
    this machine's /proc shows that process in that container's cgroup: with an engine
    elsewhere (a remote host, a VM) the number names some other process, and nothing is done."""
    if not _in_container(host_pid, str(container.id)):
        return
    inside = [p for p in (_pid_inside(pid) for pid in _family(host_pid)) if p]
    if inside:  # the shell's own kill: slim images have no kill program
        container.exec_run(["sh", "-c", 'kill -KILL "$@"', "sh", *map(str, inside)])


def _in_container(pid: int, container_id: str) -> bool:
    try:
        return pid > 0 and container_id in Path(f"/proc/{pid}/cgroup").read_text()
    except OSError:
        return False


def _family(pid: int) -> list[int]:
    """`pid` and every descendant, as the host's /proc lists them (children before parents,
    so that none is re-parented between the reading and the kill)."""
    if pid <= 0:
        return []
    family: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            family.extend(_family(int(child)))
    return [*family, pid]


def _pid_inside(host_pid: int) -> int | None:
    """The id the container's own PID namespace gives the process (the last NSpid field)."""
    try:
        for line in Path(f"/proc/{host_pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    except (OSError, ValueError):
        return None
    return None
