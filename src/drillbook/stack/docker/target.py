"""Targets: stacks already running that a drill may take over without owning them.

A target is every container carrying drillbook's labels with one run id: a stack started by
`drillbook stack up`, or a stack of one's own (Compose, say) labelled the same way:

    services:
      api:
        labels:
          io.drillbook.managed: "true"
          io.drillbook.run: shop-staging      # one id for the whole stack
          io.drillbook.service: api           # the service's name in the stack definition
    networks:
      default:
        labels:
          io.drillbook.managed: "true"

The stack definition still says what each service is (its port, its readiness check, its
links); the containers must match it. Everything here is pure: the Docker calls that gather
the facts are at the end of the module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import docker

from drillbook.errors import DrillbookError
from drillbook.stack import labels
from drillbook.stack.spec import StackSpec

# A port published on these host addresses answers on 127.0.0.1, the only one drillbook uses.
_LOOPBACK_REACHABLE = ("127.0.0.1", "0.0.0.0", "")
# The labels that describe a run rather than one of its containers.
_RUN_LABELS = (
    labels.MANAGED,
    labels.RUN,
    labels.STACK,
    labels.MODE,
    labels.OWNER_PID,
    labels.OWNER_HOST,
)


@dataclass(frozen=True)
class Member:
    """What a drill needs to know of one labelled container."""

    id: str
    name: str
    labels: Mapping[str, str]
    status: str
    image: str
    networks: tuple[str, ...]
    # container port ("6379/tcp") -> host bindings (address, port)
    published: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    @property
    def run(self) -> str:
        return self.labels.get(labels.RUN, "")

    @property
    def service(self) -> str:
        return self.labels.get(labels.SERVICE, "")

    @property
    def replica(self) -> int:
        try:
            return int(self.labels.get(labels.REPLICA, "0"))
        except ValueError:
            return 0

    def host_port(self, port: int) -> int | None:
        """The host port `port` is published on, if it answers on 127.0.0.1."""
        for address, host_port in self.published.get(f"{port}/tcp", ()):
            if address in _LOOPBACK_REACHABLE:
                return host_port
        return None


@dataclass(frozen=True)
class Target:
    """The containers of one run id."""

    run_id: str
    members: tuple[Member, ...]

    @property
    def stack(self) -> str:
        return self.run_labels().get(labels.STACK, "")

    @property
    def mode(self) -> str:
        return self.run_labels().get(labels.MODE, "")

    def run_labels(self) -> dict[str, str]:
        """The run's labels, for containers a drill adds to it (replicas, recreated ones)."""
        found: dict[str, str] = {}
        for member in self.members:
            for key in _RUN_LABELS:
                if key in member.labels:
                    found.setdefault(key, member.labels[key])
        return found

    def describe(self) -> str:
        return f"run {self.run_id} (stack {self.stack or '?'}, {len(self.members)} containers)"


@dataclass(frozen=True)
class Attachment:
    """A target checked against a stack definition: where each service is."""

    target: Target
    network: str
    services: Mapping[str, tuple[Member, int]]  # service -> (primary container, host port)
    replicas: Mapping[str, tuple[Member, ...]] = field(default_factory=dict)  # beyond the primary


def group(members: Iterable[Member]) -> list[Target]:
    """The runs of these containers, by run id."""
    runs: dict[str, list[Member]] = {}
    for member in members:
        if member.labels.get(labels.MANAGED) == "true" and member.run:
            runs.setdefault(member.run, []).append(member)
    ordered = sorted(runs.items())
    return [Target(run, tuple(sorted(ms, key=lambda m: m.name))) for run, ms in ordered]


def choose(targets: Sequence[Target], wanted: str | None) -> Target:
    """The target named `wanted`, or the only one running when none is named."""
    shown = "; ".join(t.describe() for t in targets)
    if wanted:
        for target in targets:
            if target.run_id == wanted:
                return target
        raise DrillbookError(
            f"no running drillbook stack has run id {wanted!r}"
            + (f" (running: {shown})" if targets else ""),
            "see `drillbook stack status` for run ids, or start one with `drillbook stack up`",
        )
    if not targets:
        raise DrillbookError(
            "--target: no drillbook-labelled stack is running",
            "start one with `drillbook stack up`, or label your own containers "
            "(see `drillbook drill --help`)",
        )
    if len(targets) > 1:
        raise DrillbookError(
            f"--target: {len(targets)} stacks are running ({shown})",
            "name one: --target RUN_ID",
        )
    return targets[0]


