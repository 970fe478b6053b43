"""A host port drillbook chose that is taken before Docker binds it (another stack started in
the same second) is chosen again, not a failed stack."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import pytest

from drillbook.host import engine
from drillbook.stack import Stack, load_stack_spec
from drillbook.stack.docker import container
from drillbook.stack.network import free_port
from drillbook.stack.spec import StackSpec
from tests.integration.conftest import REDIS_COMPOSE

pytestmark = pytest.mark.integration


@pytest.fixture
def taken() -> Iterator[int]:
    """A port on 127.0.0.1 that another process holds."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_a_port_taken_between_choosing_and_binding_is_chosen_again(
    mini_stack: Path,
    client: docker.DockerClient,
    taken: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen: list[int] = []

    def first_the_taken_one() -> int:
        chosen.append(taken if not chosen else free_port())
        return chosen[-1]

    monkeypatch.setattr(container, "free_port", first_the_taken_one)
    with Stack(load_stack_spec(mini_stack), client=client) as stack:
        redis = stack.service("redis")
        assert chosen[0] == taken and len(chosen) == 2
        assert redis.host_port == chosen[1] != taken
        assert redis.exec(["redis-cli", "ping"])[1].strip() == "PONG"


def test_a_compose_stack_takes_another_port_too(
    tmp_path: Path, client: docker.DockerClient, taken: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drillbook.stack.docker import stack as docker_stack
    from drillbook.stack.images import ensure_images

    (tmp_path / "compose.yml").write_text(REDIS_COMPOSE)
    spec = load_stack_spec(tmp_path / "compose.yml")
    ensure_images(client, spec)
    chosen: list[int] = []

    def first_the_taken_one() -> int:
        chosen.append(taken if not chosen else free_port())
        return chosen[-1]

    monkeypatch.setattr(docker_stack, "free_port", first_the_taken_one)
    with Stack(spec, client=client) as stack:
        redis = stack.service("redis")
        assert chosen[0] == taken and redis.host_port not in (0, taken)
        assert redis.exec(["redis-cli", "ping"])[1].strip() == "PONG"


@pytest.fixture(params=["docker", "compose"])
def any_mini_stack(request: pytest.FixtureRequest, tmp_path: Path, client: docker.DockerClient):  # type: ignore[no-untyped-def]
    """A one-Redis stack, as a drillbook stack definition or as a Compose file."""
    if request.param == "docker":
        return request.getfixturevalue("mini_stack")
    from drillbook.stack.images import ensure_images

    (tmp_path / "compose.yml").write_text(REDIS_COMPOSE)
    ensure_images(client, load_stack_spec(tmp_path / "compose.yml"))
    return tmp_path / "compose.yml"


def ping_a_stack(spec: StackSpec, start: threading.Barrier) -> tuple[int, str]:
    """Start the stack when the other thread does; its Redis's host port and PING answer."""
    client = engine.connect()
    try:
        start.wait()
        with Stack(spec, client=client) as stack:
            redis = stack.service("redis")
            return redis.host_port, redis.exec(["redis-cli", "ping"])[1].strip()
    finally:
        client.close()


def test_two_stacks_started_at_once_never_collide(any_mini_stack: Path) -> None:
    """What `pytest -n 2` does: two sessions start a stack each in the same instant."""
    spec = load_stack_spec(any_mini_stack)
    for _ in range(10):
        start = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            both = [pool.submit(ping_a_stack, spec, start) for _ in range(2)]
            seen = [f.result() for f in both]
        assert [pong for _, pong in seen] == ["PONG", "PONG"]
        assert seen[0][0] != seen[1][0]
