"""A runbook's kubectl line pinned to the drill's namespace and context, never another."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.stack.kube.pin import KubeTarget, pin

TARGET = KubeTarget(Path("/bin/kubectl"), Path("/k/config"), "drill", "drillbook-ref-1")
PREFIX = [
    "/bin/kubectl", "--kubeconfig", "/k/config", "--context", "drill",
    "--namespace", "drillbook-ref-1",
]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "kept", "replaced"),
    [
        (
            "rollout restart deployment/langgraph-api -n rag7-prod",
            "rollout restart deployment/langgraph-api",
            ("-n rag7-prod",),
        ),
        ("-n prod scale deploy api --replicas=0", "scale deploy api --replicas=0", ("-n prod",)),
        ("get pods --namespace=prod -o wide", "get pods -o wide", ("--namespace=prod",)),
        ("get pods -A", "get pods", ("-A",)),
        ("get pods --all-namespaces", "get pods", ("--all-namespaces",)),
        ("get pods -nprod", "get pods", ("-nprod",)),
        (
            "--context prod-eu --kubeconfig ~/.kube/prod get deploy",
            "get deploy",
            ("--context prod-eu", "--kubeconfig ~/.kube/prod"),
        ),
        (
            "--server=https://10.0.0.1:6443 get pods",
            "get pods",
            ("--server=https://10.0.0.1:6443",),
        ),
        (
            "rollout status deployment/api --timeout=90s",
            "rollout status deployment/api --timeout=90s",
            (),
        ),
    ],
)
def test_where_the_line_acts_is_the_drills(line: str, kept: str, replaced: tuple[str, ...]) -> None:
    pinned = pin(line.split(), TARGET)
    assert list(pinned.argv) == [*PREFIX, *kept.split()]
    assert pinned.replaced == replaced


def test_options_after_the_double_dash_are_the_containers() -> None:
    pinned = pin(["exec", "redis-0", "-n", "prod", "--", "redis-cli", "-n", "0", "ping"], TARGET)
    assert list(pinned.argv[len(PREFIX) :]) == [
        "exec",
        "redis-0",
        "--",
        "redis-cli",
        "-n",
        "0",
        "ping",
    ]
    assert pinned.replaced == ("-n prod",)


def test_the_replacement_is_reported() -> None:
    pinned = pin(["get", "pods", "-n", "rag7-prod"], TARGET)
    assert pinned.note(TARGET.namespace) == (
        "[drillbook: -n rag7-prod replaced by namespace drillbook-ref-1]"
    )
    assert pin(["get", "pods"], TARGET).note(TARGET.namespace) == ""
