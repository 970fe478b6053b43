"""`drillbook_cluster` on a cluster the user already has: nothing started, its info given."""

from __future__ import annotations

from pathlib import Path

import pytest

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- {name: staging, cluster: {server: "https://127.0.0.1:16443"}}
contexts:
- {name: staging-admin, context: {cluster: staging, user: admin}}
- {name: other, context: {cluster: staging, user: viewer}}
current-context: other
"""


def test_the_fixture_gives_the_named_context_of_an_existing_cluster(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(KUBECONFIG)
    kubectl = tmp_path / "bin" / "kubectl"
    kubectl.parent.mkdir()
    kubectl.write_text("#!/bin/sh\n")
    kubectl.chmod(0o755)
    monkeypatch.setenv("PATH", str(kubectl.parent), prepend=":")
    monkeypatch.setenv("DRILLBOOK_CACHE", str(tmp_path / "no-build"))
    # a state directory of our own that must stay untouched: no cluster of ours is started
    monkeypatch.setenv("DRILLBOOK_CLUSTER_STATE", str(tmp_path / "state"))
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.k8s
        def test_info(drillbook_cluster):
            assert drillbook_cluster.server == "https://127.0.0.1:16443"
            assert drillbook_cluster.context == "staging-admin"
            assert drillbook_cluster.ctr == ()
            assert drillbook_cluster.kubectl.name == "kubectl"
        """
    )
    result = pytester.runpytest_subprocess(
        "-p",
        "no:locust",
        "--drillbook-kubeconfig",
        str(kubeconfig),
        "--drillbook-context",
        "staging-admin",
    )
    result.assert_outcomes(passed=1)
    assert not (tmp_path / "state").exists()
