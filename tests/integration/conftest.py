"""Fixtures the integration tests share: the engine, and a one-service stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from drillbook.stack import engine, load_stack_spec
from drillbook.stack.images import ensure_images

ROOT = Path(__file__).resolve().parents[2]
REDIS_CONTEXT = ROOT / "fixtures" / "images" / "redis"


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    c = engine.connect()
    yield c
    c.close()


@pytest.fixture
def mini_stack(tmp_path: Path, client: docker.DockerClient) -> Path:
    """A one-service stack (our Redis image), its images built."""
    path = tmp_path / "mini.yaml"
    path.write_text(
        "name: mini\n"
        "services:\n"
        f"  redis:\n    build: {{context: {REDIS_CONTEXT}}}\n    port: 6379\n"
        "    ready: {command: [redis-cli, ping], expect: PONG}\n"
    )
    ensure_images(client, load_stack_spec(path))
    return path
