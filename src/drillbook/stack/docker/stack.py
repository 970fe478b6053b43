"""Stack: the services of a stack definition, running on one private Docker network.

    with Stack(load_stack_spec("fixtures/stack.yaml")) as stack:
        api = stack.service("api")
        httpx.get(api.url + "/ready")

Containers are started with testcontainers, labelled, named on the network by service name,
published on 127.0.0.1 only, and removed on exit, also on an exception or Ctrl-C.

A stack defined by Compose files (`StackSpec.compose`) is started by the real Docker Compose
under a project name of the run's own (`drillbook.stack.compose`); its services are then
driven like any other: the same faults, by service name.

`Stack.attach` takes over a stack already running (`drillbook stack up`, or containers
labelled as drillbook's): drills act on it as on their own, and leave its containers
running when they end.
"""

from __future__ import annotations

import atexit
import contextlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any

import docker
from docker.errors import APIError, NotFound
from testcontainers.core.network import Network

from drillbook.errors import DrillbookError
from drillbook.host import engine
from drillbook.host.progress import Progress, quiet
from drillbook.stack import labels, reaper
from drillbook.stack.backend import Backend, Tool
from drillbook.stack.docker import clone
from drillbook.stack.docker import target as targets
from drillbook.stack.docker.clone import Snapshot
from drillbook.stack.docker.container import service_container, start_published
from drillbook.stack.docker.service import HOST, Service
from drillbook.stack.images import image_ref
from drillbook.stack.kube.spec import refuse_manifests
from drillbook.stack.network import free_port
from drillbook.stack.spec import StackSpec
from drillbook.stack.toxiproxy import Link, Toxiproxies

if TYPE_CHECKING:
    from drillbook.stack.compose.project import ComposeProject


