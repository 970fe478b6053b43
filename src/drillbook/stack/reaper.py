"""Removal of drillbook's containers and networks: a finished run's, or a killed run's leftovers."""

from __future__ import annotations

from collections.abc import Callable

import docker
from docker.errors import APIError, NotFound

from drillbook.stack import labels
from drillbook.stack.compose.reaping import remove_volumes


def remove(client: docker.DockerClient, *, keep: Callable[[dict[str, str]], bool]) -> int:
    """Remove every drillbook-labelled container, then network, for which `keep` is false.

    Returns how many objects were removed. Only objects carrying drillbook's label are looked at.
    """
    removed = 0
    for container in client.containers.list(all=True, filters=labels.managed_filter()):
        if keep(container.labels):
            continue
        try:
            container.remove(force=True, v=True)
            removed += 1
        except NotFound:
            pass
    for network in client.networks.list(filters=labels.managed_filter()):
        if keep(network.attrs.get("Labels") or {}):
            continue
        try:
            network.remove()
            removed += 1
        except (NotFound, APIError):
            pass  # still has an endpoint being torn down; the next reap takes it
    return removed + remove_volumes(client, keep=keep)  # named volumes of Compose runs


def reap_dead_runs(client: docker.DockerClient) -> int:
    """Remove what killed test runs left: session-owned objects whose process is gone."""
    return remove(
        client,
        keep=lambda lab: lab.get(labels.MODE) != "session" or labels.owner_alive(lab),
    )


def remove_run(client: docker.DockerClient, run_id: str) -> int:
    return remove(client, keep=lambda lab: lab.get(labels.RUN) != run_id)


def remove_detached(client: docker.DockerClient) -> int:
    """Remove stacks left running by `drillbook stack up`, and every dead run's leftovers."""
    return remove(
        client,
        keep=lambda lab: lab.get(labels.MODE) == "session" and labels.owner_alive(lab),
    )


def remove_all(client: docker.DockerClient) -> int:
    return remove(client, keep=lambda lab: False)