def attach(
    target: Target,
    spec: StackSpec,
    *,
    managed_networks: Iterable[str],
    owner_alive: bool,
) -> Attachment:
    """Check that `target` runs the services of `spec` where drillbook may act on them.

    Refuses a stack that a live drillbook process owns (a test run), one whose network
    drillbook did not label, and one missing a service, a running container or a published
    port; every problem is listed at once.
    """
    if target.mode == "session" and owner_alive:
        raise DrillbookError(
            f"--target: {target.describe()} belongs to a drillbook process still running",
            "wait for it to end, or start a stack of your own with `drillbook stack up`",
        )
    problems: list[str] = []
    if target.stack and target.stack != spec.name:
        problems.append(f"it runs stack {target.stack!r}, the definition is {spec.name!r}")
    services: dict[str, tuple[Member, int]] = {}
    for name, service in sorted(spec.services.items()):
        primary = [m for m in target.members if m.service == name and m.replica == 0]
        if not primary:
            problems.append(f"no container labelled {labels.SERVICE}={name}")
            continue
        if len(primary) > 1:
            names = ", ".join(m.name for m in primary)
            problems.append(f"service {name} has {len(primary)} primary containers ({names})")
            continue
        member = primary[0]
        if member.status != "running":
            problems.append(f"{member.name} ({name}) is {member.status}, not running")
        host_port = member.host_port(service.port)
        if host_port is None:
            problems.append(
                f"{member.name} ({name}) does not publish port {service.port} on 127.0.0.1"
            )
            continue
        services[name] = (member, host_port)
    network = _shared_network(target, set(managed_networks), problems)
    if problems:
        raise DrillbookError(
            f"--target {target.run_id} does not match {spec.path}:\n  - " + "\n  - ".join(problems),
            "pass --stack with the definition of that stack, start one with `drillbook stack "
            "up`, or fix the labels of its containers",
        )
    extra = sorted((m for m in target.members if m.replica), key=lambda m: m.replica)
    replicas = {
        name: tuple(m for m in extra if m.service == name)
        for name in services
        if any(m.service == name for m in extra)
    }
    return Attachment(target, network, services, replicas)


def _shared_network(target: Target, managed: set[str], problems: list[str]) -> str:
    """The one drillbook-labelled network all the target's containers are on."""
    if not target.members:
        return ""
    common = set(target.members[0].networks)
    for member in target.members[1:]:
        common &= set(member.networks)
    ours = sorted(common & managed)
    if len(ours) == 1:
        return ours[0]
    if ours:
        problems.append(f"its containers share {len(ours)} labelled networks ({', '.join(ours)})")
        return ""
    labelled = sorted({n for m in target.members for n in m.networks} & managed)
    if not labelled:
        problems.append(
            f"none of its containers is on a network labelled {labels.MANAGED}=true (drills "
            "act only on networks drillbook can tell are its own)"
        )
        return ""
    outside = [m.name for m in target.members if labelled[0] not in m.networks]
    problems.append(f"not on its labelled network {labelled[0]}: {', '.join(outside)}")
    return ""


# -- the facts, from the Docker engine ------------------------------------------------------


def members(client: docker.DockerClient) -> list[Member]:
    """Every drillbook-labelled container, as a Member."""
    found = []
    for c in client.containers.list(all=True, filters=labels.managed_filter()):
        ports = c.attrs.get("NetworkSettings", {}).get("Ports") or {}
        found.append(
            Member(
                id=str(c.id),
                name=str(c.name),
                labels=dict(c.labels or {}),
                status=c.status,
                image=c.attrs.get("Image", ""),  # the id: a recreate never pulls
                networks=tuple(c.attrs.get("NetworkSettings", {}).get("Networks") or {}),
                published={
                    port: tuple((b.get("HostIp", ""), int(b["HostPort"])) for b in bindings or ())
                    for port, bindings in ports.items()
                },
            )
        )
    return found


def managed_networks(client: docker.DockerClient) -> list[str]:
    return [str(n.name) for n in client.networks.list(filters=labels.managed_filter())]
