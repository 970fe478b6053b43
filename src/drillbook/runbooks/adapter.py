"""CommandAdapter: the commands runbooks use, mapped onto the test stack's services.

    adapter = CommandAdapter(spec, NameMap(spec, runbook.names))
    t = adapter.translate("docker-compose -f prod.yml restart obsidian-redis-prod", line=41)
    t.status == "run"; t.actions == (Lifecycle("redis", "restart"),)

Pure: it only decides what each command would do. docker-compose / docker compose, docker,
kubectl (rollout restart|undo, scale, set env, logs, exec, get, top), redis-cli, psql,
pg_isready, pg_dump, pg_restore, curl and sleep are understood, whatever compose file,
namespace or container names the runbook uses. Anything else is "not executable", never
guessed; anything destructive is "refused".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from drillbook.runbooks.commands import CommandLine, SimpleCommand, parse_command
from drillbook.runbooks.durations import sleep_seconds
from drillbook.runbooks.names import LOOPBACK_HOSTS, NameMap
from drillbook.runbooks.placeholders import find_placeholders
from drillbook.runbooks.safety import destructive
from drillbook.stack.spec import StackSpec

RUN, REFUSED, NOT_EXECUTABLE = "run", "refused", "not executable"


@dataclass(frozen=True)
class Lifecycle:
    service: str
    verb: str  # restart | start | stop | kill


@dataclass(frozen=True)
class Logs:
    service: str
    tail: int = 100


@dataclass(frozen=True)
class Exec:
    service: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    services: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    services: tuple[str, ...]


@dataclass(frozen=True)
class Inspect:
    service: str


@dataclass(frozen=True)
class Scale:
    service: str
    replicas: int


@dataclass(frozen=True)
class Recreate:
    """Replace the container with changed environment; no env restores the stack's own."""

    service: str
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UpdateMemory:
    service: str
    memory: str


@dataclass(frozen=True)
class Http:
    service: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    fail_on_error: bool = False


@dataclass(frozen=True)
class Wait:
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
    | Wait
    | Filter
)


@dataclass(frozen=True)
class Translation:
    """What a command line comes to on the stack: actions to run, or why it cannot be run."""

    command: CommandLine
    status: str  # RUN | REFUSED | NOT_EXECUTABLE
    actions: tuple[Action, ...] = ()
    reason: str = ""
    inferred: tuple[tuple[str, str], ...] = ()  # (runbook name, stack service) guessed
    unknown_names: tuple[str, ...] = ()
    problem: str = ""  # a short rule-like word for the linter: "service", "port", "outside"...

    @property
    def runnable(self) -> bool:
        return self.status == RUN


