"""Container faults: the service's process dies, stops, freezes, restarts or cannot start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from drillbook.errors import DrillbookError
from drillbook.faults.access import container_of, restore_running, service_of
from drillbook.faults.base import Fault, ServiceParams, param, register
from drillbook.stack.docker.service import Service

SIGNALS = ("SIGKILL", "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP")
# A service a handled signal left running is given this long to be ready again before its
# revert restarts it; the restart's SIGTERM gets this long before Docker's SIGKILL.
STUCK_S = 10.0
RESTART_GRACE_S = 2


@dataclass(frozen=True, kw_only=True)
class KillParams(ServiceParams):
    signal: str = param("signal sent to the main process", default="SIGKILL", choices=SIGNALS)


@dataclass(frozen=True, kw_only=True)
class StopParams(ServiceParams):
    grace_s: int = param(
        "seconds between SIGTERM and SIGKILL", default=10, minimum=0, maximum=300, unit="s"
    )


@dataclass(frozen=True, kw_only=True)
class CrashLoopParams(ServiceParams):
    env: str | None = param(
        "bad configuration: KEY=VALUE[,KEY=VALUE] set over the service's environment; "
        "without it, the container's command exits at once (a broken image)",
        default=None,
    )
    exit_code: int = param(
        "exit code of the broken command (when no env is given)", default=1, minimum=1, maximum=255
    )

    def check(self) -> str | None:
        if self.env is not None:
            try:
                parse_env(self.env)
            except ValueError as exc:
                return f"env: {exc}"
        return None


def parse_env(text: str) -> dict[str, str]:
    """`A=1,B=2` as a mapping; ValueError for an item without '=' or an empty name."""
    env = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{item!r} is not KEY=VALUE")
        env[name.strip()] = value
    return env


SP = TypeVar("SP", bound=ServiceParams)


class _ServiceFault(Fault[SP]):
    category = "container"

    def _revert(self) -> None:
        restore_running(self.stack, self.params.service)


@register
class Kill(_ServiceFault[KillParams]):
    kind = "kill"
    summary = "Kill the service's container with a signal (SIGKILL by default); revert starts it"
    params_type = KillParams

    def _inject(self) -> None:
        service_of(self.stack, self.params.service).kill(self.params.signal)

    def _revert(self) -> None:
        service = service_of(self.stack, self.params.service)
        if service.status() == "running" and _stuck(service):
            # The process handled the signal and did not exit: PostgreSQL's smart shutdown
            # on SIGTERM waits for every client to leave, refusing new ones meanwhile, for
            # ever. Starting it again is what the revert promises, so restart it.
            service.restart(RESTART_GRACE_S)
        restore_running(self.stack, self.params.service)

    def describe(self) -> str:
        return f"kill {self.params.service} with {self.params.signal}"


def _stuck(service: Service) -> bool:
    """Whether a running service is still not ready `STUCK_S` from now."""
    try:
        service.wait_ready(STUCK_S)
    except DrillbookError:
        return True
    return False


@register
class Stop(_ServiceFault[StopParams]):
    kind = "stop"
    summary = "Stop the service's container (SIGTERM, then SIGKILL after the grace period)"
    params_type = StopParams

    def _inject(self) -> None:
        service_of(self.stack, self.params.service).stop(self.params.grace_s)

    def describe(self) -> str:
        return f"stop {self.params.service}"


@register
class Pause(_ServiceFault[ServiceParams]):
    kind = "pause"
    summary = "Freeze every process of the service (cgroup freezer); revert thaws them"
    params_type = ServiceParams

    def _inject(self) -> None:
        service_of(self.stack, self.params.service).pause()

    def describe(self) -> str:
        return f"freeze {self.params.service}"


@register
class Restart(_ServiceFault[StopParams]):
    kind = "restart"
    summary = "Restart the service's container; revert waits until it is ready again"
    params_type = StopParams

    def _inject(self) -> None:
        service_of(self.stack, self.params.service).restart(self.params.grace_s)

    def describe(self) -> str:
        return f"restart {self.params.service}"


@register
class CrashLoop(Fault[CrashLoopParams]):
    kind = "crash-loop"
    category = "container"
    summary = (
        "Redeploy the service so that it exits at start and is restarted over and over (bad "
        "configuration or broken image); revert redeploys it as defined"
    )
    params_type = CrashLoopParams

    def _inject(self) -> None:
        p = self.params
        container_of(self.stack, p.service)  # refuses a container drillbook does not own
        # "always": the engine keeps restarting it with growing back-off, as an orchestrator
        # would, so the failure shows as a climbing restart count rather than one exit.
        policy = {"Name": "always"}
        if p.env is not None:
            self.stack.recreate(p.service, env=parse_env(p.env), restart_policy=policy, wait=False)
        else:
            script = f"echo 'drillbook: broken deployment of {p.service}' >&2; exit {p.exit_code}"
            self.stack.recreate(
                p.service, command=["sh", "-c", script], restart_policy=policy, wait=False
            )

    def _revert(self) -> None:
        container_of(self.stack, self.params.service)
        self.stack.recreate(self.params.service)

    def describe(self) -> str:
        why = f"bad config {self.params.env}" if self.params.env else "broken image"
        return f"crash-loop {self.params.service} ({why})"
