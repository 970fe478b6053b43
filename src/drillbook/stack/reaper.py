"""Removal of what drillbook started: a finished run's, or a killed run's leftovers.

Containers, networks and volumes carrying drillbook's label, and processes carrying its mark
(Locust, see `labels.PROCESS_OWNER`). Nothing without the label or the mark is looked at.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

import docker
from docker.errors import APIError, NotFound

from drillbook.stack import labels
from drillbook.stack.labels import PROC, ProcessMark


def remove(
    client: docker.DockerClient,
    *,
    keep: Callable[[dict[str, str]], bool],
    keep_process: Callable[[ProcessMark], bool],
) -> int:
    """Remove every drillbook-labelled container, then network and volume, for which `keep`
    is false, and end every marked process for which `keep_process` is false.

    Returns how many objects were removed or ended.
    """
    removed = 0
    # Load first: it would fire at the ports of the containers going away.
    removed += end_processes(lambda mark: not keep_process(mark))
    # ignore_removed: another run may remove one of its containers between list and inspect.
    for container in client.containers.list(
        all=True, filters=labels.managed_filter(), ignore_removed=True
    ):
        if keep(container.labels):
            continue
        try:
            container.remove(force=True, v=True)
            removed += 1
        except NotFound:
            pass
        except APIError as exc:
            if exc.status_code != 409:  # 409: another reaper is already removing it
                raise
    for network in client.networks.list(filters=labels.managed_filter()):
        if keep(network.attrs.get("Labels") or {}):
            continue
        try:
            network.remove()
            removed += 1
        except (NotFound, APIError):
            pass  # still has an endpoint being torn down; the next reap takes it
    for volume in client.volumes.list(filters=labels.managed_filter()):
        if keep(volume.attrs.get("Labels") or {}):
            continue
        try:
            volume.remove(force=True)
            removed += 1
        except (NotFound, APIError):
            pass  # still mounted by a container being removed; the next reap takes it
    return removed


def reap_dead_runs(client: docker.DockerClient) -> int:
    """Remove what killed test runs left: session-owned objects whose process is gone."""
    return remove(
        client,
        keep=lambda lab: lab.get(labels.MODE) != "session" or labels.owner_alive(lab),
        keep_process=labels.process_owner_alive,
    )


def remove_run(client: docker.DockerClient, run_id: str) -> int:
    return remove(
        client,
        keep=lambda lab: lab.get(labels.RUN) != run_id,
        keep_process=lambda mark: mark.run_id != run_id,
    )


def remove_detached(client: docker.DockerClient, stack: str | None = None) -> int:
    """Remove stacks left running by `drillbook stack up`, and every dead run's leftovers;
    with `stack`, only those of the stack of that name."""
    return remove(
        client,
        keep=kept_by_down(stack),
        keep_process=labels.process_owner_alive if stack is None else lambda mark: True,
    )


def kept_by_down(stack: str | None) -> Callable[[dict[str, str]], bool]:
    """What `drillbook stack down [--stack S]` keeps: live test runs' objects, and with a
    stack name every other stack's."""

    def keep(lab: dict[str, str]) -> bool:
        if stack is not None and lab.get(labels.STACK) != stack:
            return True
        return lab.get(labels.MODE) == "session" and labels.owner_alive(lab)

    return keep


def remove_all(client: docker.DockerClient) -> int:
    return remove(client, keep=lambda lab: False, keep_process=lambda mark: False)


def marked_processes(proc: Path = PROC) -> list[ProcessMark]:
    """Every process that carries drillbook's mark and lives in this process's pid namespace.

    Another namespace (a container, or drillbook running in one) numbers its processes
    differently, so its owner pids cannot be judged from here: those are left alone.
    """
    own_namespace = _pid_namespace(proc / "self")
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if _pid_namespace(entry) != own_namespace:
                continue
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        mark = labels.read_mark(int(entry.name), environ)
        if mark is not None:
            found.append(mark)
    return found


def end_processes(select: Callable[[ProcessMark], bool], proc: Path = PROC) -> int:
    """SIGKILL every marked process `select` picks; returns how many were ended."""
    return sum(_kill(mark, proc) for mark in marked_processes(proc) if select(mark))


def _pid_namespace(process: Path) -> str:
    return os.readlink(process / "ns" / "pid")


def _kill(mark: ProcessMark, proc: Path) -> bool:
    # The pid may have been reused since /proc was read: hold the process by a pidfd, check
    # the mark once more, and signal exactly the process the pidfd holds.
    try:
        pidfd = os.pidfd_open(mark.pid)
    except OSError:
        return False
    try:
        with contextlib.suppress(OSError):
            if labels.read_mark(mark.pid, (proc / str(mark.pid) / "environ").read_bytes()) == mark:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                return True
        return False
    finally:
        os.close(pidfd)
