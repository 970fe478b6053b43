"""Removing a cluster, from its records alone: what `down()` does, also after a SIGKILL.

Order matters: the kubelet before the containers (so it restarts none), the containers
before containerd, containerd's shims and anything left in the cluster's cgroups before the
namespace holder (whose end unmounts everything mounted in that namespace), then the control
plane, the iptables rules and chains the cluster made, the bridge, the cgroups, the host
folders the cluster created, and last what it wrote in its state directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from drillbook.cluster import cgroups, chains, network, node
from drillbook.cluster.layout import HOST_DIRS_CREATED, Layout
from drillbook.cluster.processes import (
    cmdline,
    pids_named,
    pids_using,
    start_time,
    stop,
    strays,
    terminate,
)
from drillbook.host.progress import Progress, quiet

# Every process the cluster runs, in the order `up` starts them.
PROCESSES = (
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "nsholder",
    "containerd",
    "kubelet",
    "kube-proxy",
)
SHIM_SOCKETS = Path("/run/containerd/s")


def claim_host_dirs(layout: Layout) -> None:
    """Make the kubelet's fixed host folders exist as mount points, recording those we made."""
    record = layout.state / HOST_DIRS_CREATED
    created: list[str] = json.loads(record.read_text()) if record.is_file() else []
    for host_dir in node.PRIVATE_HOST_DIRS:
        if not host_dir.exists():
            host_dir.mkdir(parents=True)
            created.append(str(host_dir))
    record.write_text(json.dumps(sorted(set(created))), encoding="utf-8")


def tear_down(layout: Layout, progress: Progress = quiet) -> None:
    """Remove the cluster kept in `layout`; safe to run on a cluster half up or already down."""
    layout.refuse_foreign()
    if not layout.entries():
        with contextlib.suppress(OSError):
            layout.state.rmdir()  # an empty folder (an `up` refused before writing)
        progress("cluster: nothing to remove")
        return
    pids = layout.pids
    containers = cgroups.container_ids(layout)  # before containerd forgets them
    if stop(pids, "kube-proxy"):
        progress("cluster: stopped kube-proxy")
    stop(pids, "kubelet")
    _kill_containers(layout)
    stop(pids, "containerd")
    for pid in pids_using(str(layout.containerd_socket)):  # the containers' shims
        terminate(pid, start_time(pid), grace_s=2)
    cgroups.kill_members(cgroups.cgroups_of(containers))
    for socket in shim_sockets(layout, containers):
        socket.unlink(missing_ok=True)
    stop(pids, "nsholder", grace_s=2)
    for name in ("kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"):
        stop(pids, name)
    _stop_strays(layout, progress)
    progress("cluster: processes stopped")
    network.remove_rules(layout.network_name)
    _remove_chains(layout, progress)
    if network.remove_bridge(layout.bridge):
        progress(f"cluster: removed bridge {layout.bridge}")
    removed = cgroups.remove(cgroups.cgroups_of(containers), layout)
    if removed:
        progress(f"cluster: removed {removed} cgroups")
    _release_host_dirs(layout)
    _unmount_under(layout.state)
    remove_state(layout)
    progress(f"cluster: removed {layout.state}")


def remove_state(layout: Layout) -> None:
    """Remove what the cluster wrote in its state directory, and the directory if that
    leaves it empty: never anything else that is in there."""
    for entry in layout.entries():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        layout.state.rmdir()


def shim_sockets(layout: Layout, containers: set[str]) -> list[Path]:
    """The sockets of the containers' shims: containerd 1.6 keeps them in the host's
    /run/containerd/s/ whatever its own state directory, each named by the hash of its
    containerd address, namespace and container id (a killed shim leaves its socket)."""
    sock = str(layout.containerd_socket)
    return [
        SHIM_SOCKETS / hashlib.sha256(os.path.join(sock, "k8s.io", i).encode()).hexdigest()
        for i in sorted(containers)
    ]


# the programs the cluster runs, by command name (`comm`, at most 15 characters)
PROGRAMS = frozenset(
    {"etcd", "kube-apiserver", "kube-controller", "kube-scheduler", "kubelet", "kube-proxy"}
    | {"containerd", "nsenter", "unshare"}
)


def _stop_strays(layout: Layout, progress: Progress) -> None:
    """Processes an `up` killed between starting and recording them: the cluster's programs
    started after its settings were written, with its state directory in their arguments."""
    try:
        since = layout.settings_file.stat().st_mtime
    except OSError:
        return  # no settings: no process was started
    for pid in strays(f"{layout.state.resolve()}/", PROGRAMS, since):
        progress(f"cluster: stopping unrecorded process {pid} ({' '.join(cmdline(pid))[:80]})")
        terminate(pid, start_time(pid), grace_s=2)


def _remove_chains(layout: Layout, progress: Progress) -> None:
    """The KUBE-* chains this cluster made: kube-proxy's if it ran one, the kubelet's; none
    while another kube-proxy or kubelet runs on the host (they may be its chains)."""
    proxy = (layout.logs / "kube-proxy.log").exists() and not pids_named("kube-proxy")
    removed = chains.remove_made(layout, proxy=proxy, kubelet=not pids_named("kubelet"))
    if removed is None:
        progress(
            "cluster: no record of the host's KUBE-* iptables chains before up: left as they are"
        )
    elif removed:
        progress(f"cluster: removed {removed} iptables chains")


def _kill_containers(layout: Layout) -> None:
    sock = layout.containerd_socket
    if not sock.exists():
        return
    ctr = ["ctr", "--address", str(sock), "-n", "k8s.io"]
    try:
        listed = subprocess.run(
            [*ctr, "tasks", "ls", "-q"], capture_output=True, text=True, timeout=20, check=False
        )
        for task in listed.stdout.split():
            subprocess.run(
                [*ctr, "tasks", "kill", "-s", "SIGKILL", task],
                capture_output=True,
                timeout=20,
                check=False,
            )
    except subprocess.TimeoutExpired:
        pass  # a hung containerd: its containers are killed through their cgroups below


def _release_host_dirs(layout: Layout) -> None:
    record = layout.state / HOST_DIRS_CREATED
    if not record.is_file():
        return
    busy = mount_points_anywhere()
    for created in json.loads(record.read_text()):
        # another cluster's namespace may have it as a mount point: its kubelet needs it
        if created not in busy:
            cgroups.remove_empty(Path(created))


def mount_points_anywhere(proc: Path = Path("/proc")) -> set[str]:
    """Every mount point in any process's mount namespace (each namespace read once)."""
    points: set[str] = set()
    seen: set[str] = set()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            namespace = os.readlink(entry / "ns" / "mnt")
            if namespace in seen:
                continue
            mountinfo = (entry / "mountinfo").read_text()
        except OSError:
            continue  # gone, or a kernel thread
        seen.add(namespace)
        points.update(line.split()[4] for line in mountinfo.splitlines() if line.strip())
    return points


def _unmount_under(path: Path) -> None:
    """Lazily unmount anything still mounted under `path` in our namespace (never expected:
    the cluster mounts only inside its private namespace), so rmtree cannot reach into it."""
    prefix = str(path.resolve()) + "/"
    for line in reversed(Path("/proc/self/mountinfo").read_text().splitlines()):
        target = line.split()[4]
        if target.startswith(prefix):
            subprocess.run(["umount", "-l", target], capture_output=True, check=False)
