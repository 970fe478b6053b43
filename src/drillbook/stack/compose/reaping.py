"""Volumes of Compose runs: the one kind of object a Compose project leaves that containers and
networks do not cover. `docker compose down --volumes` removes a finished run's; a killed
run's are removed here, by drillbook's labels, like its containers (`stack.reaper`)."""

from __future__ import annotations

from collections.abc import Callable

import docker
from docker.errors import APIError, NotFound

from drillbook.stack import labels


def remove_volumes(client: docker.DockerClient, *, keep: Callable[[dict[str, str]], bool]) -> int:
    """Remove every drillbook-labelled volume for which `keep` is false and no container uses;
    returns how many. Call after the containers are gone."""
    removed = 0
    for volume in client.volumes.list(filters=labels.managed_filter()):
        if keep(volume.attrs.get("Labels") or {}):
            continue
        try:
            volume.remove()
            removed += 1
        except (NotFound, APIError):
            pass  # still in use by a container being removed; the next reap takes it
    return removed
