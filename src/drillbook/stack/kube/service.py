"""One workload of a KubeStack, reached on 127.0.0.1 through a relay to its Service's pods."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from ipaddress import IPv4Network
from typing import Any, Protocol

from drillbook.stack import labels
from drillbook.stack.backend import STOPPED, stopped_after
from drillbook.stack.docker.service import HOST
from drillbook.stack.kube.endpoints import ServiceEndpoints
from drillbook.stack.kube.pin import KubeTarget
from drillbook.stack.kube.relay import Relay
from drillbook.stack.spec import ServiceSpec

ROLLOUT_TIMEOUT_S = 180


class Namespace(Protocol):
    """What a workload needs of its stack: kubectl in the drill's namespace (a KubeStack)."""

    run_id: str
    target: KubeTarget
    pod_networks: tuple[IPv4Network, ...]

    def run(
        self, *args: str, timeout_s: float | None = None
    ) -> subprocess.CompletedProcess[str]: ...

    def kubectl(self, *args: str) -> str: ...

    def get_json(self, ref: str) -> dict[str, Any]: ...


class KubeService:
    """One workload of the stack, reached on 127.0.0.1 through its Service."""

    def __init__(self, stack: Namespace, spec: ServiceSpec, kind: str) -> None:
        self.stack = stack
        self.spec = spec
        self.kind = kind
        self._relay: Relay | None = None
        self._endpoints: ServiceEndpoints | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ref(self) -> str:
        """`deployment/api`, as kubectl names the workload."""
        return f"{self.kind.lower()}/{self.name}"

    @property
    def host_port(self) -> int:
        if self._relay is None:
            self._endpoints = ServiceEndpoints(
                self.stack.target.command(), self.name, self.stack.pod_networks,
                env={**KubeTarget.env(), **labels.process_marks(self.stack.run_id)},
            ).start()  # fmt: skip
            self._relay = Relay(self._endpoints.pick).start()
        return self._relay.port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.host_port}"

    def endpoint(self) -> dict[str, Any]:
        return {"url": self.url, "host": HOST, "port": self.host_port, "workload": self.ref}

    def ready_replicas(self) -> tuple[int, int]:
        """(ready, wanted) replicas of the workload, as its status says now."""
        doc = self.stack.get_json(self.ref)
        return int(doc["status"].get("readyReplicas") or 0), int(doc["spec"].get("replicas") or 0)

    def status(self) -> str:
        """ "running" while a replica is ready, else "not ready" (the executor's word)."""
        ready, _ = self.ready_replicas()
        return "running" if ready else "not ready"

    def check_ready(self) -> str | None:
        ready, wanted = self.ready_replicas()
        if wanted == 0:
            return f"{self.ref} is scaled to 0"
        return None if ready >= wanted else f"{self.ref}: {ready}/{wanted} replicas ready"

    def wait_ready(self, timeout_s: float | None = None) -> float:
        """`kubectl rollout status`: the workload's pods updated and ready; seconds waited."""
        start = time.monotonic()
        timeout = int(timeout_s or ROLLOUT_TIMEOUT_S)
        self.stack.kubectl("rollout", "status", self.ref, f"--timeout={timeout}s")
        return time.monotonic() - start

    def exec(self, command: Sequence[str], timeout_s: float | None = None) -> tuple[int, str]:
        """A program in the workload's first ready pod (never in a host shell). At its time
        limit kubectl is stopped, which ends the session; the program in the pod gets a hang
        up, as from a person's closed terminal."""
        try:
            result = self.stack.run("exec", self.ref, "--", *command, timeout_s=timeout_s)
        except subprocess.TimeoutExpired as stopped:
            said = stopped.stdout or b""
            text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
            return STOPPED, f"{text.rstrip()}\n{stopped_after(timeout_s)}".lstrip()
        return result.returncode, result.stdout + result.stderr

    def logs(self, tail: int = 40) -> str:
        return self.stack.run("logs", self.ref, f"--tail={tail}").stdout

    def memory(self) -> tuple[int, int] | None:
        """Unknown: the cluster runs no metrics server to tell it."""
        return None

    def state(self) -> dict[str, Any]:
        """The workload's status, as `kubectl get -o json` gives it."""
        return dict(self.stack.get_json(self.ref).get("status", {}))

    def close(self) -> None:
        if self._relay is not None:
            self._relay.close()
            self._relay = None
        if self._endpoints is not None:
            self._endpoints.close()
            self._endpoints = None
