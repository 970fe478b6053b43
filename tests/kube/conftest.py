"""The reference manifests running on the session's cluster, for the `k8s` tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drillbook.cluster import Cluster, ClusterInfo
from drillbook.pytest_plugin import session
from drillbook.stack.kube.stack import KubeStack
from drillbook.stack.open import kubernetes_stack

MANIFESTS = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes"


@pytest.fixture(scope="session")
def kube_stack(drillbook_cluster: ClusterInfo, pytestconfig: pytest.Config) -> Iterator[KubeStack]:
    """The reference stack's manifests in a namespace of this run, deleted at the end."""
    progress = session.progress(pytestconfig)
    with kubernetes_stack(
        MANIFESTS, drillbook_cluster, Cluster.default().import_image, progress
    ) as stack:
        yield stack
