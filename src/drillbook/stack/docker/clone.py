"""Recreating a container as it was: from the engine's record of it, not from a definition.

A drill on a stack it did not start (`drillbook drill --target`) changes a service's settings
the way `docker compose up -d` does after an edit: by replacing its container. The replacement
must be the same container in every other respect (image, command, published ports, mounts
and volumes, restart policy, labels, networks and their aliases), and putting the service back
means recreating it from the record taken before the drill touched it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import docker
from docker.models.containers import Container


@dataclass(frozen=True)
class Snapshot:
    """The engine's record of a container (`docker inspect`), taken once."""

    attrs: Mapping[str, Any]

    @classmethod
    def of(cls, container: Container) -> Snapshot:
        """The record of a container as last fetched (reload it first if it may be stale)."""
        return cls(copy.deepcopy(container.attrs))

    @property
    def name(self) -> str:
        return str(self.attrs["Name"]).lstrip("/")

    @property
    def env(self) -> dict[str, str]:
        return env_dict(self.attrs["Config"].get("Env"))

    @property
    def memory(self) -> int:
        return int(self.attrs["HostConfig"].get("Memory") or 0)


def env_dict(entries: list[str] | None) -> dict[str, str]:
    """`["A=1", "B"]` -> `{"A": "1", "B": ""}`: the engine's form of a container's settings."""
    found = {}
    for entry in entries or []:
        key, _, value = entry.partition("=")
        found[key] = value
    return found


def create_args(
    snapshot: Snapshot,
    *,
    env: Mapping[str, str] | None = None,
    command: list[str] | None = None,
    restart_policy: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Arguments of the low-level `create_container` for a copy of the snapshot's container
    with these changes, and the networks to join with their aliases (the first at creation)."""
    config = snapshot.attrs["Config"]
    host = copy.deepcopy(dict(snapshot.attrs["HostConfig"]))
    if restart_policy is not None:
        host["RestartPolicy"] = dict(restart_policy)
    # Volumes by name, anonymous ones too, so the copy finds the data where it was.
    binds = list(host.get("Binds") or [])
    bound = {b.split(":")[1] for b in binds if ":" in b}
    for mount in snapshot.attrs.get("Mounts") or []:
        if mount.get("Type") == "volume" and mount["Destination"] not in bound:
            mode = "" if mount.get("RW", True) else ":ro"
            binds.append(f"{mount['Name']}:{mount['Destination']}{mode}")
    host["Binds"] = binds or None
    short_id = str(snapshot.attrs["Id"])[:12]
    networks = {
        name: [a for a in (settings.get("Aliases") or []) if a != short_id]
        for name, settings in (snapshot.attrs["NetworkSettings"].get("Networks") or {}).items()
    }
    merged_env = {**snapshot.env, **(env or {})}
    args: dict[str, Any] = {
        "image": snapshot.attrs["Image"],  # the image id: always here, never pulled
        "command": command if command is not None else config.get("Cmd"),
        "entrypoint": config.get("Entrypoint"),
        "environment": [f"{k}={v}" for k, v in merged_env.items()],
        "labels": dict(config.get("Labels") or {}),
        "name": snapshot.name,
        "working_dir": config.get("WorkingDir") or None,
        "user": config.get("User") or None,
        "ports": [tuple(p.split("/", 1)) for p in config.get("ExposedPorts") or {}],
        "stop_signal": config.get("StopSignal"),
        "healthcheck": config.get("Healthcheck"),
        "host_config": host,
    }
    return args, networks


def recreate(
    client: docker.DockerClient,
    snapshot: Snapshot,
    *,
    env: Mapping[str, str] | None = None,
    command: list[str] | None = None,
    restart_policy: Mapping[str, Any] | None = None,
) -> Container:
    """Create and start a copy of the snapshot's container (which must be gone by now)."""
    args, networks = create_args(snapshot, env=env, command=command, restart_policy=restart_policy)
    # The network named in the host config first: the engine wants them to agree.
    mode = str(args["host_config"].get("NetworkMode") or "")
    names = sorted(networks, key=lambda n: n != mode)
    if names:
        first = names[0]
        endpoint = client.api.create_endpoint_config(aliases=networks[first] or None)
        # docker's stubs say one EndpointConfig; the engine (and docker-py) take a mapping.
        endpoints: Any = {first: endpoint}
        args["networking_config"] = client.api.create_networking_config(endpoints)
    created = client.api.create_container(**args)
    for name in names[1:]:
        client.api.connect_container_to_network(created["Id"], name, aliases=networks[name] or None)
    client.api.start(created["Id"])
    return client.containers.get(created["Id"])
