"""The host's KUBE-* iptables chains: recorded before `up`, removed by `down` if `up` made them.

kube-proxy in iptables mode (v1.34, pkg/proxy/iptables) makes fixed chains in the filter,
nat and mangle tables, one chain per Service and endpoint (KUBE-SVC-, KUBE-SVL-, KUBE-EXT-,
KUBE-FW-, KUBE-SEP-) in nat, the jumps to them from the built-in chains, and a copy of the
kubelet's KUBE-FIREWALL; a kubelet with `makeIPTablesUtilChains` (ours has it off) makes
KUBE-FIREWALL, KUBE-KUBELET-CANARY and KUBE-IPTABLES-HINT. These names are the host's, shared
with any other Kubernetes on it (k3s, kind, another cluster of ours), so `up` records which
of them exist, in iptables and ip6tables, and `down` removes only those that did not — none
while another kube-proxy or kubelet runs, and no kube-proxy chain when KUBE-SERVICES was there
before (another kube-proxy's). `kube-proxy --cleanup` is not used: it removes every KUBE-*
chain whoever made it, and flushes IPVS and nftables as well.
"""

from __future__ import annotations

import json
import shlex
import subprocess

from drillbook.cluster.layout import CHAINS_BEFORE, Layout

TOOLS = ("iptables", "ip6tables")
TABLES = ("filter", "nat", "mangle")
PROXY_CHAINS = frozenset(
    {
        "KUBE-SERVICES",
        "KUBE-EXTERNAL-SERVICES",
        "KUBE-NODEPORTS",
        "KUBE-POSTROUTING",
        "KUBE-MARK-MASQ",
        "KUBE-FORWARD",
        "KUBE-PROXY-FIREWALL",
        "KUBE-PROXY-CANARY",
        "KUBE-FIREWALL",
    }
)
SERVICE_PREFIXES = ("KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-", "KUBE-SEP-")
KUBELET_CHAINS = frozenset({"KUBE-FIREWALL", "KUBE-KUBELET-CANARY", "KUBE-IPTABLES-HINT"})

# tool -> table -> the KUBE-* chains in it
Snapshot = dict[str, dict[str, list[str]]]


def existing() -> Snapshot:
    """Every KUBE-* chain on the host now, per tool and table."""
    return {
        tool: {
            table: sorted(c for c in _chains(tool, table) if c.startswith("KUBE-"))
            for table in TABLES
        }
        for tool in TOOLS
    }


def record_before(layout: Layout) -> None:
    """Before the cluster's kubelet and kube-proxy first start: the chains already there."""
    record = layout.state / CHAINS_BEFORE
    if not record.is_file():
        record.write_text(json.dumps(existing()), encoding="utf-8")


def recorded_before(layout: Layout) -> Snapshot | None:
    """The chains there before the cluster's first `up`; None if never recorded."""
    try:
        raw = json.loads((layout.state / CHAINS_BEFORE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return raw if isinstance(raw, dict) else None


def services_chain_foreign(layout: Layout) -> bool:
    """KUBE-SERVICES is on the host and not our kube-proxy's: another kube-proxy's rules."""
    if "KUBE-SERVICES" not in _chains("iptables", "nat"):
        return False
    before = recorded_before(layout)
    return before is None or "KUBE-SERVICES" in before.get("iptables", {}).get("nat", [])


def ours(before: set[str], now: set[str], proxy: bool, kubelet: bool) -> set[str]:
    """Of the chains `now` in one table, those the cluster made: kube-proxy's if `proxy`
    (and KUBE-SERVICES was not there before), the kubelet's if `kubelet`; never one that
    was there `before`."""
    made: set[str] = set()
    if proxy and "KUBE-SERVICES" not in before:
        made |= {c for c in now if c in PROXY_CHAINS or c.startswith(SERVICE_PREFIXES)}
    if kubelet:
        made |= now & KUBELET_CHAINS
    return made - before


def remove_made(layout: Layout, proxy: bool, kubelet: bool) -> int | None:
    """Remove the chains the cluster made, with the rules jumping to them; the number
    removed, or None when `up` recorded nothing (then nothing is removed)."""
    before = recorded_before(layout)
    if before is None:
        return None
    removed = 0
    for tool in TOOLS:
        for table in TABLES:
            was = set(before.get(tool, {}).get(table, []))
            removed += _remove(tool, table, ours(was, _chains(tool, table), proxy, kubelet))
    return removed


def _remove(tool: str, table: str, chains: set[str]) -> int:
    """Delete the jumps into `chains` from every other chain, then flush and delete them
    (all flushed first: they jump to each other)."""
    if not chains:
        return 0
    for rule in run(tool, "-t", table, "-S").splitlines():
        parts = shlex.split(rule)
        if parts[:1] == ["-A"] and parts[1] not in chains and _target(parts) in chains:
            run(tool, "-t", table, "-D", *parts[1:])
    for chain in sorted(chains):
        run(tool, "-t", table, "-F", chain)
    for chain in sorted(chains):
        run(tool, "-t", table, "-X", chain)
    return len(chains)


def _chains(tool: str, table: str) -> set[str]:
    lines = run(tool, "-t", table, "-S").splitlines()
    return {line.split()[1] for line in lines if line.startswith("-N ")}


def _target(parts: list[str]) -> str | None:
    for flag in ("-j", "-g"):
        if flag in parts and parts.index(flag) + 1 < len(parts):
            return parts[parts.index(flag) + 1]
    return None


def run(tool: str, *args: str) -> str:
    """`tool -w args` (waiting for the xtables lock); its output, empty when it failed
    (no ip6tables, a table the kernel lacks)."""
    try:
        done = subprocess.run([tool, "-w", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return ""
    return done.stdout if done.returncode == 0 else ""
