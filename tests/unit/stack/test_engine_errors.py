"""An engine refusal is said as what it means for the drill, never as the API's raw error."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from docker.errors import APIError

from drillbook.errors import DrillbookError
from drillbook.stack.docker.service import Service
from drillbook.stack.spec import Readiness, ServiceSpec


@dataclass
class Response:
    status_code: int
    reason: str = ""


@dataclass
class RefusingApi:
    """The engine's low-level API, refusing to start a program in the container."""

    status_code: int

    def exec_create(self, *args: Any, **kwargs: Any) -> None:
        raise APIError(
            "409 Client Error for http+docker://localhost/v1.41/containers/8549/exec: Conflict",
            response=Response(self.status_code),  # type: ignore[arg-type]
            explanation="Container 8549 is not running",
        )


class StoppedContainer:
    """The part of the Docker SDK's Container a stopped container answers with."""

    id = "8549"
    name = "doc-rag-redis-prod"
    status = "exited"

    def __init__(self, status_code: int) -> None:
        self.client = SimpleNamespace(api=RefusingApi(status_code))

    def reload(self) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (409, "service redis is not running (exited): cannot run a program in it"),
        (404, "service redis: its container is gone (cannot run a program in it)"),
    ],
)
def test_exec_in_a_stopped_container_says_so(status: int, said: str) -> None:
    spec = ServiceSpec(name="redis", port=6379, ready=Readiness(health=True))
    redis = Service(spec, StoppedContainer(status), 0)  # type: ignore[arg-type]
    with pytest.raises(DrillbookError) as info:
        redis.exec(["redis-cli", "ping"])
    assert str(info.value) == said
    assert "http+docker" not in str(info.value)
