"""A running service of a stack: its container, its published port, its readiness."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from docker.errors import APIError
from docker.models.containers import Container
from docker.utils import parse_bytes

from drillbook.errors import DrillbookError
from drillbook.stack.backend import stopped_after
from drillbook.stack.docker.clone import Snapshot, env_dict
from drillbook.stack.docker.execution import run_bounded
from drillbook.stack.spec import ServiceSpec

HOST = "127.0.0.1"  # the only host address drillbook publishes on or sends traffic to


@dataclass(frozen=True)
class _Defined:
    env: dict[str, str]
    memory: int


@dataclass
class Service:
    """One container of a stack. Its host port is fixed at creation, so it survives restarts.

    `baseline` is the container as found, for a stack drillbook did not start: the state to
    return to, where a stack of drillbook's own returns to its definition.
    """

    spec: ServiceSpec
    docker: Container  # the Docker SDK's handle on the container
    host_port: int
    baseline: Snapshot | None = None
    _definition: _Defined | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.host_port}"

    def status(self) -> str:
        self.docker.reload()
        return str(self.docker.status)

    def endpoint(self) -> dict[str, Any]:
        if self.spec.ready.http is not None:
            return {"url": self.url, "host": HOST, "port": self.host_port}
        return {"host": HOST, "port": self.host_port}

    # Lifecycle verbs: the faults and the runbook adapter build on these.
    def kill(self, signal: str = "SIGKILL") -> None:
        self.docker.kill(signal=signal)

    def stop(self, timeout_s: int = 10) -> None:
        self.docker.stop(timeout=timeout_s)

    def start(self) -> None:
        self.docker.start()

    def restart(self, timeout_s: int = 10) -> None:
        self.docker.restart(timeout=timeout_s)

    def pause(self) -> None:
        self.docker.pause()

    def unpause(self) -> None:
        self.docker.unpause()

    def drift(self) -> str | None:
        """How the container differs from its definition (settings, memory limit), or None.

        Runbook steps change services (`kubectl set env`, `docker update --memory`); between
        drills such changes are undone by recreating what drifted.
        """
        self.docker.reload()
        now = Snapshot(self.docker.attrs)
        expected = self.baseline or self._defined()
        want, have = expected.env, now.env
        changed = sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))
        if changed:
            return f"settings {', '.join(changed)}"
        if now.memory != expected.memory:
            return "memory limit"
        return None

    def _defined(self) -> _Defined:
        """Settings and memory limit as the definition makes them: the image's settings under
        the service's. Asked of Docker once: an image does not change under a service."""
        if self._definition is None:
            image = self.docker.image
            image_env = (image.attrs.get("Config", {}).get("Env") if image else None) or []
            memory = int(parse_bytes(self.spec.memory)) if self.spec.memory else 0
            self._definition = _Defined({**env_dict(image_env), **self.spec.env}, memory)
        return self._definition

    def exec(self, command: Sequence[str], timeout_s: float | None = None) -> tuple[int, str]:
        try:
            code, output, stopped = run_bounded(self.docker, command, timeout_s)
        except APIError as exc:
            raise self._engine_error(exc, "run a program in it") from None
        text = output.decode(errors="replace")
        if stopped:
            text = f"{text.rstrip()}\n{stopped_after(timeout_s)}".lstrip()
        return code, text

    def logs(self, tail: int = 40) -> str:
        return bytes(self.docker.logs(tail=tail)).decode(errors="replace")

    def _engine_error(self, exc: APIError, doing: str) -> DrillbookError:
        """What an engine refusal means for the drill, in its words, not the API's."""
        if exc.status_code == 404:
            return DrillbookError(f"service {self.name}: its container is gone (cannot {doing})")
        if exc.status_code == 409:
            with contextlib.suppress(APIError):
                self.docker.reload()
            return DrillbookError(
                f"service {self.name} is not running ({self.docker.status}): cannot {doing}"
            )
        return DrillbookError(f"service {self.name}: the engine refused to {doing}: "
                              f"{exc.explanation or exc}")  # fmt: skip

    def memory(self) -> tuple[int, int] | None:
        """Bytes used and the container's limit, from the engine's stats."""
        stats = self.docker.stats(stream=False)
        assert isinstance(stats, dict)  # stream=False: one reading, not an iterator
        memory = stats.get("memory_stats", {})
        if "usage" not in memory:
            return None
        return int(memory.get("usage", 0)), int(memory.get("limit", 0))

    def state(self) -> dict[str, Any]:
        """`docker inspect`'s State of the container, as it is now."""
        self.docker.reload()
        return dict(self.docker.attrs.get("State", {}))

    def check_ready(self) -> str | None:
        """None when the service answers as ready, else why not (one line)."""
        ready = self.spec.ready
        if ready.health:
            return self._health()
        if ready.http is not None:
            try:
                response = httpx.get(self.url + ready.http, timeout=2.0)
            except httpx.HTTPError as exc:
                return f"GET {ready.http}: {type(exc).__name__}"
            return None if response.is_success else f"GET {ready.http}: {response.status_code}"
        code, output = self.exec(ready.command)
        if code != 0:
            return f"{' '.join(ready.command)}: exit {code}"
        if ready.expect and ready.expect not in output:
            return f"{' '.join(ready.command)}: no {ready.expect!r} in output"
        return None

    def _health(self) -> str | None:
        """Docker's verdict from the container's healthcheck (running is enough without one)."""
        self.docker.reload()
        health = (self.docker.attrs.get("State", {}).get("Health") or {}).get("Status")
        return None if health in (None, "healthy") else f"healthcheck: {health}"

    def wait_ready(self, timeout_s: float | None = None, period_s: float = 0.2) -> float:
        """Poll readiness until it holds; returns seconds waited.

        Fails at once, with the container's last log lines, if the container exits.
        """
        start = time.monotonic()
        deadline = start + (timeout_s if timeout_s is not None else self.spec.ready.timeout_s)
        why = "not checked"
        while time.monotonic() < deadline:
            status = self.status()
            if status in ("exited", "dead"):
                raise DrillbookError(
                    f"service {self.name} exited while starting; last log lines:\n{self.logs()}",
                    "fix the service's image or settings in the stack definition",
                )
            if status == "running":
                why = self.check_ready() or ""
                if not why:
                    return time.monotonic() - start
            else:
                why = f"container {status}"
            time.sleep(period_s)
        raise DrillbookError(
            f"service {self.name} not ready after {deadline - start:.0f} s ({why}); "
            f"last log lines:\n{self.logs()}",
            "raise `ready.timeout` in the stack definition if the service is only slow",
        )
