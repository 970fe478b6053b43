"""The Kubernetes backend passes the one compliance check every backend passes
(`tests/backend_compliance.py`)."""

from __future__ import annotations

import pytest

from drillbook.stack.kube.stack import KubeStack
from tests.backend_compliance import check_backend

pytestmark = pytest.mark.k8s


def test_the_kubernetes_backend(kube_stack: KubeStack) -> None:
    check_backend(kube_stack, "kubernetes")
