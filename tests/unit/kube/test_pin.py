"""A runbook's kubectl line pinned to the drill's namespace and context, never another."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.stack.kube.cli import Unreadable
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
        # short options bundled as pflag reads them
        ("get pods -Rndrillbook-other", "get pods", ("-Rndrillbook-other",)),
        ("get pods -wnkube-system", "get pods", ("-wnkube-system",)),
        ("get pods -Rn kube-system", "get pods", ("-Rn kube-system",)),
        ("get pods -AR", "get pods", ("-AR",)),
        ("get pods -Aowide", "get pods", ("-Aowide",)),
        ("get pods -A=true", "get pods", ("-A=true",)),
        ("get pods --all-namespaces=true", "get pods", ("--all-namespaces=true",)),
        # the server overridden: the drill's token would go to another address
        ("get pods -shttps://10.0.0.1", "get pods", ("-shttps://10.0.0.1",)),
        ("get pods -Rs https://10.0.0.1", "get pods", ("-Rs https://10.0.0.1",)),
        # global options before the verb, read as kubectl reads them
        (
            "--kubeconfig /x -v 6 --request-timeout 30s get pods",
            "-v 6 --request-timeout 30s get pods",
            ("--kubeconfig /x",),
        ),
        ("--user admin --token t get pods", "get pods", ("--user admin", "--token t")),
        # an option's value that merely contains an n is not a namespace
        ("get pods -lapp=nginx -ojson", "get pods -lapp=nginx -ojson", ()),
        ("logs -fp api", "logs -fp api", ()),
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


@pytest.mark.parametrize(
    "line",
    [
        "--all namespaces delete",  # cobra: an unknown option takes the next word
        "--grace-period 0 delete namespace kube-system",
        "-Rn x get pods",
        "-- get pods",
        "-n prod",
    ],
)
def test_a_line_whose_verb_kubectl_finds_otherwise_is_not_pinned(line: str) -> None:
    with pytest.raises(Unreadable):
        pin(line.split(), TARGET)
