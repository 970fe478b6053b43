"""The pod network's subnets and CNI configuration."""

from __future__ import annotations

import json
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
    assert [p["type"] for p in doc["plugins"]] == ["bridge", "portmap"]
