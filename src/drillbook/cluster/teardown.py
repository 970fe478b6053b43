"""Removing a cluster, from its records alone: what `down()` does, also after a SIGKILL.

Order matters: kube-proxy's rules first, the kubelet before the containers (so it restarts
none), the containers before containerd, containerd's shims and anything left in the
cluster's cgroups before the namespace holder (whose end unmounts everything mounted in that
namespace), then the control plane, the bridge, the cgroups, the host folders the cluster
created, and last its state directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from drillbook.cluster import cgroups, network, node
from drillbook.cluster.layout import Layout
from drillbook.cluster.processes import pids_using, start_time, stop, terminate
from drillbook.stack.progress import Progress, quiet

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
CREATED_DIRS = "host-dirs-created.json"


def claim_host_dirs(layout: Layout) -> None:
    """Make the kubelet's fixed host folders exist as mount points, recording those we made."""
    record = layout.state / CREATED_DIRS
    created: list[str] = json.loads(record.read_text()) if record.is_file() else []
    for host_dir in node.PRIVATE_HOST_DIRS:
        if not host_dir.exists():
            host_dir.mkdir(parents=True)
            created.append(str(host_dir))
    record.write_text(json.dumps(sorted(set(created))), encoding="utf-8")


def tear_down(layout: Layout, bindir: Path, progress: Progress = quiet) -> None:
    """Remove the cluster kept in `layout`; safe to run on a cluster half up or already down."""
    if not layout.state.exists():
        progress("cluster: nothing to remove")
        return
    pids = layout.pids
    containers = cgroups.container_ids(layout)  # before containerd forgets them
    if stop(pids, "kube-proxy"):
        progress("cluster: stopped kube-proxy")
    _proxy_cleanup(bindir, layout)
    stop(pids, "kubelet")
    _kill_containers(layout)
    stop(pids, "containerd")
    for pid in pids_using(str(layout.containerd_socket)):  # the containers' shims
        terminate(pid, start_time(pid), grace_s=2)
    cgroups.kill_members(cgroups.cgroups_of(containers))
    stop(pids, "nsholder", grace_s=2)
    for name in ("kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"):
        stop(pids, name)
    progress("cluster: processes stopped")
    network.remove_rules(layout.network_name)
    if network.remove_bridge(layout.bridge):
        progress(f"cluster: removed bridge {layout.bridge}")
    removed = cgroups.remove(cgroups.cgroups_of(containers), layout)
    if removed:
        progress(f"cluster: removed {removed} cgroups")
    _release_host_dirs(layout)
    _unmount_under(layout.state)
    shutil.rmtree(layout.state, ignore_errors=True)
    progress(f"cluster: removed {layout.state}")


def _proxy_cleanup(bindir: Path, layout: Layout) -> None:
    """`kube-proxy --cleanup` removes the KUBE-* iptables chains, if kube-proxy ever ran."""
    proxy = bindir / "kube-proxy"
    if proxy.is_file() and (layout.logs / "kube-proxy.log").exists():
        subprocess.run([str(proxy), "--cleanup", "--v=0"], capture_output=True, check=False)


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
    record = layout.state / CREATED_DIRS
    if not record.is_file():
        return
    for created in json.loads(record.read_text()):
        cgroups.remove_empty(Path(created))


def _unmount_under(path: Path) -> None:
    """Lazily unmount anything still mounted under `path` in our namespace (never expected:
    the cluster mounts only inside its private namespace), so rmtree cannot reach into it."""
    prefix = str(path.resolve()) + "/"
    for line in reversed(Path("/proc/self/mountinfo").read_text().splitlines()):
        target = line.split()[4]
        if target.startswith(prefix):
            subprocess.run(["umount", "-l", target], capture_output=True, check=False)
