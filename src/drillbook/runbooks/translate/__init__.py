"""One translator per command family, chosen by program name.

Each translator takes the Context (the stack's names) and one simple command and returns its
actions, or raises Cannot with the reason. The table is the whole vocabulary: a program not
in it is "not executable", never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from drillbook.runbooks.actions import Action
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.translate import clients, compose, docker, http, kubectl, shell
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.options import Cannot, wrapped_command

Translator = Callable[[Context, SimpleCommand], list[Action]]

PROGRAMS: dict[str, Translator] = {
    "docker": docker.docker,
    "docker-compose": compose.docker_compose,
    "kubectl": kubectl.kubectl,
    "redis-cli": clients.redis_cli,
    "psql": clients.psql,
    "pg_isready": clients.pg_tool,
    "pg_dump": clients.pg_tool,
    "pg_restore": clients.pg_tool,
    "curl": http.curl,
    "sleep": shell.sleep,
}

_DOCKER_PROGRAMS = ("docker", "docker-compose", "podman")

__all__ = ["PROGRAMS", "Cannot", "Context", "Translator", "translate_simple"]


def _without_sudo(part: SimpleCommand) -> SimpleCommand:
    """`sudo -u postgres psql ...` -> `psql ...`: a drill acts on its stack, never the host."""
    argv = wrapped_command("sudo", list(part.argv[1:]))
    if not argv:
        raise Cannot(f"{part.argv[0]} runs no command here: nothing to map", "unknown")
    return replace(part, argv=tuple(argv))


def translate_simple(ctx: Context, part: SimpleCommand) -> list[Action]:
    """The actions of one simple command, by its program's family."""
    if part.program == "sudo":
        part = _without_sudo(part)
    if ctx.kubernetes and part.program in _DOCKER_PROGRAMS:
        raise Cannot(
            f"{part.argv[0]} acts on containers, but this stack runs on Kubernetes: "
            "write the step in kubectl (e.g. `kubectl rollout restart deployment/NAME`)",
            "backend",
        )
    translator = PROGRAMS.get(part.program)
    if translator is None:
        raise Cannot(f"{part.argv[0]!r} is not a command drillbook can map", "unknown")
    return translator(ctx, part)
