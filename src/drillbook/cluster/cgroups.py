"""The cluster's containers' cgroups, found from its containerd's records alone.

With cgroup v1 and `cgroupsPerQOS: false` the kubelet gives containerd no cgroup parent, and
containerd puts every container at `/k8s.io/<container id>` in each hierarchy (the kubelet's
`cgroupRoot` is not used then). Those ids are known from containerd itself while it runs, and
from its task state folders (`<state>/io.containerd.runtime.v2.task/k8s.io/<id>`) when it
does not: so `down()` kills and removes exactly the cluster's cgroups, never another
runtime's in the same `k8s.io` parent. The parent is removed only if `up` created it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from pathlib import Path

from drillbook.cluster.layout import Layout

HIERARCHIES = Path("/sys/fs/cgroup")
PARENT = "k8s.io"  # containerd's cgroup for its k8s.io namespace's containers
CREATED = "cgroup-parents-created.json"


def claim_parents(layout: Layout) -> None:
    """Before containerd starts: record the hierarchies where the `k8s.io` parent is new."""
    record = layout.state / CREATED
    if record.is_file():
        return
    new = [str(h / PARENT) for h in _hierarchies() if not (h / PARENT).exists()]
    record.write_text(json.dumps(new), encoding="utf-8")


def container_ids(layout: Layout) -> set[str]:
    """Every container the cluster's containerd knows, running or not."""
    ids: set[str] = set()
    tasks = layout.containerd / "state" / "io.containerd.runtime.v2.task" / "k8s.io"
    if tasks.is_dir():
        ids.update(p.name for p in tasks.iterdir())
    sock = layout.containerd_socket
    if sock.exists():
        with contextlib.suppress(subprocess.TimeoutExpired):
            listed = subprocess.run(
                ["ctr", "--address", str(sock), "-n", "k8s.io", "containers", "ls", "-q"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            )
            ids.update(listed.stdout.split())
    return ids


def cgroups_of(ids: set[str]) -> list[Path]:
    """The cgroups of those containers that exist, in every hierarchy."""
    return [
        h / PARENT / i for h in _hierarchies() for i in sorted(ids) if (h / PARENT / i).is_dir()
    ]


def kill_members(cgroups: list[Path]) -> None:
    """SIGKILL every process still in those cgroups (containers whose shim is gone)."""
    for cgroup in cgroups:
        for procs in cgroup.rglob("cgroup.procs"):
            for pid in procs.read_text().split():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)


def remove(cgroups: list[Path], layout: Layout) -> int:
    """Remove those cgroups (deepest first), then the parents `up` created if now empty."""
    removed = 0
    for cgroup in cgroups:
        for path in sorted((p for p in cgroup.rglob("*") if p.is_dir()), reverse=True):
            removed += remove_empty(path)
        removed += remove_empty(cgroup)
    record = layout.state / CREATED
    if record.is_file():
        removed += sum(remove_empty(Path(p)) for p in json.loads(record.read_text()))
    return removed


def _hierarchies() -> list[Path]:
    return sorted(h for h in HIERARCHIES.iterdir() if h.is_dir()) if HIERARCHIES.is_dir() else []


def remove_empty(path: Path) -> int:
    """Remove an empty folder or cgroup; 1 if removed, 0 if not there, not empty or busy."""
    try:
        path.rmdir()
        return 1
    except OSError:
        return 0
