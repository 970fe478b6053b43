"""`drillbook cluster ...` without a running cluster: status, down, and who may run `up`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drillbook.cli import main


def test_status_of_a_cluster_never_made_is_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cluster", "status", "--state", str(tmp_path / "none")]) == 3
    assert capsys.readouterr().out.strip() == "down"


def test_down_of_a_cluster_never_made_removes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cluster", "down", "--state", str(tmp_path / "none")]) == 0
    assert "nothing to remove" in capsys.readouterr().err


def test_up_without_root_says_why_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["cluster", "up", "--state", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert "needs root" in err and "hint:" in err
    assert not (tmp_path / "c").exists()  # nothing made before the refusal


def test_the_state_directory_defaults_to_the_users_state_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drillbook.cluster import Cluster

    monkeypatch.delenv("DRILLBOOK_CLUSTER_STATE", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert Cluster.default().state == tmp_path / "drillbook" / "cluster"
    monkeypatch.setenv("DRILLBOOK_CLUSTER_STATE", str(tmp_path / "elsewhere"))
    assert Cluster.default().state == tmp_path / "elsewhere"


def test_a_state_directory_too_long_for_the_kubelets_sockets_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    deep = tmp_path / ("x" * 80)
    assert main(["cluster", "up", "--state", str(deep)]) == 1
    assert "too long a path" in capsys.readouterr().err
    assert not deep.exists()
