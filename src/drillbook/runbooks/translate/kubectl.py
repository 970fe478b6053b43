"""kubectl, read as the same operations on containers: rollout, scale, set env, logs, exec,
get/describe, top, delete pod (a pod deleted is a container restarted by its deployment).

On a Kubernetes stack the line runs as written through the real kubectl instead (a
KubectlRun, pinned to the drill's namespace when it runs), once its names are resolved."""

from __future__ import annotations

from drillbook.runbooks.actions import (
    Action,
    KubectlRun,
    Lifecycle,
    Logs,
    Recreate,
    Scale,
    Stats,
    Status,
)
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.translate.clients import exec_in
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.kubectl_reach import refuse_outside_reach
from drillbook.runbooks.translate.options import Cannot, Options, integer, options
from drillbook.stack.kube.cli import Unreadable, read_kubectl, short_bundle

KUBECTL_OPTIONS = {"-n", "--namespace", "--context", "--replicas", "--tail", "-l", "-c"} | {
    "--container",
    "-o",
    "--output",
    "--field-selector",
    "--selector",
    "--sort-by",
    "--since",
}
_INTERACTIVE = {
    "edit": "opens an editor",
    "attach": "attaches a terminal",
    "port-forward": "runs until stopped",
    "proxy": "runs until stopped",
}
WORKLOAD_KINDS = ("deployment", "deploy", "deployments", "statefulset", "sts", "pod", "pods")


def kubectl(ctx: Context, part: SimpleCommand) -> list[Action]:
    """The `kubectl` program."""
    try:
        line = read_kubectl(part.argv[1:])
    except Unreadable as why:
        raise Cannot(why.reason, "syntax") from None
    o = options([line.verb, *line.rest], KUBECTL_OPTIONS)
    verb, rest = o.args[0], o.args[1:]
    if ctx.kubernetes:
        refuse_outside_reach(line)
        return [_as_written(ctx, part.argv[1:], verb, rest, o)]
    actions = _verb(ctx, verb, rest, o)
    if actions is None:
        raise Cannot(f"kubectl {' '.join(o.args[:2])} has no container equivalent", "unsupported")
    return actions


def _as_written(
    ctx: Context, words: tuple[str, ...], verb: str, rest: list[str], o: Options
) -> KubectlRun:
    """The line for the real kubectl, the runbook's workload names replaced by the stack's.

    The names are read as the container translation reads them, so a workload the stack does
    not have is "not executable" here too; a verb with no container equivalent (`rollout
    history`, `get events`) needs no translation to run on a cluster.
    """
    _refuse_unending(verb, words)
    try:
        _verb(ctx, verb, rest, o)
    except Cannot as why:
        if why.problem == "service":
            raise
    renamed = []
    for word in words:
        kind, slash, name = word.partition("/")
        if slash and name in ctx.resolved:
            renamed.append(f"{kind}/{ctx.resolved[name]}")
        else:
            renamed.append(ctx.resolved.get(word, word))
    return KubectlRun(tuple(renamed), tuple(dict.fromkeys(ctx.resolved.values())))


def _verb(ctx: Context, verb: str, rest: list[str], o: Options) -> list[Action] | None:
    if verb == "rollout" and len(rest) >= 2:
        return _rollout(ctx, rest)
    if verb == "scale" and rest:
        replicas = integer(o.values.get("--replicas", ""), "--replicas")
        return [Scale(ctx.service(workload(rest)), replicas)]
    if verb == "set" and rest[:1] == ["env"] and len(rest) >= 3:
        pairs = [a.partition("=") for a in rest[2:]]
        if any(not eq or not value for _, eq, value in pairs):
            raise Cannot("kubectl set env needs NAME=value pairs", "syntax")
        env = tuple((name, value) for name, _, value in pairs)
        return [Recreate(ctx.service(workload(rest[1:2])), env)]
    if verb == "logs" and rest:
        tail = integer(o.values.get("--tail", "100"), "--tail")
        return [Logs(ctx.service(workload(rest)), tail)]
    if verb == "exec" and len(rest) >= 2:
        return [exec_in(ctx, ctx.service(workload(rest[:1])), rest[1:])]
    if verb in ("get", "describe") and rest:
        return [Status(_named(ctx, rest))]
    if verb == "top":
        return [Stats(ctx.services)]
    if verb == "delete":
        return _delete_pod(ctx, rest)
    return None


def _refuse_unending(verb: str, words: tuple[str, ...]) -> None:
    """A line waiting for a person (an editor, a terminal) or following forever cannot be a
    drill's step: nobody is there to end it."""
    if verb in _INTERACTIVE:
        raise Cannot(
            f"kubectl {verb} {_INTERACTIVE[verb]}; a drill has no one to end it: write a "
            "command that ends (`kubectl patch`, `kubectl set env`, a request to the Service)",
            "interactive",
        )
    if verb == "rollout":
        return  # `rollout status` watches until the rollout is done (or its --timeout)
    short, longs = ("-f", {"--follow"}) if verb == "logs" else ("-w", {"--watch", "--watch-only"})
    for word in words[: words.index("--")] if "--" in words else words:
        name, _, value = word.partition("=")
        bundled = not word.startswith("--") and short in (o for o, _ in short_bundle(word))
        if bundled or (name in longs and value.lower() != "false"):
            raise Cannot(f"kubectl {verb} {word} never ends", "interactive")


def _rollout(ctx: Context, rest: list[str]) -> list[Action] | None:
    target = ctx.service(workload(rest[1:]))
    if rest[0] == "status":
        return [Status((target,))]
    if rest[0] == "restart":
        return [Lifecycle(target, "restart")]
    if rest[0] == "undo":
        # Back to the version the stack defines, i.e. its own container spec.
        return [Recreate(target)]
    return None


def _named(ctx: Context, rest: list[str]) -> tuple[str, ...]:
    kinds = rest[0].split("/")
    names = [kinds[1]] if len(kinds) == 2 else [workload([a]) for a in rest[1:]]
    return tuple(ctx.service(n) for n in names) or ctx.services


def _delete_pod(ctx: Context, rest: list[str]) -> list[Action] | None:
    if rest[:1] in (["pod"], ["pods"]) and len(rest) == 2:
        # A deleted pod is replaced by its deployment: on containers, a restart.
        return [Lifecycle(ctx.service(rest[1]), "restart")]
    if len(rest) == 1 and rest[0].startswith("pod/"):
        return [Lifecycle(ctx.service(rest[0][4:]), "restart")]
    return None


def workload(args: list[str]) -> str:
    """`deployment/api`, `deploy api`, `api` -> `api`."""
    if not args:
        raise Cannot("no workload named", "syntax")
    first = args[0]
    if "/" in first:
        return first.split("/", 1)[1]
    if first in WORKLOAD_KINDS:
        if len(args) < 2:
            raise Cannot(f"{first} needs a name", "syntax")
        return args[1]
    return first
