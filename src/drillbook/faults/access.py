"""The containers a fault may act on, and the ways it acts on them.

Only containers carrying drillbook's label (and the run id of the stack at hand) are touched;
anything else is refused before any action. Processes a fault starts inside a container carry
a marker in their command line so that revert, and a scan for leftovers, can find them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

from docker.errors import APIError, NotFound
from docker.models.containers import Container

from drillbook.errors import DrillbookError
from drillbook.stack import labels

if TYPE_CHECKING:
    from drillbook.stack import Service, Stack

MARKER = "drillbook-fault-"  # argv[0] of every process a fault starts in a container


def require_managed(container: Container, run_id: str | None = None) -> Container:
    """The container, reloaded, if drillbook labelled it (for this run); otherwise refuse."""
    try:
        container.reload()
    except NotFound:
        raise DrillbookError(f"container {container.name} no longer exists") from None
    found = container.labels or {}
    if found.get(labels.MANAGED) != "true":
        raise DrillbookError(
            f"refusing to touch container {container.name}: it does not carry drillbook's "
            f"label {labels.MANAGED}",
            "faults act only on containers drillbook started",
        )
    if run_id is not None and found.get(labels.RUN) != run_id:
        raise DrillbookError(
            f"refusing to touch container {container.name}: it belongs to drillbook run "
            f"{found.get(labels.RUN)}, not {run_id}"
        )
    return container


def service_of(stack: Stack, name: str) -> Service:
    """The service's current Service (it may have been recreated), its container checked."""
    service = stack.service(name)
    require_managed(service.docker, stack.run_id)
    return service


def container_of(stack: Stack, name: str) -> Container:
    return service_of(stack, name).docker


def status(container: Container) -> str:
    container.reload()
    return str(container.status)


def reachable(stack: Stack, name: str) -> Container | None:
    """The service's container, unpaused, if it is running; None if it is not.

    Cleanup inside the container (killing a fault's processes, deleting its files) needs it
    running. A stopped one has nothing of the fault running in it: starting it is enough.
    """
    container = container_of(stack, name)  # freshly reloaded by the label check
    if container.status == "paused":
        container.unpause()
        container.reload()
    return container if container.status == "running" else None


def exec_root(container: Container, argv: list[str], *, detach: bool = False) -> tuple[int, str]:
    """Run a command as root in the container; (exit code, output). Detached: (0, "")."""
    try:
        result = container.exec_run(argv, user="root", detach=detach)
    except APIError as exc:
        raise DrillbookError(
            f"cannot run {argv[0]} in {container.name}: {exc.explanation or exc}"
        ) from None
    if detach:
        return 0, ""
    output = result.output if isinstance(result.output, bytes) else b""
    return int(result.exit_code or 0), output.decode(errors="replace")


def start_marked(container: Container, fault_id: str, script: str) -> None:
    """Start `script` (sh) in the background in its own process group, named by the fault."""
    # Detached from the exec's output pipes: while a background process holds them open, the
    # engine makes the next exec into the container wait seconds.
    launcher = 'exec setsid sh -c "$1" "$2" </dev/null >/dev/null 2>&1'
    exec_root(container, ["sh", "-c", launcher, "start", script, MARKER + fault_id], detach=True)


# Prints the process group of every process whose command line holds the marker given as $1
# (the finder itself, whose arguments hold it too, is skipped).
_FIND = (
    'm=$1; for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = $$ ] && continue; '
    'grep -qaF -- "$m" "$d/cmdline" 2>/dev/null || continue; '
    'read -r s < "$d/stat" && set -- $s && echo "$5"; done'
)


def find_marked(container: Container, fault_id: str = "") -> list[int]:
    """Process groups (in the container) a fault started; any fault's if no id is given."""
    code, out = exec_root(container, ["sh", "-c", _FIND, "find", MARKER + fault_id])
    if code != 0:
        raise DrillbookError(f"cannot list processes in {container.name}: {out.strip()}")
    return sorted({int(p) for p in out.split()})


def kill_marked(container: Container, fault_id: str) -> None:
    """Kill every process group the fault started."""
    # No default id: an empty one would match, and kill, the processes of every fault.
    groups = find_marked(container, fault_id)
    if groups:
        # Negative: the whole group, the marked shell and everything it started. dash's kill
        # takes no "--", and -9 before the pids keeps "-123" from reading as an option.
        exec_root(
            container, ["sh", "-c", 'for g; do kill -9 "-$g"; done', "kill", *map(str, groups)]
        )


def host_pid(container: Container) -> int:
    """The host pid of the container's main process, checked to be that container's.

    Used to enter its network namespace; the checks make sure that namespace is the
    container's own and never this host's.
    """
    container.reload()
    pid = int(container.attrs["State"]["Pid"] or 0)
    if container.status not in ("running", "paused") or pid <= 0:
        raise DrillbookError(f"container {container.name} is not running ({container.status})")
    try:
        with open(f"/proc/{pid}/cgroup") as f:
            cgroups = f.read()
        netns = os.readlink(f"/proc/{pid}/ns/net")
        own = os.readlink("/proc/self/ns/net")
    except OSError as exc:
        raise DrillbookError(f"cannot inspect process {pid} of {container.name}: {exc}") from None
    if container.id is None or container.id not in cgroups:
        raise DrillbookError(f"process {pid} does not belong to container {container.name}")
    if netns == own:
        raise DrillbookError(
            f"container {container.name} shares this host's network namespace: refusing to "
            "change its firewall"
        )
    return pid


def in_netns(container: Container, *commands: list[str]) -> str:
    """Run host commands (iptables) in turn inside the container's network namespace.

    Returns their output, joined. The container's pid is looked up and checked once for all
    of them; the first that fails stops the rest.
    """
    if os.geteuid() != 0 or shutil.which("nsenter") is None:
        raise DrillbookError(
            "kernel network faults need root and nsenter on the Docker host",
            "run as root, or use the Toxiproxy faults (latency, timeout, link-down, ...)",
        )
    pid = host_pid(container)
    out = ""
    for argv in commands:
        done = subprocess.run(
            ["nsenter", "-t", str(pid), "-n", *argv], capture_output=True, text=True, timeout=30
        )
        if done.returncode != 0:
            raise DrillbookError(
                f"{' '.join(argv[:2])} in {container.name} failed: {done.stderr.strip()}"
            )
        out += done.stdout
    return out


def restore_running(stack: Stack, name: str, timeout_s: float | None = None) -> Container:
    """Bring a service back to running and ready, whatever state a fault left it in.

    Returns its container, for a revert that goes on to act in it.
    """
    service = service_of(stack, name)
    state = service.docker.status  # service_of has just reloaded it
    if state == "paused":
        service.unpause()
    elif state != "running":
        service.start()
    service.wait_ready(timeout_s)
    return service.docker
