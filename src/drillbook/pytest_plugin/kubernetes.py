"""The session's Kubernetes cluster: `drillbook_cluster`, for tests marked `k8s`.

The cluster is drillbook's own single-node one (`drillbook.cluster`): built on first use
(about 8 minutes on 2 cores, then cached), started in seconds. A session that found it down
starts it and removes it at its end — also on failure, Ctrl-C or SIGTERM; one that found it
running (`drillbook cluster up` before the run) leaves it running.

With `--drillbook-kubeconfig PATH` (and `--drillbook-context NAME`) the tests run on that
existing cluster instead, and nothing is started or stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from drillbook.pytest_plugin import session

if TYPE_CHECKING:
    from drillbook.cluster import ClusterInfo


@pytest.fixture(scope="session")
def drillbook_cluster(pytestconfig: pytest.Config) -> Iterator[ClusterInfo]:
    """A running cluster's `ClusterInfo` (kubeconfig, context, kubectl, server, ctr)."""
    from pathlib import Path

    from drillbook.cluster import Cluster
    from drillbook.cluster.external import external_cluster

    kubeconfig = pytestconfig.getoption("drillbook_kubeconfig")
    if kubeconfig:
        yield external_cluster(Path(kubeconfig), pytestconfig.getoption("drillbook_context"))
        return
    cluster = Cluster.default()
    progress = session.progress(pytestconfig)
    ours = cluster.status() is None
    try:
        yield cluster.up(progress=progress)
    finally:
        if ours:
            cluster.down(progress=progress)
