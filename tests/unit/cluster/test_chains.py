"""`down` removes only the KUBE-* iptables chains the cluster's `up` made, with their jumps."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from drillbook.cluster import chains, network
from drillbook.cluster.layout import Layout


class FakeIptables:
    """iptables and ip6tables as `-S`, `-N`, `-A`, `-D`, `-F` and `-X` see them."""

    def __init__(self) -> None:
        self.rules: dict[tuple[str, str], list[str]] = {}

    def __call__(self, tool: str, *args: str) -> str:
        table, (op, *rest) = args[1], args[2:]
        rules = self.rules.setdefault((tool, table), [])
        line = shlex.join(["-A", *rest]) if rest else ""
        if op == "-S":
            return "".join(r + "\n" for r in rules)
        if op == "-N":
            rules.append(f"-N {rest[0]}")
        elif op == "-A":
            rules.append(line)
        elif op == "-D":
            rules.remove(line)
        elif op == "-F":
            rules[:] = [r for r in rules if not r.startswith(f"-A {rest[0]} ")]
        elif op == "-X":
            assert not any(r.endswith(f"-j {rest[0]}") for r in rules), "chain still in use"
            rules.remove(f"-N {rest[0]}")
        return ""

    def add(self, table: str, *rule: str, tool: str = "iptables") -> None:
        self(tool, "-t", table, *rule)

    def names(self, table: str, tool: str = "iptables") -> set[str]:
        return {r.split()[1] for r in self.rules.get((tool, table), []) if r.startswith("-N ")}

    def jumps(self, table: str) -> list[str]:
        return [r for r in self.rules.get(("iptables", table), []) if " -j " in r]


@pytest.fixture
def ipt(monkeypatch: pytest.MonkeyPatch) -> FakeIptables:
    fake = FakeIptables()
    monkeypatch.setattr(chains, "run", fake)
    return fake


def _kube_proxy_ran(ipt: FakeIptables) -> None:
    for chain in ("KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-SVC-ABC", "KUBE-SEP-DEF"):
        ipt.add("nat", "-N", chain)
    ipt.add("nat", "-A", "PREROUTING", "-m", "comment", "--comment", "svc", "-j", "KUBE-SERVICES")
    ipt.add("nat", "-A", "KUBE-SERVICES", "-d", "10.201.0.5/32", "-j", "KUBE-SVC-ABC")
    ipt.add("nat", "-A", "KUBE-SVC-ABC", "-j", "KUBE-SEP-DEF")
    ipt.add("nat", "-A", "POSTROUTING", "-j", "KUBE-POSTROUTING")
    ipt.add("filter", "-N", "KUBE-FORWARD")
    ipt.add("filter", "-A", "FORWARD", "-j", "KUBE-FORWARD")
    ipt.add("mangle", "-N", "KUBE-PROXY-CANARY")
    ipt.add("nat", "-N", "KUBE-PROXY-CANARY", tool="ip6tables")


def test_the_chains_up_made_go_with_their_jumps_and_nobody_elses(
    tmp_path: Path, ipt: FakeIptables
) -> None:
    layout = Layout(tmp_path)
    ipt.add("filter", "-N", "KUBE-FIREWALL")  # another Kubernetes' kubelet, there before up
    ipt.add("filter", "-A", "INPUT", "-j", "KUBE-FIREWALL")
    ipt.add("nat", "-N", "DOCKER")
    ipt.add("nat", "-A", "PREROUTING", "-j", "DOCKER")
    chains.record_before(layout)
    _kube_proxy_ran(ipt)
    ipt.add("nat", "-N", "KUBE-KUBELET-CANARY")
    assert chains.remove_made(layout, proxy=True, kubelet=True) == 8
    assert ipt.names("nat") == {"DOCKER"}
    assert ipt.names("filter") == {"KUBE-FIREWALL"}
    assert ipt.names("mangle") == set() and ipt.names("nat", "ip6tables") == set()
    assert ipt.jumps("nat") == ["-A PREROUTING -j DOCKER"]
    assert ipt.jumps("filter") == ["-A INPUT -j KUBE-FIREWALL"]


def test_kube_proxy_chains_of_another_kube_proxy_stay(tmp_path: Path, ipt: FakeIptables) -> None:
    layout = Layout(tmp_path)
    ipt.add("nat", "-N", "KUBE-SERVICES")  # k3s's, there before up
    chains.record_before(layout)
    assert chains.services_chain_foreign(layout)
    ipt.add("nat", "-N", "KUBE-SVC-NEW")  # a Service k3s made while we ran
    assert chains.remove_made(layout, proxy=True, kubelet=True) == 0
    assert ipt.names("nat") == {"KUBE-SERVICES", "KUBE-SVC-NEW"}


def test_without_a_record_nothing_is_removed(tmp_path: Path, ipt: FakeIptables) -> None:
    _kube_proxy_ran(ipt)
    assert chains.remove_made(Layout(tmp_path), proxy=True, kubelet=True) is None
    assert "KUBE-SERVICES" in ipt.names("nat")


def test_a_cluster_without_kube_proxy_leaves_kube_proxys_chains(
    tmp_path: Path, ipt: FakeIptables
) -> None:
    layout = Layout(tmp_path)
    chains.record_before(layout)
    _kube_proxy_ran(ipt)  # another cluster's, started after ours
    assert not chains.services_chain_foreign(layout)  # we recorded it absent: would be ours
    assert chains.remove_made(layout, proxy=False, kubelet=True) == 0
    assert "KUBE-SERVICES" in ipt.names("nat")


def test_a_record_is_made_once_before_the_first_start(tmp_path: Path, ipt: FakeIptables) -> None:
    layout = Layout(tmp_path)
    chains.record_before(layout)
    _kube_proxy_ran(ipt)
    chains.record_before(layout)  # a later `up` of the same cluster: still the first record
    before = chains.recorded_before(layout)
    assert before is not None and before["iptables"]["nat"] == []


def test_the_pod_networks_rules_and_cni_chains_go_and_nobody_elses(ipt: FakeIptables) -> None:
    ours, theirs = "drillbook-abc123", "drillbook-def456"
    ipt.add(
        "filter",
        "-A",
        "FORWARD",
        "-i",
        "dbkabc123",
        "-o",
        "dbkabc123",
        "-m",
        "comment",
        "--comment",
        f"drillbook pod network {ours}",
        "-j",
        "ACCEPT",
    )
    ipt.add(
        "filter",
        "-A",
        "FORWARD",
        "-m",
        "comment",
        "--comment",
        f"drillbook pod network {theirs}",
        "-j",
        "ACCEPT",
    )
    ipt.add("nat", "-N", "CNI-HOSTPORT-DNAT")
    ipt.add("nat", "-N", "CNI-DN-1")
    ipt.add(
        "nat",
        "-A",
        "CNI-HOSTPORT-DNAT",
        "-m",
        "comment",
        "--comment",
        f'dnat name: "{ours}" id: "x"',
        "-j",
        "CNI-DN-1",
    )
    assert network.remove_rules(ours) == 2
    assert ipt.jumps("filter") == [
        f"-A FORWARD -m comment --comment 'drillbook pod network {theirs}' -j ACCEPT"
    ]
    assert ipt.names("nat") == {"CNI-HOSTPORT-DNAT"}
