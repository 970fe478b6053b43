"""The pod network: a bridge on a private subnet the cluster picks, as Docker's networks do.

Pods are wired by Debian's CNI plugins (bridge with host-local IPAM, portmap) to a bridge
`dbk<ident>` that drillbook makes itself at `up`, so the subnet is claimed (routed) from then
on. The subnets are taken from 10.200.0.0/16 (pods) and 10.201.0.0/16 (Services), one /24
each, never one that is already routed or addressed on the host. Pods get no NAT to the
outside (`ipMasq: false`): they reach each other, Services and the host, nothing beyond.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Iterable
from ipaddress import IPv4Network
from pathlib import Path

from drillbook.errors import DrillbookError

POD_POOL = IPv4Network("10.200.0.0/16")
SERVICE_POOL = IPv4Network("10.201.0.0/16")
CNI_VERSION = "0.4.0"


def host_networks() -> list[IPv4Network]:
    """Every IPv4 network routed or addressed on the host, in any routing table."""
    found: list[IPv4Network] = []
    for argv in (["ip", "-j", "-4", "route", "show", "table", "all"], ["ip", "-j", "-4", "addr"]):
        out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
        found.extend(_networks(json.loads(out or "[]")))
    return found


def _networks(rows: list[dict[str, object]]) -> Iterable[IPv4Network]:
    for row in rows:
        dst = row.get("dst")
        if isinstance(dst, str) and dst != "default":
            yield IPv4Network(dst if "/" in dst else f"{dst}/32", strict=False)
        for info in row.get("addr_info", []) or []:  # type: ignore[attr-defined]
            yield IPv4Network(f"{info['local']}/{info['prefixlen']}", strict=False)


def pick_subnets(used: Iterable[IPv4Network]) -> tuple[IPv4Network, IPv4Network]:
    """A free pod /24 and a free Service /24, the k-th of each pool together."""
    taken = list(used)
    pods = POD_POOL.subnets(new_prefix=24)
    services = SERVICE_POOL.subnets(new_prefix=24)
    for pod, service in zip(pods, services, strict=True):
        if not any(pod.overlaps(t) or service.overlaps(t) for t in taken):
            return pod, service
    raise DrillbookError(
        f"no free /24 left in {POD_POOL} and {SERVICE_POOL} on this host",
        "remove unused networks (`ip route`) or clusters left by other tools",
    )


def conflist(
    network_name: str, bridge: str, pod_subnet: str, service_subnet: str, ipam_dir: Path
) -> str:
    """The CNI configuration of the pod network.

    Pods get a route to the Service subnet through the bridge (where kube-proxy's rules
    translate ClusterIPs), and none beyond: no default route, no NAT.
    """
    return json.dumps(
        {
            "cniVersion": CNI_VERSION,
            "name": network_name,
            "plugins": [
                {
                    "type": "bridge",
                    "bridge": bridge,
                    "isGateway": True,
                    "ipMasq": False,
                    # a pod reaching itself through a Service comes back over its own port
                    "hairpinMode": True,
                    "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": pod_subnet}]],
                        "routes": [{"dst": service_subnet}],
                        "dataDir": str(ipam_dir),
                    },
                },
                {"type": "portmap", "capabilities": {"portMappings": True}},
            ],
        },
        indent=2,
    )


def make_bridge(bridge: str, gateway: str, subnet: IPv4Network) -> None:
    """Create the bridge with its gateway address (idempotent)."""
    if not Path(f"/sys/class/net/{bridge}").exists():
        _ip("link", "add", bridge, "type", "bridge")
    current = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "dev", bridge], capture_output=True, text=True
    ).stdout
    if f" {gateway}/" not in current:
        _ip("addr", "add", f"{gateway}/{subnet.prefixlen}", "dev", bridge)
    _ip("link", "set", bridge, "up")


def remove_bridge(bridge: str) -> bool:
    """Delete the bridge (its pods' veth ends go with their namespaces). True if it existed."""
    if not Path(f"/sys/class/net/{bridge}").exists():
        return False
    _ip("link", "del", bridge)
    return True


def allow_forwarding(bridge: str, network_name: str) -> None:
    """Let pods reach each other across the bridge (also through a Service's DNAT).

    With br_netfilter loaded, bridged packets pass the host's FORWARD chain, whose policy
    Docker sets to DROP; Docker accepts traffic within each of its own bridges the same way.
    Traffic from the bridge to anywhere else stays dropped.
    """
    rule = ["FORWARD", "-i", bridge, "-o", bridge, "-m", "comment", "--comment"]
    rule.append(f"drillbook pod network {network_name}")
    rule += ["-j", "ACCEPT"]
    if subprocess.run(["iptables", "-w", "-C", *rule], capture_output=True).returncode != 0:
        _iptables("-I", *rule)


def remove_rules(network_name: str) -> int:
    """Remove the iptables rules of our network: the forwarding rule, and what the CNI
    plugins left after a hard kill.

    The portmap plugin tags its rules with `name: "<network>"` and jumps into per-pod
    chains; those rules and the chains they jump to go. Returns the number removed.
    """
    removed = 0
    for table in ("nat", "filter"):
        rules = _iptables("-t", table, "-S").splitlines()
        ours = [r for r in rules if r.startswith("-A ") and network_name in r]
        chains = {t for r in ours if (t := _jump(r)) and t.startswith("CNI-")}
        for rule in ours:
            _iptables("-t", table, "-D", *shlex.split(rule)[1:])
            removed += 1
        for chain in chains:
            _iptables("-t", table, "-F", chain)
            _iptables("-t", table, "-X", chain)
    return removed


def _jump(rule: str) -> str | None:
    parts = shlex.split(rule)
    return parts[parts.index("-j") + 1] if "-j" in parts else None


def _iptables(*args: str) -> str:
    return subprocess.run(["iptables", "-w", *args], capture_output=True, text=True).stdout


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DrillbookError(
            f"`ip {' '.join(args)}` failed: {result.stderr.strip()}",
            "the pod network needs root (CAP_NET_ADMIN)",
        )
