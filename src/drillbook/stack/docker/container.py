"""Starting one service's container with its port published on 127.0.0.1.

The port is chosen before the container exists (so that a restart keeps it): free when
chosen, it can be taken by another run's container before Docker binds it (two stacks started
in the same second, `pytest -n 2`). A port drillbook chose that the engine then finds taken is
chosen again; a port the caller gave (a replacement keeping its predecessor's) is not.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, cast

from docker.errors import APIError
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network

from drillbook.stack.network import free_port
from drillbook.stack.spec import ServiceSpec

HOST = "127.0.0.1"  # published on loopback only

PORT_ATTEMPTS = 5


def service_container(
    image: str,
    network: Network,
    spec: ServiceSpec,
    container_name: str,
    *,
    env: dict[str, str],
    command: list[str],
    kwargs: dict[str, Any],
) -> Callable[[int], DockerContainer]:
    """What builds the service's container, published on 127.0.0.1 at the port it is given,
    on the run's network under the service's name."""

    def make(host_port: int) -> DockerContainer:
        container = (
            DockerContainer(image)
            .with_network(network)
            .with_network_aliases(spec.name)
            .with_name(container_name)
            .with_envs(**env)
            .with_kwargs(**kwargs)
        )
        if command:
            container.with_command(command)
        for path, options in spec.tmpfs.items():
            # Docker takes mount options; a bare size is the common case.
            container.with_tmpfs_mount(path, options if "=" in options else f"size={options}")
        cast(dict[str, Any], container.ports)[f"{spec.port}/tcp"] = (HOST, host_port)
        return container

    return make


def port_taken(exc: APIError) -> bool:
    """Whether the engine refused a container because its host port was taken."""
    return port_taken_text(str(exc.explanation or exc))


def port_taken_text(said: str) -> bool:
    """Whether the engine's (or Compose's) message says a host port was taken."""
    said = said.lower()
    return "port is already allocated" in said or "address already in use" in said


def start_published(
    make: Callable[[int], DockerContainer], port: int | None = None
) -> tuple[DockerContainer, int]:
    """Start the container `make(host_port)` builds; `port`, or one chosen now and chosen
    again while the engine finds it taken. Returns the container and its host port."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        host_port = port or free_port()
        container = make(host_port)
        try:
            container.start()
        except APIError as exc:
            with contextlib.suppress(APIError):
                container.stop()  # the container was created, but not started
            if port is None and port_taken(exc) and attempt < PORT_ATTEMPTS:
                continue
            raise
        return container, host_port
    raise AssertionError("unreachable: the last attempt returns or raises")
