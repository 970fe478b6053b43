"""docker: container verbs, exec, logs, stats, inspect, update --memory; `docker compose`."""

from __future__ import annotations

from drillbook.runbooks.actions import Action, Inspect, Stats, Status, UpdateMemory
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.translate.clients import exec_with
from drillbook.runbooks.translate.compose import LIFECYCLE, compose, lifecycle_or_logs
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.options import Cannot, need, options
from drillbook.stack.grammar import docker as grammar


def docker(ctx: Context, part: SimpleCommand) -> list[Action]:
    """The `docker` program."""
    opts = options(part.argv[1:], grammar.GLOBAL_VALUED, True)
    if not opts.args:
        raise Cannot("docker without a subcommand", "unknown")
    sub, rest = opts.args[0], opts.args[1:]
    if sub == "compose":
        return compose(ctx, rest, part.env)
    if sub == "container" and rest:
        sub, rest = rest[0], rest[1:]
    if sub in LIFECYCLE:
        return lifecycle_or_logs(ctx, sub, rest, f"docker {sub}")
    if sub == "exec":
        return [exec_with(ctx, options(rest, grammar.EXEC_VALUED, True), "docker exec")]
    if sub == "stats":
        o = options(rest, {"--format"})
        return [Stats(tuple(ctx.service(a) for a in o.args) or ctx.services)]
    if sub == "inspect":
        o = options(rest, {"-f", "--format", "--type"})
        return [Inspect(ctx.service(a)) for a in need(o.args, "docker inspect")]
    if sub == "ps":
        return [Status(ctx.services)]
    if sub == "update":
        return _update(ctx, rest)
    raise Cannot(f"docker {sub} does not act on the stack's services", "unsupported")


def _update(ctx: Context, rest: list[str]) -> list[Action]:
    o = options(rest, {"-m", "--memory", "--memory-swap", "--cpus"})
    memory = o.first("--memory", "-m")
    if not memory or set(o.values) - {"-m", "--memory", "--memory-swap"}:
        raise Cannot("docker update is supported for --memory only", "unsupported")
    return [UpdateMemory(ctx.service(a), memory) for a in need(o.args, "docker update")]
