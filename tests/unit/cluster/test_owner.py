"""Who takes a cluster down: the test session that started it, or one adopting it after that
session was killed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillbook.cluster import Cluster
from drillbook.cluster.layout import Ports, Settings
from drillbook.cluster.processes import spawn, stop


@pytest.fixture
def running_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A cluster whose records say one of its processes runs (a real `sleep` as etcd)."""
    cluster = Cluster(tmp_path / "c")
    cluster.layout.write_settings(
        Settings(Ports(*range(40001, 40010)), "10.200.9.0/24", "10.201.9.0/24")
    )
    spawn("etcd", ["sleep", "60"], cluster.layout.pids, cluster.layout.logs)
    yield cluster
    stop(cluster.layout.pids, "etcd", grace_s=2)


def test_a_cluster_without_owner_is_nobodys_leftover(running_cluster: Cluster) -> None:
    assert running_cluster.status() is not None
    assert not running_cluster.orphaned()  # `drillbook cluster up` left it on purpose


def test_a_cluster_whose_owner_lives_is_not_adopted(running_cluster: Cluster) -> None:
    running_cluster.own()
    assert not running_cluster.orphaned()


def test_a_cluster_whose_owner_was_killed_is_adopted(running_cluster: Cluster) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    owner = {"name": "owner", "pid": gone.pid, "started": 1}
    (running_cluster.state / "owner.json").write_text(json.dumps(owner))
    assert running_cluster.orphaned()


def test_a_cluster_that_is_down_is_nothing_to_adopt(tmp_path: Path) -> None:
    assert not Cluster(tmp_path / "none").orphaned()


def _up_records_owner(monkeypatch: pytest.MonkeyPatch, cluster: Cluster) -> list[bool]:
    """Replace the starting itself: records whether the owner was written before it."""
    seen: list[bool] = []

    def fake_up(self: Cluster, progress: object) -> object:
        seen.append(self.owned())
        return "info"

    monkeypatch.setattr(Cluster, "_up", fake_up)
    return seen


def test_a_session_finding_the_cluster_down_owns_it_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = Cluster(tmp_path / "c")
    seen = _up_records_owner(monkeypatch, cluster)
    cluster.up(own=True)
    assert seen == [True]  # a SIGKILL during the start leaves an owner to adopt from
    assert cluster.owned()


def test_a_session_finding_the_cluster_running_does_not_own_it(
    running_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _up_records_owner(monkeypatch, running_cluster)
    running_cluster.up(own=True)
    assert seen == [False] and not running_cluster.owned()


def test_a_session_adopts_a_cluster_whose_owner_was_killed(
    running_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    owner = {"name": "owner", "pid": gone.pid, "started": 1}
    (running_cluster.state / "owner.json").write_text(json.dumps(owner))
    seen = _up_records_owner(monkeypatch, running_cluster)
    running_cluster.up(own=True)
    assert seen == [True]


def test_up_without_own_records_no_owner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Cluster(tmp_path / "c")
    _up_records_owner(monkeypatch, cluster)
    cluster.up()
    assert not (cluster.state / "owner.json").exists()


def test_a_cluster_made_without_kube_proxy_is_up_without_it(tmp_path: Path) -> None:
    made = Cluster(tmp_path / "c", proxy=False)
    settings = Settings(Ports(*range(40001, 40010)), "10.200.9.0/24", "10.201.9.0/24", False)
    made.layout.write_settings(settings)
    started = made.processes(settings)
    assert "kube-proxy" not in started
    for name in started:
        spawn(name, ["sleep", "60"], made.layout.pids, made.layout.logs)
    try:
        # a later command names the cluster by its state alone (proxy defaults to True)
        status = Cluster(made.state).status()
        assert status is not None and status.startswith("up:")
    finally:
        for name in started:
            stop(made.layout.pids, name, grace_s=2)
