"""Kubernetes faults go only to stacks on Kubernetes, container faults only to containers."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.faults import FaultParamError, validate
from drillbook.faults.kube import BadRolloutParams
from drillbook.stack.spec import StackSpec

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("pod-delete", {"service": "api"}),
        ("scale-to-zero", {"service": "redis"}),
        ("bad-rollout", {"service": "api", "env": "DATABASE_URL=postgresql://x@postgres/none"}),
    ],
)
def test_kubernetes_faults_check_against_manifests(
    kube: StackSpec, reference: StackSpec, kind: str, values: dict[str, str]
) -> None:
    assert validate(kind, values, kube).service == values["service"]  # type: ignore[attr-defined]
    with pytest.raises(FaultParamError, match="runs Docker containers"):
        validate(kind, values, reference)


def test_container_faults_are_refused_on_kubernetes_with_the_ones_to_use(kube: StackSpec) -> None:
    with pytest.raises(FaultParamError) as err:
        validate("kill", {"service": "redis"}, kube)
    assert "runs on Kubernetes" in str(err.value)
    assert "scale-to-zero" in str(err.value)


def test_a_bad_rollout_needs_key_value_settings(kube: StackSpec) -> None:
    with pytest.raises(FaultParamError, match="KEY=VALUE"):
        validate("bad-rollout", {"service": "api", "env": "broken"}, kube)


def test_a_bad_rollout_is_broken_settings_or_a_memory_limit(kube: StackSpec) -> None:
    params = validate("bad-rollout", {"service": "redis", "memory": "3Mi"}, kube)
    assert params == BadRolloutParams(service="redis", memory="3Mi")
    with pytest.raises(FaultParamError, match=r"broken settings \(env\) or memory limit"):
        validate("bad-rollout", {"service": "redis"}, kube)
