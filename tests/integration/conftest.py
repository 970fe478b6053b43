"""Fixtures the integration tests share: the engine, and a one-service stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from drillbook.host import engine
from drillbook.stack import load_stack_spec
from drillbook.stack.images import ensure_images

ROOT = Path(__file__).resolve().parents[2]
REDIS_CONTEXT = ROOT / "fixtures" / "images" / "redis"
# A one-service Compose file a team might write: Redis, its healthcheck, published on loopback;
# drillbook's Redis image stands in for `redis:7`, which no registry here serves.
REDIS_COMPOSE = """\
services:
  redis:
    image: redis:7
    ports: ["127.0.0.1:6379:6379"]
    healthcheck: {test: [CMD, redis-cli, ping], interval: 1s, retries: 30}
x-drillbook:
  stand-ins: {redis: redis}
"""


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    c = engine.connect()
    yield c
    c.close()


def one_service_stack(
    path: Path, client: docker.DockerClient, name: str, context: Path, port: int, ready: str
) -> Path:
    """A stack of one service of our images at `path` (`ready` in flow YAML), images built."""
    path.write_text(
        f"name: {path.stem}\n"
        "services:\n"
        f"  {name}:\n    build: {{context: {context}}}\n    port: {port}\n"
        f"    ready: {ready}\n"
    )
    ensure_images(client, load_stack_spec(path))
    return path


@pytest.fixture
def mini_stack(tmp_path: Path, client: docker.DockerClient) -> Path:
    """A one-service stack (our Redis image), its images built."""
    ready = "{command: [redis-cli, ping], expect: PONG}"
    return one_service_stack(tmp_path / "mini.yaml", client, "redis", REDIS_CONTEXT, 6379, ready)
