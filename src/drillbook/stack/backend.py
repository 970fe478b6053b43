"""The one seam between a drill and whatever runs the stack.

A drill, a fault, the runbook executor and the judge see a `StackBackend`: services they can
probe on 127.0.0.1, exec into and read the logs of; services they can recreate with other
settings, scale and reset; the backend's own command-line tool for runbook lines written for
it; and a teardown that leaves nothing. Three backends implement it today:

    backend       class                          runbook lines it runs as written
    docker        drillbook.stack.Stack          (none: docker lines become service verbs)
    compose       drillbook.stack.Stack          docker compose / docker-compose
    kubernetes    drillbook.stack.kube.KubeStack kubectl

`tests/integration/test_backends.py` and `tests/kube/test_backend.py` hold each of them to
this protocol with the same checks (`tests/backend_compliance.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from drillbook.stack.spec import StackSpec

Backend = Literal["docker", "compose", "kubernetes"]
# The command-line tools whose lines a backend may run as written.
Tool = Literal["compose", "kubectl"]


STOPPED = 124  # the exit status of a program stopped at its time limit (as `timeout` gives)


def stopped_after(timeout_s: float | None) -> str:
    """What a person sees of a program they had to stop: the last line of its output."""
    return f"(ran until stopped after {timeout_s or 0:g} s: it does not end on its own)"


@runtime_checkable
class BackendService(Protocol):
    """One service of a running stack, whatever runs it."""

    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`: where probes and load reach it."""
        ...

    @property
    def host_port(self) -> int: ...

    def status(self) -> str:
        """`running`, `exited`, `paused`, ... as the backend says it."""
        ...

    def endpoint(self) -> dict[str, Any]: ...

    def exec(self, command: Sequence[str], timeout_s: float | None = None) -> tuple[int, str]:
        """A program inside the service (never on the host): exit status and output. One
        still running after `timeout_s` is stopped: exit status `STOPPED`, and its output
        ends with `stopped_after(timeout_s)`."""
        ...

    def logs(self, tail: int = 40) -> str: ...

    def check_ready(self) -> str | None:
        """None when ready, else why not."""
        ...

    def wait_ready(self, timeout_s: float | None = None) -> float: ...

    def memory(self) -> tuple[int, int] | None:
        """Bytes used and the limit, or None where the backend cannot tell."""
        ...

    def state(self) -> dict[str, Any]:
        """The backend's own account of the service's state (`docker inspect`'s State)."""
        ...


@runtime_checkable
class StackBackend(Protocol):
    """A running stack a drill acts on (see the module's docstring)."""

    spec: StackSpec
    run_id: str

    @property
    def backend(self) -> Backend: ...

    def service(self, name: str) -> BackendService: ...

    def endpoints(self) -> dict[str, Any]: ...

    def recreate(
        self, name: str, *, env: dict[str, str] | None = None, wait: bool = True
    ) -> object:
        """The service replaced by one with `env` over its defined settings (None: as
        defined), ready unless `wait` is False."""
        ...

    def scale(self, name: str, replicas: int) -> None: ...

    def limit_memory(self, name: str, memory: str) -> None: ...

    def run_line(self, tool: Tool, argv: list[str]) -> tuple[bool, str] | None:
        """A runbook line for `tool` as written after the program's name (`ps` of `docker
        compose ps`), pinned to this stack; None when this backend does not speak `tool` (a
        kubectl line on a Compose stack)."""
        ...

    def reset(self) -> None:
        """Every service back as defined and ready: between drills."""
        ...

    def down(self) -> None:
        """Remove what this run started (or let go of an attached stack)."""
        ...
