"""A folder that is not a cluster's state directory is neither written into nor removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.cluster import teardown
from drillbook.cluster.layout import Layout, Ports, Settings


def _home_like(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("key")
    (home / "notes.txt").write_text("mine")
    return home


def test_down_refuses_a_folder_that_is_not_a_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _home_like(tmp_path)
    assert main(["cluster", "down", "--state", str(home)]) == 1
    err = capsys.readouterr().err
    assert "not a cluster's state directory" in err and "hint:" in err
    assert (home / ".ssh" / "id_ed25519").read_text() == "key"
    assert (home / "notes.txt").read_text() == "mine"


@pytest.mark.usefixtures("no_provisioning")
def test_up_refuses_a_folder_that_is_not_a_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _home_like(tmp_path)
    assert main(["cluster", "up", "--state", str(home)]) == 1
    assert "not a cluster's state directory" in capsys.readouterr().err
    assert sorted(p.name for p in home.iterdir()) == [".ssh", "notes.txt"]


def test_a_state_directory_of_a_killed_early_up_is_still_a_clusters(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "c")
    layout.state.mkdir()
    (layout.state / "owner.json").write_text("{}")
    layout.refuse_foreign()  # no error: only what a cluster writes is there


def test_removing_the_state_leaves_what_the_cluster_did_not_write(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "c")
    layout.write_settings(Settings(Ports(*range(40001, 40010)), "10.200.9.0/24", "10.201.9.0/24"))
    (layout.pki).mkdir()
    (layout.pki / "ca.key").write_text("k")
    layout.kubeconfig("admin").write_text("kc")
    (layout.state / "keep.txt").write_text("not the cluster's")
    teardown.remove_state(layout)
    assert sorted(p.name for p in layout.state.iterdir()) == ["keep.txt"]
    (layout.state / "keep.txt").unlink()
    teardown.remove_state(layout)
    assert not layout.state.exists()  # empty once the cluster's entries are gone


def test_down_of_an_empty_state_directory_removes_just_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "refused-before-writing"
    empty.mkdir()
    assert main(["cluster", "down", "--state", str(empty)]) == 0
    assert "nothing to remove" in capsys.readouterr().err
    assert not empty.exists() and tmp_path.is_dir()
