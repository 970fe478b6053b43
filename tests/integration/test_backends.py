"""The Docker and Compose backends pass the one compliance check every backend passes
(`tests/backend_compliance.py`); the Kubernetes backend's is in `tests/kube/test_backend.py`."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from drillbook.stack import Stack, labels, load_stack_spec
from drillbook.stack.images import ensure_images
from tests.backend_compliance import check_backend
from tests.integration.conftest import REDIS_COMPOSE

pytestmark = pytest.mark.integration


def left_of(client: docker.DockerClient, run_id: str) -> list[str]:
    run = labels.managed_filter(**{labels.RUN: run_id})
    return [c.name for c in client.containers.list(all=True, filters=run)] + [
        n.name for n in client.networks.list(filters=run)
    ]


def test_the_docker_backend(mini_stack: Path, client: docker.DockerClient) -> None:
    with Stack(load_stack_spec(mini_stack), client=client) as stack:
        check_backend(stack, "docker")
    assert left_of(client, stack.run_id) == []


def test_the_compose_backend(tmp_path: Path, client: docker.DockerClient) -> None:
    (tmp_path / "compose.yml").write_text(REDIS_COMPOSE)
    spec = load_stack_spec(tmp_path / "compose.yml")
    ensure_images(client, spec)
    with Stack(spec, client=client) as stack:
        check_backend(stack, "compose")
    assert left_of(client, stack.run_id) == []
