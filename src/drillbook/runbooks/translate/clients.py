"""Database and cache clients: redis-cli, psql, pg_isready, pg_dump, pg_restore.

A client runs inside the container of the server it talks to (its -h host), so the drill
never needs a host-side client or a published database port.
"""

from __future__ import annotations

from drillbook.runbooks.actions import Action, Exec
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.options import Cannot, Options, options


def exec_with(ctx: Context, o: Options, what: str) -> Action:
    """`docker exec` / `docker compose exec`, read into `o`: the command in its container with
    the working folder (`-w`) and settings (`-e`) the line gives it, so that the command that
    runs is the command written (`find . -delete` under `-w /tmp/scratch` stays there)."""
    if len(o.args) < 2:
        raise Cannot(f"{what} needs a container and a command", "syntax")
    if o.first("-u", "--user", "--env-file") is not None:
        raise Cannot(f"{what} as another user or with an env file: not mapped", "unsupported")
    argv = o.args[1:]
    settings = o.all("-e", "--env")
    workdir = o.first("-w", "--workdir")
    if not settings and workdir is None:
        return exec_in(ctx, ctx.service(o.args[0]), argv)
    if any("=" not in s for s in settings):
        raise Cannot(f"{what} -e NAME takes its value from the host: write NAME=value", "host")
    prefix = ["env", *settings] if settings else []
    if workdir is not None:  # fails, as docker's -w would not, only if the folder is missing
        prefix = ["sh", "-c", 'cd "$0" && exec "$@"', workdir, *prefix]
    inner = exec_in(ctx, ctx.service(o.args[0]), argv)  # a client's server resolved as ever
    assert isinstance(inner, Exec)
    return Exec(inner.service, (*prefix, *inner.argv))


def exec_in(ctx: Context, service: str, argv: list[str]) -> Action:
    """A command run in `service`; a client there talks to its -h host, else to `service`."""
    inner = SimpleCommand(tuple(argv))
    program = inner.program
    if (
        program in ("sh", "bash")
        and "-c" not in argv
        and not any(a.startswith("-") and not a.startswith("--") and "c" in a for a in argv[1:])
    ):
        # A shell must be given its command; an interactive session cannot be followed.
        raise Cannot(f"{program} without a command is an interactive session", "manual")
    if program == "redis-cli":
        return redis_cli(ctx, inner, service)[0]
    if program == "psql":
        return psql(ctx, inner, service)[0]
    return Exec(service, tuple(argv))


def redis_cli(ctx: Context, part: SimpleCommand, default: str | None = None) -> list[Action]:
    """`redis-cli [-h host] [-n db] COMMAND...` in the Redis it names."""
    o = options(part.argv[1:], {"-h", "-p", "-a", "-n", "--user", "--pass", "-u"}, True)
    if not o.args:
        raise Cannot("redis-cli without a command is an interactive session", "manual")
    service = ctx.role("redis", o.values.get("-h"), default)
    keep = [f for f in o.flags if f in ("--raw", "--no-raw")]
    db = ["-n", o.values["-n"]] if "-n" in o.values else []
    return [Exec(service, ("redis-cli", *keep, *db, *o.args))]


def psql(ctx: Context, part: SimpleCommand, default: str | None = None) -> list[Action]:
    """`psql [-h host] [-U user] [-d db] -c SQL` in the PostgreSQL it names."""
    o = options(part.argv[1:], {"-h", "-p", "-U", "-d", "-c", "-f", "--host", "--port"})
    if "-f" in o.values:
        raise Cannot("psql -f reads a file from the host", "host-file")
    if "-c" not in o.values:
        raise Cannot("psql without -c is an interactive session", "manual")
    service = ctx.role("postgres", o.first("-h", "--host"), default)
    argv = ["psql", "-v", "ON_ERROR_STOP=1"]
    for flag in ("-U", "-d"):
        if flag in o.values:
            argv += [flag, o.values[flag]]
    argv += [f for f in sorted(o.flags) if f in ("-t", "-A", "-x", "-q")]
    argv += [*o.args[:1], "-c", o.values["-c"]]
    return [Exec(service, tuple(argv))]


def pg_tool(ctx: Context, part: SimpleCommand) -> list[Action]:
    """pg_isready, pg_dump, pg_restore: run in the server's container, without -h/-p."""
    keep: list[str] = []
    host: str | None = None
    skip = False
    for i, arg in enumerate(part.argv):
        if skip:
            skip = False
            continue
        if arg in ("-h", "--host", "-p", "--port"):
            if arg in ("-h", "--host") and i + 1 < len(part.argv):
                host = part.argv[i + 1]
            skip = True
            continue
        if arg.startswith(("--host=", "--port=")):
            host = arg.split("=", 1)[1] if arg.startswith("--host=") else host
            continue
        keep.append(arg)
    return [Exec(ctx.role("postgres", host), (part.program, *keep[1:]))]