class Stack:
    """The running services of a StackSpec, their Toxiproxy links, and their network."""

    def __init__(
        self,
        spec: StackSpec,
        *,
        mode: str = "session",
        progress: Progress = quiet,
        client: docker.DockerClient | None = None,
    ) -> None:
        refuse_manifests(spec)
        self.spec = spec
        self.mode = mode
        self.progress = progress
        self.run_id = uuid.uuid4().hex[:10]
        self.client = client or engine.connect()
        self.services: dict[str, Service] = {}
        self.links: dict[str, Link] = {}
        self.replicas: dict[str, list[Service]] = {}
        self._network: Network | None = None
        self._labels = labels.run_labels(self.run_id, spec.name, mode)
        # service -> image: hashed once (a build context is read in full to hash it), or, in
        # an attached stack, the image its container runs
        self._images: dict[str, str] = {}
        self._scale: dict[str, int] = {}  # service -> containers it had when attached
        self.compose: ComposeProject | None = None  # the Compose project of a Compose stack

    @classmethod
    def attach(
        cls,
        spec: StackSpec,
        run_id: str | None = None,
        *,
        progress: Progress = quiet,
        client: docker.DockerClient | None = None,
    ) -> Stack:
        """The running stack with drillbook run id `run_id` (the only one, if None), checked
        against `spec`. `down()` then lets go of it: its containers keep running."""
        client = client or engine.connect()
        target = targets.choose(targets.group(targets.members(client)), run_id)
        attachment = targets.attach(
            target,
            spec,
            managed_networks=targets.managed_networks(client),
            owner_alive=labels.owner_alive(target.run_labels()),
        )
        stack = cls(spec, mode="attached", progress=progress, client=client)
        stack.run_id = target.run_id
        stack._labels = target.run_labels()
        network = Network()
        network.name = attachment.network
        stack._network = network
        for name, (member, host_port) in attachment.services.items():
            container = client.containers.get(member.id)
            stack.services[name] = Service(
                spec.services[name], container, host_port, baseline=Snapshot.of(container)
            )
            stack._images[name] = member.image
        for name, members in attachment.replicas.items():
            port = spec.services[name].port
            stack.replicas[name] = [
                Service(spec.services[name], client.containers.get(m.id), m.host_port(port) or 0)
                for m in members
            ]
            stack._scale[name] = 1 + len(members)
        if spec.proxy:
            proxies = stack.toxiproxies()
            stack.links = {link.name: proxies.find(link) for link in spec.links}
        progress(f"stack {spec.name}: attached to {target.describe()}")
        return stack

    # -- lifecycle -----------------------------------------------------------------------
    def up(self) -> Stack:
        """Start every service (independent ones in parallel) and wait until all are ready."""
        start = time.monotonic()
        if self.mode == "session":
            atexit.register(self.down)
        try:
            if self.spec.compose is not None:
                self._up_compose()
            else:
                self._network = Network(docker_network_kw={"labels": dict(self._labels)}).create()
                for wave in self.spec.start_order():
                    with ThreadPoolExecutor(max_workers=len(wave)) as pool:
                        list(pool.map(self._start_service, wave))
                    if self.spec.proxy in wave:
                        self._create_links()
        except BaseException:
            self.down()
            raise
        self.progress(f"stack {self.spec.name}: up in {time.monotonic() - start:.1f} s")
        return self

    def down(self) -> None:
        """Remove every container and the network of this run. Safe to call twice.

        An attached stack is only let go of: its containers are not drillbook's to remove.
        """
        if self.mode == "session":
            atexit.unregister(self.down)
        if self.compose is not None and self.mode == "session":
            self.compose.down()
            self.compose = None
        removed = 0 if self.mode == "attached" else reaper.remove_run(self.client, self.run_id)
        self.services.clear()
        self.replicas.clear()
        self.links.clear()
        self._network = None
        if removed:
            self.progress(f"stack {self.spec.name}: removed {removed} objects")

    def __enter__(self) -> Stack:
        return self.up()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    # -- access --------------------------------------------------------------------------
    def service(self, name: str) -> Service:
        try:
            return self.services[name]
        except KeyError:
            self.spec.service(name)  # raises the helpful error for an unknown name
            raise DrillbookError(f"service {name!r} is not running in this stack") from None

    def link(self, target: str) -> Link:
        spec = self.spec.link(target)
        return self.links[spec.name]

    def endpoints(self) -> dict[str, Any]:
        return {
            "stack": self.spec.name,
            "run": self.run_id,
            "network": self._network.name if self._network else None,
            "services": {name: s.endpoint() for name, s in sorted(self.services.items())},
            "links": {
                name: {"upstream": link.upstream, "listen": link.spec.listen}
                for name, link in sorted(self.links.items())
            },
        }

    def host_address(self) -> str:
        """This machine's address on the stack's own network (its gateway): the one address
        a service of the stack may reach drillbook at (Alertmanager's pages)."""
        if self._network is None:
            raise DrillbookError(f"stack {self.spec.name} has no network (not up)")
        attrs = self.client.networks.get(self._network.name).attrs
        for config in (attrs.get("IPAM") or {}).get("Config") or []:
            if config.get("Gateway"):
                return str(config["Gateway"])
        raise DrillbookError(f"network {self._network.name} has no gateway address")

    def toxiproxies(self) -> Toxiproxies:
        if not self.spec.proxy:
            raise DrillbookError(f"stack {self.spec.name} has no proxy service")
        return Toxiproxies(HOST, self.service(self.spec.proxy).host_port)

    # -- changing the running stack -------------------------------------------------------
    def recreate(
        self,
        name: str,
        *,
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
        restart_policy: dict[str, Any] | None = None,
        wait: bool = True,
    ) -> Service:
        """Replace a service's container, as `docker compose up -d` does after a config change.

        `env` is merged over the stack definition's environment; `command` replaces the
        image's. Called with no arguments it restores the service as defined. The published
        port, network name and replicas are kept. In an attached stack the container is
        copied from what it was when attached, volumes included, and only `env`, `command`
        and `restart_policy` differ.
        """
        old = self.service(name)
        with contextlib.suppress(NotFound):  # gone already: an earlier recreate was cut short
            old.docker.remove(force=True, v=old.baseline is None)
        if old.baseline is not None:
            container = clone.recreate(
                self.client,
                old.baseline,
                env=env,
                command=command,
                restart_policy=restart_policy,
            )
            service = Service(old.spec, container, old.host_port, baseline=old.baseline)
        else:
            service = self._run_container(
                name,
                host_port=old.host_port,
                env=env,
                command=command,
                restart_policy=restart_policy,
                container_name=old.docker.name,
            )
        self.services[name] = service
        if wait:
            service.wait_ready()
        return service

    def scale(self, name: str, replicas: int) -> None:
        """Run `replicas` containers of a service, all answering to its network name.

        The first is the service itself; 0 stops it. Extra replicas get their own loopback
        ports and are removed when scaled down.
        """
        if replicas < 0:
            raise DrillbookError(f"cannot scale {name} to {replicas} replicas")
        if self.compose is not None:
            self.compose.scale(name, replicas)
            self._adopt_compose([name])
            return
        primary = self.service(name)
        extras = self.replicas.setdefault(name, [])
        while len(extras) > max(0, replicas - 1):
            extras.pop().docker.remove(force=True, v=True)
        if replicas == 0:
            primary.stop()
            return
        if primary.status() != "running":
            primary.start()
        started = []
        for index in range(len(extras) + 1, replicas):
            replica = self._run_container(name, replica=index)
            extras.append(replica)
            started.append(replica)
        for service in [primary, *started]:
            service.wait_ready()

    @property
    def backend(self) -> Backend:
        return "compose" if self.compose is not None else "docker"

    def limit_memory(self, name: str, memory: str) -> None:
        """A new memory limit (and swap limit) on the service's container, in place."""
        self.service(name).docker.update(mem_limit=memory, memswap_limit=memory)

    def run_line(self, tool: Tool, argv: list[str]) -> tuple[bool, str] | None:
        """A Compose line on a Compose stack; None for any other (see `StackBackend`)."""
        if tool != "compose" or self.compose is None:
            return None
        return self.compose_line(argv)

    def compose_line(self, argv: list[str]) -> tuple[bool, str]:
        """Run a runbook's Compose line as written on this Compose stack's project, then take
        over the containers it left (a restart keeps them; `up` may replace or add some)."""
        if self.compose is None:
            raise DrillbookError(f"stack {self.spec.name} is not a Compose project")
        ok, output = self.compose.run_line(argv)
        self._adopt_compose(list(self.spec.services))
        return ok, output

    def reset(self) -> None:
        """Bring every service back as defined and running, every link clean: between drills.

        Faults revert themselves; this is the safety net for what a failed drill or a
        runbook step (a scale, a stop) left changed.
        """
        for name in list(self.replicas):
            self.scale(name, self._scale.get(name, 1))
        for name, service in list(self.services.items()):
            try:
                drift = service.drift()  # reloads the container: its status is fresh below
            except NotFound:
                drift = "the container is gone; it"
            if drift:
                self.progress(f"  {name}: recreated ({drift} differed from the definition)")
                service = self.recreate(name, wait=False)
            if service.docker.status == "paused":
                service.unpause()
            elif service.docker.status != "running":
                service.start()
        if self.spec.proxy and self.links:
            self.toxiproxies().reset()
        for service in self.services.values():
            service.wait_ready()

    # -- internals -----------------------------------------------------------------------
    def _up_compose(self) -> None:
        """`docker compose up --wait` under the run's project, then take over its containers."""
        from drillbook.stack.compose.project import ComposeProject

        self.compose = ComposeProject(
            self.spec,
            self.run_id,
            self._labels,
            self.client,
            progress=self.progress,
            free_port=free_port,
        )
        self.compose.up()
        network = Network()
        network.name = self.compose.network()
        self._network = network
        self._adopt_compose(list(self.spec.services))
        self._scale = {name: 1 + len(self.replicas.get(name, [])) for name in self.spec.services}
        if self.spec.proxy:
            proxies = self.toxiproxies()  # its proxies come from the config Compose gave it
            self.links = {link.name: proxies.find(link) for link in self.spec.links}
            self.progress(f"  links: {', '.join(sorted(self.links))}")

    def _adopt_compose(self, names: list[str]) -> None:
        """The services' containers as Compose runs them; each one's state as started is the
        baseline a reset returns to (`recreate` copies it, Compose labels included)."""
        assert self.compose is not None
        containers = self.compose.containers()
        for name in names:
            spec = self.spec.services[name]
            members = [c for c in containers.get(name, []) if c.status != "removing"]
            current = self.services.get(name)
            if current is not None and all(c.id != current.docker.id for c in members):
                members.insert(0, current.docker)  # scaled to 0: keep the handle to restart it
            if not members:
                raise DrillbookError(f"service {name} has no container in {self.compose.name}")
            primary, *extra = members
            if current is None or current.docker.id != primary.id:
                port = self.compose.host_port(primary, spec.port)
                self.services[name] = Service(spec, primary, port, baseline=Snapshot.of(primary))
            replicas = [Service(spec, c, self.compose.host_port(c, spec.port)) for c in extra]
            if replicas:
                self.replicas[name] = replicas
            else:
                self.replicas.pop(name, None)

    def _start_service(self, name: str) -> None:
        self.progress(f"  {name}: starting")
        service = self._run_container(name)
        self.services[name] = service
        waited = service.wait_ready()
        self.progress(f"  {name}: ready in {waited:.1f} s on {HOST}:{service.host_port}")

    def _run_container(
        self,
        name: str,
        *,
        replica: int = 0,
        host_port: int | None = None,
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
        restart_policy: dict[str, Any] | None = None,
        container_name: str | None = None,
    ) -> Service:
        spec = self.spec.services[name]
        network = self._network
        assert network is not None
        suffix = f"-{replica}" if replica else ""
        if name not in self._images:
            self._images[name] = image_ref(spec)
        service_labels = {**self._labels, labels.SERVICE: name, labels.REPLICA: str(replica)}
        kwargs: dict[str, Any] = {"labels": service_labels}
        if spec.memory:
            # No swap: a memory limit must end in an OOM kill, not in slow paging.
            kwargs.update(mem_limit=spec.memory, memswap_limit=spec.memory)
        if restart_policy:
            kwargs["restart_policy"] = restart_policy
        make = service_container(
            self._images[name],
            network,
            spec,
            container_name or f"drillbook-{self.spec.name}-{name}{suffix}-{self.run_id}",
            env={**spec.env, **(env or {})},
            command=command or list(spec.command),
            kwargs=kwargs,
        )
        try:
            container, host_port = start_published(make, host_port)
        except APIError as exc:
            raise DrillbookError(
                f"service {name} could not start: {exc.explanation or exc}",
                f"check service {name!r} in {self.spec.path}",
            ) from None
        return Service(spec, container.get_wrapped_container(), host_port)

    def _create_links(self) -> None:
        proxies = self.toxiproxies()
        for spec in self.spec.links:
            link = proxies.create(spec, self.spec.services[spec.target].port)
            self.links[spec.name] = link
        if self.spec.links:
            self.progress(f"  links: {', '.join(sorted(self.links))}")
