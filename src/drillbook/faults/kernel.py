"""Network faults in the kernel: iptables rules in one container's network namespace.

The rules are put in with the host's iptables, entered into the namespace of a drillbook
container (`nsenter -t <pid> -n`) after checking that the pid is that container's and that
its namespace is not this host's. They never touch the host's own tables, and they vanish with
the container's namespace. Every rule carries the comment `drillbook-fault-<run>-<id>`, so
revert deletes its own rules and a scan finds any left over. (netem is not available on these
kernels: delays and bandwidth go through the Toxiproxy faults.)
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from drillbook.errors import DrillbookError
from drillbook.faults.access import MARKER, container_of, in_netns, status
from drillbook.faults.base import Fault, ServiceParams, param, register

if TYPE_CHECKING:
    from docker.models.containers import Container

DIRECTIONS = ("both", "ingress", "egress")
Rule = tuple[str, ...]  # an iptables rule: chain, then match and target arguments


@dataclass(frozen=True, kw_only=True)
class KernelParams(ServiceParams):
    peer: str | None = param(
        "only traffic to and from this service (default: all but loopback)",
        default=None,
        refers_to="service",
    )
    direction: str = param(
        "ingress (into the service), egress (out of it) or both", default="both", choices=DIRECTIONS
    )

    def check(self) -> str | None:
        return "peer: must be another service" if self.peer == self.service else None


@dataclass(frozen=True, kw_only=True)
class PacketLossParams(KernelParams):
    probability: float = param("chance that a packet is dropped", minimum=0.0, maximum=1.0)


def rules(direction: str, peer_ip: str | None, action: tuple[str, ...], comment: str) -> list[Rule]:
    """The iptables rules (filter table) of a kernel fault: pure, so it is unit-tested."""
    out: list[Rule] = []
    tag = ("-m", "comment", "--comment", comment)
    if direction in ("both", "ingress"):
        match = ("-s", peer_ip) if peer_ip else ("!", "-i", "lo")
        out.append(("INPUT", *match, *tag, *action))
    if direction in ("both", "egress"):
        match = ("-d", peer_ip) if peer_ip else ("!", "-o", "lo")
        out.append(("OUTPUT", *match, *tag, *action))
    return out


def tagged_rules(saved: str, prefix: str) -> list[Rule]:
    """Rules of `iptables-save` output whose comment starts with `prefix`, as `-A` arguments."""
    found = []
    for line in saved.splitlines():
        if not line.startswith("-A "):
            continue
        words = shlex.split(line)
        for i, word in enumerate(words[:-1]):
            if word == "--comment" and words[i + 1].startswith(prefix):
                found.append(tuple(words[1:]))
                break
    return found


def find_rules(container: Container, prefix: str) -> list[Rule]:
    """The rules tagged with `prefix` in the container's namespace."""
    return tagged_rules(in_netns(container, ["iptables-save", "-t", "filter"]), prefix)


def delete_rules(container: Container, prefix: str) -> int:
    """Delete every rule tagged with `prefix` in the container's namespace; how many there were.

    A stopped container has no namespace left, hence no rules: nothing to do.
    """
    if status(container) not in ("running", "paused"):
        return 0
    found = find_rules(container, prefix)
    if found:
        in_netns(container, *(["iptables", "-w", "-D", *rule] for rule in found))
    return len(found)


def _ip(container: Container) -> str:
    networks = container.attrs["NetworkSettings"]["Networks"] or {}
    for net in networks.values():
        if net.get("IPAddress"):
            return str(net["IPAddress"])
    raise DrillbookError(f"container {container.name} has no network address")


KP = TypeVar("KP", bound=KernelParams)


class _KernelFault(Fault[KP]):
    category = "kernel"
    action: tuple[str, ...] = ("-j", "DROP")
    verb = ""

    @property
    def comment(self) -> str:
        return f"{MARKER}{self.id}"

    def _action(self) -> tuple[str, ...]:
        return self.action

    def _inject(self) -> None:
        p = self.params
        container = container_of(self.stack, p.service)
        peer_ip = _ip(container_of(self.stack, p.peer)) if p.peer else None
        new = rules(p.direction, peer_ip, self._action(), self.comment)
        in_netns(container, *(["iptables", "-w", "-I", *rule] for rule in new))

    def _revert(self) -> None:
        delete_rules(container_of(self.stack, self.params.service), self.comment)

    def describe(self) -> str:
        p = self.params
        scope = f"to/from {p.peer}" if p.peer else "all traffic"
        return f"{self.verb} {scope} of {p.service} ({p.direction})"


@register
class Partition(_KernelFault[KernelParams]):
    kind = "partition"
    summary = "Silently drop the service's packets (iptables DROP): connections hang"
    params_type = KernelParams
    verb = "drop"


@register
class Reject(_KernelFault[KernelParams]):
    kind = "reject"
    summary = "Refuse the service's TCP traffic with a reset (iptables REJECT tcp-reset)"
    params_type = KernelParams
    # Resets themselves pass: the reset REJECT sends goes out through OUTPUT, where this
    # rule would otherwise swallow it and leave the peer hanging, as with DROP.
    action = (
        "-p", "tcp", "!", "--tcp-flags", "RST", "RST",
        "-j", "REJECT", "--reject-with", "tcp-reset",
    )  # fmt: skip
    verb = "reset TCP"


@register
class PacketLoss(_KernelFault[PacketLossParams]):
    kind = "packet-loss"
    summary = "Drop the service's packets at random with a probability (iptables statistic)"
    params_type = PacketLossParams
    verb = "lose packets"

    def _action(self) -> tuple[str, ...]:
        p = f"{self.params.probability:.4f}"
        return ("-m", "statistic", "--mode", "random", "--probability", p, "-j", "DROP")

    def describe(self) -> str:
        return f"{super().describe()} with p={self.params.probability:g}"
