"""What `down` removes from the host, decided from records and the host's state alone."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from drillbook.cluster import teardown
from drillbook.cluster.layout import Layout

MOUNTINFO = "36 35 98:0 {root} {point} rw,noatime master:1 - ext3 /dev/root rw\n"


def _process(proc: Path, pid: int, namespace: int, points: list[str]) -> None:
    (proc / str(pid) / "ns").mkdir(parents=True)
    os.symlink(f"mnt:[{namespace}]", proc / str(pid) / "ns" / "mnt")
    lines = "".join(MOUNTINFO.format(root="/", point=p) for p in points)
    (proc / str(pid) / "mountinfo").write_text(lines)


def test_mount_points_of_every_namespace_are_seen(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    _process(proc, 1, 4026531840, ["/", "/proc"])
    _process(proc, 200, 4026532001, ["/", "/var/lib/kubelet"])  # another cluster's holder
    _process(proc, 201, 4026532001, ["/", "/var/lib/kubelet"])  # the same namespace
    (proc / "self").mkdir()
    assert teardown.mount_points_anywhere(proc) == {"/", "/proc", "/var/lib/kubelet"}


def test_a_host_folder_another_cluster_has_mounted_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout(tmp_path / "state")
    layout.state.mkdir()
    busy, free = tmp_path / "var-lib-kubelet", tmp_path / "var-log-containers"
    busy.mkdir()
    free.mkdir()
    (layout.state / "host-dirs-created.json").write_text(json.dumps([str(busy), str(free)]))
    monkeypatch.setattr(teardown, "mount_points_anywhere", lambda: {str(busy)})
    teardown._release_host_dirs(layout)
    assert busy.is_dir() and not free.exists()


def test_claimed_host_folders_are_recorded_only_when_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout(tmp_path / "state")
    layout.state.mkdir()
    there, new = tmp_path / "there", tmp_path / "new" / "dir"
    there.mkdir()
    monkeypatch.setattr(teardown.node, "PRIVATE_HOST_DIRS", (there, new))
    teardown.claim_host_dirs(layout)
    assert new.is_dir()
    assert json.loads((layout.state / "host-dirs-created.json").read_text()) == [str(new)]


def test_shim_sockets_are_named_as_containerd_names_them(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    expected = hashlib.sha256(f"{layout.containerd_socket}/k8s.io/abc".encode()).hexdigest()
    assert teardown.shim_sockets(layout, {"abc"}) == [teardown.SHIM_SOCKETS / expected]
