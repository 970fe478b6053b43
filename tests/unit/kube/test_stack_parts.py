"""The pure parts of the Kubernetes backend: names, local images, the loopback relay."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from drillbook.errors import DrillbookError
from drillbook.stack import labels
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.images import image_ref
from drillbook.stack.kube.endpoints import (
    ServiceEndpoints,
    WatchStream,
    node_pod_networks,
    ready_addresses,
)
from drillbook.stack.kube.images import local_images
from drillbook.stack.kube.namespace import dead_run_namespaces, namespace_for, namespace_manifest
from drillbook.stack.kube.relay import Relay

ROOT = Path(__file__).resolve().parents[3]


PODS = [IPv4Network("10.200.0.0/16")]


def test_the_namespace_is_the_runs_own_and_valid() -> None:
    name = namespace_for("Reference K8s/Stack" * 5, "0123456789")
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name)
    assert len(name) <= 63 and name.startswith("drillbook-") and name.endswith("-0123456789")


def test_untagged_reference_images_are_the_docker_stacks_builds() -> None:
    reference = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
    found = local_images(
        ["drillbook/api", "drillbook/redis", "redis:7", "drillbook/api:v2"], reference
    )
    assert found == {
        "drillbook/api": image_ref(reference.services["api"]),
        "drillbook/redis": image_ref(reference.services["redis"]),
    }  # a tagged or foreign image is taken as written


@pytest.fixture
def echo() -> tuple[str, int]:
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()
    server.close()


def test_the_relay_pipes_both_ways_on_loopback(echo: tuple[str, int]) -> None:
    with (
        Relay(lambda: echo) as relay,
        socket.create_connection(("127.0.0.1", relay.port)) as client,
    ):
        client.sendall(b"ping")
        assert client.recv(16) == b"PING"


def test_with_nothing_behind_it_the_relay_ends_each_connection_unanswered() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        dead = spare.getsockname()  # bound, never listening: connections are refused
        with (
            Relay(lambda: dead) as relay,
            socket.create_connection(("127.0.0.1", relay.port)) as client,
        ):
            client.settimeout(5)
            try:
                client.sendall(b"GET / HTTP/1.0\r\n\r\n")
                answer = client.recv(16)
            except ConnectionResetError:
                answer = b""
            assert answer == b""  # reset or closed, never a hang (the timeout would raise)


def test_manifests_are_refused_as_a_docker_stack_before_any_image_is_looked_for() -> None:
    from drillbook.stack.setup import prepare

    with pytest.raises(DrillbookError, match="Kubernetes manifests: they run on a cluster"):
        prepare(ROOT / "fixtures" / "kubernetes", None, lambda m: None)


def test_with_no_ready_endpoint_the_relay_connects_nowhere() -> None:
    with Relay(lambda: None) as relay, socket.create_connection(("127.0.0.1", relay.port)) as c:
        c.settimeout(5)
        try:
            answer = c.recv(16)
        except ConnectionResetError:
            answer = b""
        assert answer == b""


def test_only_ready_endpoints_of_a_slice_are_chosen() -> None:
    slice_ = {
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 8000}],
        "endpoints": [
            {"addresses": ["10.200.0.7"], "conditions": {"ready": True}},
            {"addresses": ["10.200.0.8"], "conditions": {"ready": False, "terminating": True}},
        ],
    }
    assert ready_addresses(slice_, PODS) == [("10.200.0.7", 8000)]
    assert ready_addresses({**slice_, "ports": []}, PODS) == []


@pytest.mark.parametrize(
    ("address_type", "address"),
    [
        ("IPv4", "8.8.8.8"),  # a hand-made slice of a selector-less Service
        ("IPv4", "192.168.1.10"),  # a hostNetwork pod: the node's address
        ("IPv4", "10.201.0.7"),  # beside the pod subnet
        ("FQDN", "example.com"),  # resolved by DNS, anywhere
        ("IPv6", "fd00::7"),
    ],
)
def test_the_relay_is_given_pod_addresses_only(address_type: str, address: str) -> None:
    slice_ = {
        "addressType": address_type,
        "ports": [{"port": 8000}],
        "endpoints": [
            {"addresses": [address], "conditions": {"ready": True}},
            {"addresses": ["10.200.3.4"], "conditions": {"ready": True}},
        ],
    }
    expected = [("10.200.3.4", 8000)] if address_type == "IPv4" else []
    assert ready_addresses(slice_, PODS) == expected


def test_watch_output_is_read_as_whole_documents_however_it_is_cut() -> None:
    stream = WatchStream()
    text = '{"type": "ADDED", "object": {"a": 1}}\n{"type": "DELETED",\n "object": {}}\n'
    seen = [doc for line in text.splitlines(keepends=True) for doc in stream.feed(line)]
    assert seen == [{"type": "ADDED", "object": {"a": 1}}, {"type": "DELETED", "object": {}}]


def test_the_drill_namespace_enforces_pod_security_baseline() -> None:
    doc = namespace_manifest("drillbook-ref-1", {"io.drillbook.run": "1"})
    labels = doc["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["io.drillbook.run"] == "1"
    assert doc["metadata"]["name"] == "drillbook-ref-1"


# Stands in for `kubectl get -w`: a real process that runs until ended (its arguments ignored).
SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_the_watch_carries_the_runs_mark_and_ends_with_close() -> None:
    marks = labels.process_marks("run42")
    endpoints = ServiceEndpoints(SLEEPER, "api", PODS, env={"PATH": "/usr/bin", **marks})
    endpoints.start(timeout_s=0.5)
    try:
        process = endpoints._process
        assert process is not None and process.poll() is None
        mark = labels.read_mark(process.pid, Path(f"/proc/{process.pid}/environ").read_bytes())
        assert mark is not None and mark.run_id == "run42" and mark.owner_pid == os.getpid()
    finally:
        endpoints.close()
    assert process.poll() is not None


def test_a_watch_starting_while_it_is_closed_is_ended_too(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoints = ServiceEndpoints(SLEEPER, "api", PODS)
    closer = threading.Thread(target=endpoints.close)
    started: list[subprocess.Popen[str]] = []
    popen = subprocess.Popen

    def slow_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        closer.start()  # close() comes while the watch is being started
        time.sleep(0.3)
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", slow_popen)
    endpoints.start(timeout_s=0.5)
    closer.join(timeout=5)
    assert started and started[0].wait(timeout=5) is not None  # killed, not left running
    assert not endpoints._thread.is_alive()


def test_only_namespaces_named_as_a_dead_runs_are_reaped() -> None:
    dead = {**labels.run_labels("ab12", "ref", "session"), labels.OWNER_PID: "999999999"}
    alive = labels.run_labels("cd34", "ref", "session")

    def namespace(name: str, found: dict[str, str]) -> dict[str, Any]:
        return {"metadata": {"name": name, "labels": found}}

    items = [
        namespace("drillbook-ref-ab12", dead),
        namespace("drillbook-ref-cd34", alive),  # its run is alive
        namespace("kube-system", dead),  # labelled, but not a name drillbook gives
        namespace("drillbook-ref-ab12x", dead),  # another run's name
        namespace("drillbook-ref-", {**dead, labels.RUN: ""}),
    ]
    assert dead_run_namespaces(items) == ["drillbook-ref-ab12"]


def test_on_a_cluster_of_the_users_the_pods_are_where_its_nodes_say() -> None:
    nodes = [
        {"spec": {"podCIDRs": ["10.244.0.0/24", "fd00:10::/64"]}},
        {"spec": {"podCIDRs": ["10.244.1.0/24"]}},
    ]
    assert node_pod_networks(nodes) == (IPv4Network("10.244.0.0/24"), IPv4Network("10.244.1.0/24"))
    with pytest.raises(DrillbookError, match="no IPv4 pod CIDR"):
        node_pod_networks([{"spec": {}}])
