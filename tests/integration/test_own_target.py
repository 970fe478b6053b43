"""A stack drillbook did not start (containers its owners labelled) as a drill's target.

A drill that changes a service's settings replaces its container; on such a stack the
replacement must be the owners' container in every other respect, with its data, and
putting it back must restore exactly what was there.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from drillbook.stack import Stack, labels, load_stack_spec
from drillbook.stack.images import image_ref
from drillbook.stack.network import free_port
from drillbook.stack.spec import StackSpec

pytestmark = pytest.mark.integration


@pytest.fixture
def spec(mini_stack: Path) -> StackSpec:
    return load_stack_spec(mini_stack)


@pytest.fixture
def own_redis(client: docker.DockerClient, spec: StackSpec) -> Iterator[str]:
    """A Redis its owners started by hand: their network, volume, settings and labels."""
    run = f"own-{uuid.uuid4().hex[:8]}"
    managed = {labels.MANAGED: "true"}
    network = client.networks.create(f"drillbook-{run}", labels=managed)
    volume = client.volumes.create(f"drillbook-{run}", labels=managed)
    try:
        client.containers.run(
            image_ref(spec.services["redis"]),
            name=f"drillbook-{run}-redis",
            detach=True,
            network=network.name,
            labels={
                **managed,
                labels.RUN: run,
                labels.STACK: "mini",  # our image says "reference"; the owners' label wins
                labels.SERVICE: "redis",
                "com.example.team": "search",
            },
            ports={"6379/tcp": ("127.0.0.1", free_port())},
            volumes={volume.name: {"bind": "/data", "mode": "rw"}},
            restart_policy={"Name": "unless-stopped"},
            environment={"OWNERS_SETTING": "kept"},
        )
        yield run
    finally:
        ours = labels.managed_filter(**{labels.RUN: run})
        for c in client.containers.list(all=True, filters=ours):
            c.remove(force=True)
        network.remove()
        volume.remove(force=True)


def _record(client: docker.DockerClient, run: str) -> dict[str, object]:
    (c,) = client.containers.list(all=True, filters=labels.managed_filter(**{labels.RUN: run}))
    a = c.attrs
    return {
        "name": c.name,
        "image": a["Image"],
        "labels": a["Config"]["Labels"],
        "env": sorted(a["Config"]["Env"]),
        "cmd": a["Config"]["Cmd"],
        "ports": a["HostConfig"]["PortBindings"],
        "restart": a["HostConfig"]["RestartPolicy"],
        "volumes": sorted((m["Name"], m["Destination"]) for m in a["Mounts"]),
        "networks": sorted(a["NetworkSettings"]["Networks"]),
    }


def test_a_recreated_service_is_the_owners_container_with_its_data(
    client: docker.DockerClient, spec: StackSpec, own_redis: str
) -> None:
    stack = Stack.attach(spec, own_redis, client=client)
    redis = stack.service("redis")
    redis.wait_ready(timeout_s=30)
    assert redis.exec(["redis-cli", "SET", "acknowledged", "yes"])[1].strip() == "OK"
    time.sleep(2.0)  # appendfsync everysec
    before = _record(client, own_redis)

    stack.recreate("redis", env={"DRILL_SETTING": "1"})
    during = _record(client, own_redis)
    assert during["env"] == sorted([*before["env"], "DRILL_SETTING=1"])  # type: ignore[misc]
    assert {k: v for k, v in during.items() if k != "env"} == {
        k: v for k, v in before.items() if k != "env"
    }
    assert stack.service("redis").drift() == "settings DRILL_SETTING"
    assert stack.service("redis").exec(["redis-cli", "GET", "acknowledged"])[1].strip() == "yes"

    stack.reset()  # the drill's safety net puts it back as it was found
    assert _record(client, own_redis) == before
    assert stack.service("redis").drift() is None
    assert stack.service("redis").exec(["redis-cli", "GET", "acknowledged"])[1].strip() == "yes"

    stack.down()  # lets go; the owners' container keeps running
    assert _record(client, own_redis) == before
    assert stack.services == {}
    (c,) = client.containers.list(filters=labels.managed_filter(**{labels.RUN: own_redis}))
    assert c.status == "running"
