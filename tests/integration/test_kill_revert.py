"""The kill fault's revert brings back a service a handled signal left running but not ready."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from drillbook.faults import make_fault
from drillbook.stack import Stack, load_stack_spec
from tests.integration.conftest import one_service_stack

pytestmark = pytest.mark.integration

POSTGRES = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "postgres"


@pytest.fixture
def postgres_stack(tmp_path: Path, client: docker.DockerClient) -> Path:
    ready = "{command: [pg_isready, -h, 127.0.0.1, -U, drillbook, -d, drillbook], timeout: 30}"
    return one_service_stack(tmp_path / "pg.yaml", client, "postgres", POSTGRES, 5432, ready)


def test_sigterm_with_a_client_connected_is_reverted_by_a_restart(
    postgres_stack: Path, client: docker.DockerClient
) -> None:
    with Stack(load_stack_spec(postgres_stack), client=client) as stack:
        postgres = stack.service("postgres")
        # A client that stays: smart shutdown waits for it to leave.
        postgres.docker.exec_run(
            ["psql", "-U", "drillbook", "-d", "drillbook", "-c", "SELECT pg_sleep(600)"],
            detach=True,
        )
        fault = make_fault(stack, "kill", service="postgres", signal="SIGTERM")
        fault.inject()
        assert postgres.status() == "running"
        assert postgres.check_ready() is not None  # shutting down: refuses new clients
        fault.revert()  # without the restart this waits the ready timeout out and fails
        assert postgres.status() == "running"
        assert postgres.check_ready() is None
