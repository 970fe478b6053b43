"""The action vocabulary: what a runbook command comes to on the stack, as frozen data.

A Translation holds a tuple of these; the executor carries each out on a running stack.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import assert_never


@dataclass(frozen=True)
class Lifecycle:
    """Restart, start, stop or kill one service's container."""

    service: str
    verb: str  # restart | start | stop | kill


@dataclass(frozen=True)
class Logs:
    """The last `tail` lines of a service's log."""

    service: str
    tail: int = 100


@dataclass(frozen=True)
class Exec:
    """A program run inside a service's container (never in a host shell)."""

    service: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    """Whether each service runs."""

    services: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    """Memory use of each service."""

    services: tuple[str, ...]


@dataclass(frozen=True)
class Inspect:
    """A container's state."""

    service: str


@dataclass(frozen=True)
class Scale:
    """Run `replicas` containers of a service."""

    service: str
    replicas: int


@dataclass(frozen=True)
class Recreate:
    """Replace the container with changed environment; no env restores the stack's own."""

    service: str
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UpdateMemory:
    """A new memory limit for a running container."""

    service: str
    memory: str


@dataclass(frozen=True)
class Http:
    """An HTTP request to a service's published port."""

    service: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    fail_on_error: bool = False


@dataclass(frozen=True)
class ComposeRun:
    """A Compose command line run through the real `docker compose` on the drill's project.

    `argv` is the line as written from the subcommand on, with the runbook's service names
    replaced by the stack's; which files and project it acts on is the drill's to say.
    """

    argv: tuple[str, ...]
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class KubectlRun:
    """A kubectl line run by the real kubectl against a Kubernetes stack.

    `argv` is the line as written after `kubectl`, with the runbook's workload names replaced
    by the stack's; the cluster, context and namespace are the drill's to say
    (`drillbook.stack.kube.pin`).
    """

    argv: tuple[str, ...]
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wait:
    """A written wait, in seconds."""

    seconds: float


@dataclass(frozen=True)
class Filter:
    """A pipe stage applied to the previous output: grep, head, tail, wc -l."""

    program: str
    pattern: str = ""
    count: int = 10
    ignore_case: bool = False
    invert: bool = False


Action = (
    Lifecycle
    | Logs
    | Exec
    | Status
    | Stats
    | Inspect
    | Scale
    | Recreate
    | UpdateMemory
    | Http
    | ComposeRun
    | KubectlRun
    | Wait
    | Filter
)
# Actions that act only on one of the drill's own containers or published ports. ComposeRun
# and KubectlRun are not among them: they speak to the engine or the cluster as written.
CONTAINED = (
    *(Lifecycle, Logs, Exec, Status, Stats, Inspect),
    *(Scale, Recreate, UpdateMemory, Http, Wait, Filter),
)


def describe(action: Action) -> str:
    """What an action does, as a person reads it in a report: `restart redis`, `in redis:
    redis-cli ping`, `docker compose -f prod.yml restart redis` (never a Python repr)."""
    match action:
        case Lifecycle(service, verb):
            return f"{verb} {service}"
        case Logs(service, tail):
            return f"the last {tail} log lines of {service}"
        case Exec(service, argv):
            return f"in {service}: {shlex.join(argv)}"
        case Status(services):
            return f"the state of {', '.join(services)}"
        case Stats(services):
            return f"the memory of {', '.join(services)}"
        case Inspect(service):
            return f"inspect {service}"
        case Scale(service, replicas):
            return f"scale {service} to {replicas}"
        case Recreate(service, env):
            settings = " ".join(f"{k}={v}" for k, v in env)
            return f"recreate {service}" + (f" with {settings}" if settings else "")
        case UpdateMemory(service, memory):
            return f"set the memory limit of {service} to {memory}"
        case Http(service, method, path):
            return f"{method} {path} on {service}"
        case ComposeRun(argv):
            return f"docker compose {shlex.join(argv)}"
        case KubectlRun(argv):
            return f"kubectl {shlex.join(argv)}"
        case Wait(seconds):
            return f"wait {seconds:g} s"
        case Filter(program):
            return f"filter the output through {program}"
    assert_never(action)
