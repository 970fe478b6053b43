"""docker compose / docker-compose, whatever compose file or project the runbook names.

On a stack defined by Compose files the line, once understood and judged safe, runs as
written through the real Compose (a ComposeRun, pinned to the drill's project when it runs);
on any other stack it is translated into Service verbs.
"""

from __future__ import annotations

from drillbook.runbooks.actions import (
    Action,
    ComposeRun,
    Lifecycle,
    Logs,
    Recreate,
    Scale,
    Stats,
    Status,
)
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.translate.clients import exec_with
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.options import Cannot, integer, need, options
from drillbook.stack.grammar import compose as grammar

LIFECYCLE = ("restart", "start", "stop", "kill", "logs")
# Subcommands that, naming no service, act on every one: on a Compose stack they are given
# the user's services, so that drillbook's own Toxiproxy (and the faults it holds) is spared.
_EVERY_SERVICE = ("restart", "start", "stop", "kill", "up")


def lifecycle_or_logs(ctx: Context, sub: str, rest: list[str], need_name: str = "") -> list[Action]:
    """`restart|start|stop|kill|logs [NAME...]`, for docker and docker compose alike.

    No name means every service, unless `need_name` names the command that requires one.
    """
    if sub == "logs":
        o = options(rest, {"--tail", "-n", "--since", "--until"})
        tail = integer(o.first("--tail", "-n") or "100", "--tail")
    else:
        o = options(rest, {"-t", "--time", "--timeout", "-s", "--signal"})
    names = need(o.args, need_name) if need_name else o.args
    services = [ctx.service(a) for a in names] or list(ctx.services)
    if sub == "logs":
        return [Logs(s, tail) for s in services]
    return [Lifecycle(s, sub) for s in services]


def docker_compose(ctx: Context, part: SimpleCommand) -> list[Action]:
    """The `docker-compose` program."""
    return compose(ctx, list(part.argv[1:]), part.env)


def compose(ctx: Context, argv: list[str], env: tuple[tuple[str, str], ...]) -> list[Action]:
    """`[global options] SUBCOMMAND ...` of docker compose.

    Translated first in any case: what cannot be translated is not run either way.
    """
    opts = options(argv, grammar.GLOBAL_VALUED, True)
    if not opts.args:
        raise Cannot("docker compose without a subcommand", "unknown")
    actions = _translate(ctx, opts.args[0], opts.args[1:], env)
    if ctx.compose and not env:  # a line setting variables for Compose stays translated
        return [as_written(ctx, argv, len(argv) - len(opts.args))]
    return actions


def as_written(ctx: Context, argv: list[str], sub_at: int) -> ComposeRun:
    """The line for the real Compose: the runbook's names for services replaced by the
    stack's (also in `--scale NAME=N`); a lifecycle verb naming none gets the user's."""
    renamed = list(argv[: sub_at + 1])
    for word in argv[sub_at + 1 :]:
        name, eq, count = word.partition("=")
        service = ctx.resolved.get(name, name)
        renamed.append(f"{service}={count}" if eq else ctx.resolved.get(word, word))
    if argv[sub_at] in _EVERY_SERVICE and not ctx.resolved:
        renamed.extend(s for s in ctx.services if s != ctx.names.spec.proxy)
    return ComposeRun(tuple(renamed), tuple(dict.fromkeys(ctx.resolved.values())))


def _translate(
    ctx: Context, sub: str, rest: list[str], env: tuple[tuple[str, str], ...]
) -> list[Action]:
    if sub == "ps":
        args = options(rest, {"--format", "--filter"}).args
        return [Status(tuple(ctx.service(a) for a in args) or ctx.services)]
    if sub in LIFECYCLE:
        return lifecycle_or_logs(ctx, sub, rest)
    if sub == "up":
        return _up(ctx, rest, env)
    if sub == "exec":
        return [exec_with(ctx, options(rest, grammar.EXEC_VALUED, True), "docker compose exec")]
    if sub in ("top", "stats"):
        services = tuple(ctx.service(a) for a in rest if not a.startswith("-"))
        return [Stats(services or ctx.services)]
    if sub == "down":
        raise Cannot("`down` removes the whole stack; restart or stop services", "unsupported")
    raise Cannot(f"docker compose {sub} is not supported", "unknown")


def _up(ctx: Context, rest: list[str], env: tuple[tuple[str, str], ...]) -> list[Action]:
    o = options(rest, {"--scale", "-t", "--timeout", "--wait-timeout"})
    if "-d" not in o.flags and "--detach" not in o.flags:
        raise Cannot("`up` without -d stays attached; write `up -d`", "unsupported")
    actions: list[Action] = []
    if "--scale" in o.values:
        name, _, count = o.values["--scale"].partition("=")
        actions.append(Scale(ctx.service(name), integer(count, "--scale")))
    targets = [ctx.service(a) for a in o.args]
    if "--force-recreate" in o.flags or env:
        if not targets:
            raise Cannot("recreate names no service; name the one to recreate", "syntax")
        actions.extend(Recreate(t, env) for t in targets)
    elif not actions:
        actions.extend(Lifecycle(t, "start") for t in targets or ctx.services)
    return actions