class _Cannot(Exception):
    def __init__(self, reason: str, problem: str = "", names: Iterable[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem = problem
        self.names = tuple(names)


@dataclass
class _Options:
    values: dict[str, str] = field(default_factory=dict)  # the last value of each option
    given: list[tuple[str, str]] = field(default_factory=list)  # every value, in order
    flags: set[str] = field(default_factory=set)
    args: list[str] = field(default_factory=list)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value
        self.given.append((name, value))

    def all(self, *names: str) -> list[str]:
        return [value for name, value in self.given if name in names]


def _options(
    argv: Iterable[str], with_value: set[str], stop_at_first_arg: bool = False
) -> _Options:
    """getopt for the few options we read.

    `--opt=value`, `--opt value`, `-o value` and `-ovalue` all work; bundled short options
    split as getopt does: in `-tAc SQL` or `-fsSL`, each letter is a flag until one that takes
    a value, which takes the rest of the argument (`-Upostgres`) or else the next one.
    """
    out = _Options()
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            out.args.extend(items[i + 1 :])
            break
        if stop_at_first_arg and out.args:
            out.args.extend(items[i:])
            break
        if arg.startswith("-") and len(arg) > 1:
            name, eq, value = arg.partition("=")
            if name in with_value:
                if not eq:
                    i += 1
                    value = items[i] if i < len(items) else ""
                out.set(name, value)
            elif (bundle := _bundle(arg, with_value)) is not None:
                flags, option = bundle
                out.flags.update(flags)
                if option is not None:
                    name, value = option
                    if not value:
                        i += 1
                        value = items[i] if i < len(items) else ""
                    out.set(name, value)
            else:
                out.flags.add(name)
        else:
            out.args.append(arg)
        i += 1
    return out


def _bundle(arg: str, with_value: set[str]) -> tuple[list[str], tuple[str, str] | None] | None:
    """`-fsSL` -> flags -f -s -S -L; `-tAc` -> flags -t -A and option -c (value to follow).

    None when `arg` is no bundle of short options: a long option, `-n` alone, `-20`.
    """
    if arg.startswith("--") or len(arg) < 3 or not arg[1].isalpha():
        return None
    letters = arg[1:]
    for j, letter in enumerate(letters):
        if f"-{letter}" in with_value:
            return [f"-{c}" for c in letters[:j]], (f"-{letter}", letters[j + 1 :])
        if not letter.isalnum():
            return None
    return [f"-{c}" for c in letters], None


class CommandAdapter:
    """Translates runbook commands into actions on one stack's services."""

    def __init__(self, spec: StackSpec, names: NameMap | None = None) -> None:
        self.spec = spec
        self.names = names or NameMap(spec)
        self._inferred: list[tuple[str, str]] = []

    def translate(self, text: str, line: int = 0, shell: str = "sh") -> Translation:
        command = parse_command(text, line, shell)
        return self.translate_line(command, shell)

    def translate_line(self, command: CommandLine, shell: str = "sh") -> Translation:
        self._inferred = []
        reason = destructive(command)
        if reason:
            return Translation(command, REFUSED, reason=reason, problem="destructive")
        holes = find_placeholders(command.text)
        if holes:
            why = f"placeholder {holes[0]} left in; write the real value"
            return Translation(command, NOT_EXECUTABLE, reason=why, problem="placeholder")
        try:
            actions = self._line(command, shell)
        except _Cannot as why:
            return Translation(
                command,
                NOT_EXECUTABLE,
                reason=why.reason,
                inferred=tuple(self._inferred),
                unknown_names=why.names,
                problem=why.problem,
            )
        return Translation(command, RUN, tuple(actions), inferred=tuple(self._inferred))

    # -- structure ---------------------------------------------------------------------------
    def _line(self, command: CommandLine, shell: str) -> list[Action]:
        if command.error:
            raise _Cannot(command.error, "syntax")
        if shell == "powershell" and not self._known(command.first):
            raise _Cannot("a PowerShell command; drillbook runs no host shell", "shell")
        if command.redirects:
            raise _Cannot("reads or writes a file on the host", "host-file")
        if not command.parts:
            raise _Cannot("no command", "syntax")
        actions: list[Action] = []
        for part, operator in zip(command.parts, ("", *command.operators), strict=True):
            if operator == "|":
                actions.append(self._filter(part))
            elif operator in ("", "&&", ";"):
                actions.extend(self._simple(part))
            else:
                raise _Cannot(f"the operator {operator!r} is not supported", "syntax")
        return actions

    def _known(self, part: SimpleCommand) -> bool:
        return part.program in _PROGRAMS

    def _simple(self, part: SimpleCommand) -> list[Action]:
        handler = _PROGRAMS.get(part.program)
        if handler is None:
            raise _Cannot(f"{part.argv[0]!r} is not a command drillbook can map", "unknown")
        return handler(self, part)

    def service(self, name: str) -> str:
        resolved = self.names.resolve(name)
        if resolved.service is None:
            raise _Cannot(resolved.reason, "service", [name])
        if resolved.inferred:
            self._inferred.append((name, resolved.service))
        return resolved.service

    def role(self, role: str, host: str | None = None, default: str | None = None) -> str:
        """The service a client command talks to: by its -h host, else `default` (the
        container it runs in, for `docker exec`), else by its role."""
        if host and host not in LOOPBACK_HOSTS:
            return self.service(host)
        return default or self.service(role)

    def _lifecycle_or_logs(self, sub: str, rest: list[str], need: str = "") -> list[Action]:
        """`restart|start|stop|kill|logs [NAME...]`, for docker and docker compose alike.

        No name means every service, unless `need` names the command that requires one.
        """
        if sub == "logs":
            o = _options(rest, {"--tail", "-n", "--since", "--until"})
            tail = _int(o.values.get("--tail") or o.values.get("-n") or "100", "--tail")
        else:
            o = _options(rest, {"-t", "--time", "--timeout", "-s", "--signal"})
        names = _need(o.args, need) if need else o.args
        services = [self.service(a) for a in names] or list(self.names.services)
        if sub == "logs":
            return [Logs(s, tail) for s in services]
        return [Lifecycle(s, sub) for s in services]

    # -- docker compose ----------------------------------------------------------------------
    def _compose(self, argv: list[str], env: tuple[tuple[str, str], ...]) -> list[Action]:
        opts = _options(
            argv, {"-f", "--file", "-p", "--project-name", "--env-file", "--profile"}, True
        )
        if not opts.args:
            raise _Cannot("docker compose without a subcommand", "unknown")
        sub, rest = opts.args[0], opts.args[1:]
        if sub == "ps":
            args = _options(rest, {"--format", "--filter"}).args
            return [Status(tuple(self.service(a) for a in args) or self.names.services)]
        if sub in ("logs", "restart", "stop", "start", "kill"):
            return self._lifecycle_or_logs(sub, rest)
        if sub == "up":
            return self._compose_up(rest, env)
        if sub == "exec":
            o = _options(rest, {"-u", "--user", "-w", "--workdir", "-e", "--env", "--index"}, True)
            if len(o.args) < 2:
                raise _Cannot("docker compose exec needs a service and a command", "syntax")
            return [self._exec(self.service(o.args[0]), o.args[1:])]
        if sub in ("top", "stats"):
            services = tuple(self.service(a) for a in rest if not a.startswith("-"))
            return [Stats(services or self.names.services)]
        if sub == "down":
            raise _Cannot("`down` removes the whole stack; restart or stop services", "unsupported")
        raise _Cannot(f"docker compose {sub} is not supported", "unknown")

    def _compose_up(self, rest: list[str], env: tuple[tuple[str, str], ...]) -> list[Action]:
        o = _options(rest, {"--scale", "-t", "--timeout", "--wait-timeout"})
        if "-d" not in o.flags and "--detach" not in o.flags:
            raise _Cannot("`up` without -d stays attached; write `up -d`", "unsupported")
        actions: list[Action] = []
        if "--scale" in o.values:
            name, _, count = o.values["--scale"].partition("=")
            actions.append(Scale(self.service(name), _int(count, "--scale")))
        targets = [self.service(a) for a in o.args]
        if "--force-recreate" in o.flags or env:
            if not targets:
                raise _Cannot("recreate names no service; name the one to recreate", "syntax")
            actions.extend(Recreate(t, env) for t in targets)
        elif not actions:
            actions.extend(Lifecycle(t, "start") for t in targets or self.names.services)
        return actions

    # -- docker ------------------------------------------------------------------------------
    def _docker(self, part: SimpleCommand) -> list[Action]:
        argv = list(part.argv[1:])
        opts = _options(argv, {"-H", "--host", "--context", "-c"}, True)
        if not opts.args:
            raise _Cannot("docker without a subcommand", "unknown")
        sub, rest = opts.args[0], opts.args[1:]
        if sub == "compose":
            return self._compose(rest, part.env)
        if sub == "container" and rest:
            sub, rest = rest[0], rest[1:]
        if sub in ("restart", "start", "stop", "kill", "logs"):
            return self._lifecycle_or_logs(sub, rest, f"docker {sub}")
        if sub == "exec":
            o = _options(rest, {"-u", "--user", "-w", "--workdir", "-e", "--env"}, True)
            if len(o.args) < 2:
                raise _Cannot("docker exec needs a container and a command", "syntax")
            return [self._exec(self.service(o.args[0]), o.args[1:])]
        if sub == "stats":
            o = _options(rest, {"--format"})
            return [Stats(tuple(self.service(a) for a in o.args) or self.names.services)]
        if sub == "inspect":
            o = _options(rest, {"-f", "--format", "--type"})
            return [Inspect(self.service(a)) for a in _need(o.args, "docker inspect")]
        if sub == "ps":
            return [Status(self.names.services)]
        if sub == "update":
            o = _options(rest, {"-m", "--memory", "--memory-swap", "--cpus"})
            memory = o.values.get("--memory") or o.values.get("-m")
            if not memory or set(o.values) - {"-m", "--memory", "--memory-swap"}:
                raise _Cannot("docker update is supported for --memory only", "unsupported")
            return [UpdateMemory(self.service(a), memory) for a in _need(o.args, "docker update")]
        raise _Cannot(f"docker {sub} does not act on the stack's services", "unsupported")

    def _docker_compose(self, part: SimpleCommand) -> list[Action]:
        return self._compose(list(part.argv[1:]), part.env)

    # -- kubectl -----------------------------------------------------------------------------
    def _kubectl(self, part: SimpleCommand) -> list[Action]:
        o = _options(
            part.argv[1:],
            {"-n", "--namespace", "--context", "--replicas", "--tail", "-l", "-c", "--container"}
            | {"-o", "--output"},
        )
        args = o.args
        if not args:
            raise _Cannot("kubectl without a verb", "unknown")
        verb, rest = args[0], args[1:]
        if verb == "rollout" and len(rest) >= 2:
            target = self.service(_workload(rest[1:]))
            # rollout undo: back to the version the stack defines, i.e. its own container spec.
            mapping: dict[str, Action] = {
                "restart": Lifecycle(target, "restart"),
                "undo": Recreate(target),
            }
            if rest[0] == "status":
                return [Status((target,))]
            if rest[0] in mapping:
                return [mapping[rest[0]]]
        if verb == "scale" and rest:
            replicas = _int(o.values.get("--replicas", ""), "--replicas")
            return [Scale(self.service(_workload(rest)), replicas)]
        if verb == "set" and rest[:1] == ["env"] and len(rest) >= 3:
            pairs = [a.partition("=") for a in rest[2:]]
            if any(not eq or not value for _, eq, value in pairs):
                raise _Cannot("kubectl set env needs NAME=value pairs", "syntax")
            env = tuple((name, value) for name, _, value in pairs)
            return [Recreate(self.service(_workload(rest[1:2])), env)]
        if verb == "logs" and rest:
            tail = _int(o.values.get("--tail", "100"), "--tail")
            return [Logs(self.service(_workload(rest)), tail)]
        if verb == "exec" and len(rest) >= 2:
            return [self._exec(self.service(_workload(rest[:1])), rest[1:])]
        if verb in ("get", "describe") and rest:
            names = [_workload([a]) for a in rest[1:] if "/" not in rest[0] or a]
            kinds = rest[0].split("/")
            if len(kinds) == 2:
                names = [kinds[1]]
            services = tuple(self.service(n) for n in names) or self.names.services
            return [Status(services)]
        if verb == "top":
            return [Stats(self.names.services)]
        if verb == "delete" and rest[:1] in (["pod"], ["pods"]) and len(rest) == 2:
            # A deleted pod is replaced by its deployment: on containers, a restart.
            return [Lifecycle(self.service(rest[1]), "restart")]
        if verb == "delete" and len(rest) == 1 and rest[0].startswith("pod/"):
            return [Lifecycle(self.service(rest[0][4:]), "restart")]
        raise _Cannot(f"kubectl {' '.join(args[:2])} has no container equivalent", "unsupported")

    # -- clients inside the containers -------------------------------------------------------
    def _exec(self, service: str, argv: list[str]) -> Action:
        """A command run in `service`; a client there talks to its -h host, else to `service`."""
        inner = SimpleCommand(tuple(argv))
        program = inner.program
        if program in ("sh", "bash") and "-c" not in argv:
            # A shell must be given its command; an interactive session cannot be followed.
            raise _Cannot(f"{program} without a command is an interactive session", "manual")
        if program == "redis-cli":
            return self._redis_cli(inner, service)[0]
        if program == "psql":
            return self._psql(inner, service)[0]
        return Exec(service, tuple(argv))

    def _redis_cli(self, part: SimpleCommand, default: str | None = None) -> list[Action]:
        o = _options(part.argv[1:], {"-h", "-p", "-a", "-n", "--user", "--pass", "-u"}, True)
        if not o.args:
            raise _Cannot("redis-cli without a command is an interactive session", "manual")
        service = self.role("redis", o.values.get("-h"), default)
        keep = [f for f in o.flags if f in ("--raw", "--no-raw")]
        db = ["-n", o.values["-n"]] if "-n" in o.values else []
        return [Exec(service, ("redis-cli", *keep, *db, *o.args))]

    def _psql(self, part: SimpleCommand, default: str | None = None) -> list[Action]:
        o = _options(part.argv[1:], {"-h", "-p", "-U", "-d", "-c", "-f", "--host", "--port"})
        if "-f" in o.values:
            raise _Cannot("psql -f reads a file from the host", "host-file")
        if "-c" not in o.values:
            raise _Cannot("psql without -c is an interactive session", "manual")
        service = self.role("postgres", o.values.get("-h") or o.values.get("--host"), default)
        argv = ["psql", "-v", "ON_ERROR_STOP=1"]
        for flag in ("-U", "-d"):
            if flag in o.values:
                argv += [flag, o.values[flag]]
        argv += [f for f in sorted(o.flags) if f in ("-t", "-A", "-x", "-q")]
        argv += [*o.args[:1], "-c", o.values["-c"]]
        return [Exec(service, tuple(argv))]

    def _pg_tool(self, part: SimpleCommand) -> list[Action]:
        keep: list[str] = []
        host: str | None = None
        skip = False
        for i, arg in enumerate(part.argv):
            if skip:
                skip = False
                continue
            if arg in ("-h", "--host", "-p", "--port"):
                host = (
                    part.argv[i + 1] if arg in ("-h", "--host") and i + 1 < len(part.argv) else host
                )
                skip = True
                continue
            if arg.startswith(("--host=", "--port=")):
                host = arg.split("=", 1)[1] if arg.startswith("--host=") else host
                continue
            keep.append(arg)
        return [Exec(self.role("postgres", host), (part.program, *keep[1:]))]

    def _curl(self, part: SimpleCommand) -> list[Action]:
        o = _options(
            part.argv[1:],
            {"-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--json", "-o"}
            | {"--output", "-m", "--max-time", "-w", "--write-out", "-u", "--user"},
        )
        headers = [
            (name.strip(), value.strip())
            for name, _, value in (h.partition(":") for h in o.all("-H", "--header"))
        ]
        if o.values.get("-o", o.values.get("--output", "/dev/null")) != "/dev/null":
            raise _Cannot("curl -o writes a file on the host", "host-file")
        urls = o.args
        if len(urls) != 1:
            raise _Cannot("curl needs exactly one URL", "syntax")
        target = self.names.resolve_url(urls[0])
        if target.service is None:
            raise _Cannot(target.reason, target.problem or "outside", [urls[0]])
        body = o.values.get("-d") or o.values.get("--data") or o.values.get("--data-raw")
        if "--json" in o.values:
            body = o.values["--json"]
            headers.append(("Content-Type", "application/json"))
        method = o.values.get("-X") or o.values.get("--request") or ("POST" if body else "GET")
        fail = bool({"-f", "--fail"} & o.flags)
        return [Http(target.service, method.upper(), target.path, tuple(headers), body, fail)]

    def _sleep(self, part: SimpleCommand) -> list[Action]:
        if len(part.argv) != 2:
            raise _Cannot("sleep needs one duration", "syntax")
        seconds = sleep_seconds(part.argv[1])
        if seconds is None:
            raise _Cannot(f"cannot read the sleep time {part.argv[1]!r}", "syntax")
        return [Wait(seconds)]

    def _filter(self, part: SimpleCommand) -> Filter:
        program = part.program
        if program == "grep":
            o = _options(part.argv[1:], {"-e", "-m"})
            pattern = o.values.get("-e") or (o.args[0] if o.args else "")
            flags = "".join(f.lstrip("-") for f in o.flags if not f.startswith("--"))
            if not pattern or set(flags) - set("iEvF"):
                raise _Cannot("only grep [-i] [-v] [-E] PATTERN is supported in a pipe", "unknown")
            if "F" in flags:
                pattern = re.escape(pattern)
            elif "E" not in flags:
                # Basic regular expressions spell alternation and groups with backslashes.
                pattern = re.sub(r"\\([|(){}+?])", r"\1", pattern)
            return Filter("grep", pattern, ignore_case="i" in flags, invert="v" in flags)
        if program in ("head", "tail"):
            o = _options(part.argv[1:], {"-n"})
            count = o.values.get("-n") or next((f[1:] for f in o.flags if f[1:].isdigit()), "10")
            return Filter(program, count=_int(count, "-n"))
        if program == "wc" and part.argv[1:] == ("-l",):
            return Filter("wc")
        raise _Cannot(f"{program!r} in a pipe is not supported", "unknown")


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Cannot(f"{what} needs a number, got {text!r}", "syntax") from None


def _need(args: list[str], what: str) -> list[str]:
    if not args:
        raise _Cannot(f"{what} needs a container name", "syntax")
    return args


def _workload(args: list[str]) -> str:
    """`deployment/api`, `deploy api`, `api` -> `api`."""
    if not args:
        raise _Cannot("no workload named", "syntax")
    first = args[0]
    if "/" in first:
        return first.split("/", 1)[1]
    if first in ("deployment", "deploy", "deployments", "statefulset", "sts", "pod", "pods"):
        if len(args) < 2:
            raise _Cannot(f"{first} needs a name", "syntax")
        return args[1]
    return first


_PROGRAMS = {
    "docker": CommandAdapter._docker,
    "docker-compose": CommandAdapter._docker_compose,
    "kubectl": CommandAdapter._kubectl,
    "redis-cli": CommandAdapter._redis_cli,
    "psql": CommandAdapter._psql,
    "pg_isready": CommandAdapter._pg_tool,
    "pg_dump": CommandAdapter._pg_tool,
    "pg_restore": CommandAdapter._pg_tool,
    "curl": CommandAdapter._curl,
    "sleep": CommandAdapter._sleep,
}
