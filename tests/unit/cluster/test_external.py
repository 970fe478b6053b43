"""A cluster the user already has, named by kubeconfig and context."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cluster import build
from drillbook.cluster.external import external_cluster
from drillbook.errors import DrillbookError, SourceError

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: staging
  cluster: {server: "https://127.0.0.1:6443"}
- name: prod
  cluster: {server: "https://10.0.0.1:6443"}
contexts:
- name: staging-admin
  context: {cluster: staging, user: admin}
- name: prod-admin
  context: {cluster: prod, user: admin}
current-context: staging-admin
"""


@pytest.fixture
def kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(build, "CACHE", tmp_path / "cache")
    built = build.binaries_dir() / "kubectl"
    built.parent.mkdir(parents=True)
    built.write_text("#!/bin/sh\n")
    return built


def test_the_current_context_is_taken_by_default(tmp_path: Path, kubectl: Path) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    info = external_cluster(path)
    assert (info.context, info.server, info.kubectl, info.ctr) == (
        "staging-admin",
        "https://127.0.0.1:6443",
        kubectl,
        (),
    )
    assert external_cluster(path, "prod-admin").server == "https://10.0.0.1:6443"


def test_an_unknown_context_lists_the_known_ones(tmp_path: Path, kubectl: Path) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    with pytest.raises(
        SourceError, match="no context 'dev' \\(contexts: prod-admin, staging-admin\\)"
    ):
        external_cluster(path, "dev")


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path, kubectl: Path) -> None:
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nclusters: [\n  - name: x\n  bad: : :\n")
    with pytest.raises(SourceError, match=f"{path}:\\d+: not valid YAML"):
        external_cluster(path)


def test_no_kubectl_anywhere_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path / "cache")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = tmp_path / "config"
    path.write_text(KUBECONFIG)
    with pytest.raises(DrillbookError, match="no kubectl"):
        external_cluster(path)
