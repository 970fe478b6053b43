"""The pod network's subnets and CNI configuration."""

from __future__ import annotations

import json
import subprocess
from ipaddress import IPv4Network
from pathlib import Path

import pytest

from drillbook.cluster import network
from drillbook.errors import DrillbookError


def test_the_first_free_pair_is_picked() -> None:
    assert network.pick_subnets([IPv4Network("172.17.0.0/16")]) == (
        IPv4Network("10.200.0.0/24"),
        IPv4Network("10.201.0.0/24"),
    )


def test_a_routed_subnet_is_never_picked() -> None:
    used = [IPv4Network("10.200.0.0/24"), IPv4Network("10.201.1.0/24")]
    pods, services = network.pick_subnets(used)
    assert (pods, services) == (IPv4Network("10.200.2.0/24"), IPv4Network("10.201.2.0/24"))


def test_a_host_route_covering_the_pools_leaves_nothing_to_pick() -> None:
    with pytest.raises(DrillbookError, match="no free /24"):
        network.pick_subnets([IPv4Network("10.0.0.0/8")])


def test_routes_and_addresses_are_read_from_ip_json() -> None:
    routes = [{"dst": "default"}, {"dst": "172.19.0.0/16"}, {"dst": "192.0.2.1"}]
    addrs = [{"addr_info": [{"local": "10.200.0.1", "prefixlen": 24}]}]
    assert list(network._networks(routes + addrs)) == [
        IPv4Network("172.19.0.0/16"),
        IPv4Network("192.0.2.1/32"),
        IPv4Network("10.200.0.0/24"),
    ]


def test_the_conflist_names_our_bridge_subnet_and_ipam_folder() -> None:
    doc = json.loads(
        network.conflist(
            "drillbook-abc", "dbkabc", "10.200.3.0/24", "10.201.3.0/24", Path("/s/ipam")
        )
    )
    bridge = doc["plugins"][0]
    assert doc["name"] == "drillbook-abc"
    assert bridge["bridge"] == "dbkabc" and bridge["ipMasq"] is False
    assert bridge["ipam"]["ranges"] == [[{"subnet": "10.200.3.0/24"}]]
    assert bridge["ipam"]["dataDir"] == "/s/ipam"
    # Services through the bridge, and no default route out of the host
    assert bridge["ipam"]["routes"] == [{"dst": "10.201.3.0/24"}]
    # no portmap: a hostPort would be DNAT on every address of the host
    assert [p["type"] for p in doc["plugins"]] == ["bridge"]


def test_a_failing_ip_command_is_an_error_not_an_empty_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, 255, "", "Cannot open netlink socket")

    monkeypatch.setattr(network.subprocess, "run", failing)
    with pytest.raises(DrillbookError, match="Cannot open netlink socket"):
        network.host_networks()


def test_the_hosts_routes_and_addresses_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {
        "route": '[{"dst": "default"}, {"dst": "172.17.0.0/16"}, {"dst": "10.200.0.5"}]',
        "addr": '[{"addr_info": [{"local": "192.168.1.7", "prefixlen": 24}]}]',
    }

    def ip(argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, 0, answers[argv[3]], "")

    monkeypatch.setattr(network.subprocess, "run", ip)
    assert network.host_networks() == [
        IPv4Network("172.17.0.0/16"),
        IPv4Network("10.200.0.5/32"),
        IPv4Network("192.168.1.0/24"),
    ]


def test_the_bridge_takes_the_service_subnet_s_route(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(network, "_ip", lambda *args: calls.append(args))
    monkeypatch.setattr(
        network.subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout="", stderr=""),
    )
    network.make_bridge(
        "dbktest", "10.200.7.1", IPv4Network("10.200.7.0/24"), IPv4Network("10.201.7.0/24")
    )
    # Without it a ClusterIP kube-proxy has no rule for would leave by the default route.
    assert calls[-1] == ("route", "replace", "10.201.7.0/24", "dev", "dbktest")
