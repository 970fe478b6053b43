"""The cluster's cgroups, on a temporary hierarchy standing in for /sys/fs/cgroup."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cluster import cgroups
from drillbook.cluster.layout import Layout
from drillbook.errors import DrillbookError


@pytest.fixture
def hierarchies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cgroup"
    for controller in ("cpu", "memory"):
        (root / controller).mkdir(parents=True)
    monkeypatch.setattr(cgroups, "HIERARCHIES", root)
    return root


def test_cgroup_v2_is_refused_with_a_way_out(hierarchies: Path) -> None:
    cgroups.require_v1()  # v1: one folder per controller
    (hierarchies / "cgroup.controllers").write_text("cpu memory\n")
    with pytest.raises(DrillbookError, match="cgroup v2") as error:
        cgroups.require_v1()
    assert error.value.hint is not None and "kubeconfig" in error.value.hint


def test_only_the_clusters_containers_and_the_parents_up_made_are_removed(
    hierarchies: Path, tmp_path: Path
) -> None:
    layout = Layout(tmp_path / "state")
    layout.state.mkdir()
    (hierarchies / "cpu" / cgroups.PARENT / "theirs").mkdir(parents=True)  # before up
    cgroups.claim_parents(layout)  # memory's k8s.io parent is new, cpu's is not
    for controller in ("cpu", "memory"):
        (hierarchies / controller / cgroups.PARENT / "c1" / "sub").mkdir(parents=True)
    found = cgroups.cgroups_of({"c1", "gone"})
    assert found == [hierarchies / c / cgroups.PARENT / "c1" for c in ("cpu", "memory")]
    assert cgroups.remove(found, layout) == 5  # 2 x (c1, sub) and memory's parent
    assert (hierarchies / "cpu" / cgroups.PARENT / "theirs").is_dir()
    assert not (hierarchies / "memory" / cgroups.PARENT).exists()
