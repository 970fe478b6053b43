"""The two stack definitions the Kubernetes unit tests compare: the reference stack as
manifests, and as the Docker stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def kube() -> StackSpec:
    return load_stack_spec(ROOT / "fixtures" / "kubernetes")


@pytest.fixture(scope="module")
def reference() -> StackSpec:
    return load_stack_spec(ROOT / "fixtures" / "stack.yaml")
