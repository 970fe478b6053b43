"""What a command line says about the stack beyond service names: the variables it sets and
the ports its database clients use, and sub-commands that are no sub-command.

    variables_set(line)   export X=…, kubectl set env deploy/api X=…, docker run -e X=…
    client_ports(line)    redis-cli -h redis -p 6380 …, psql -p 5433 …
    subcommand_typo(line) docker compose restrat -> ("docker compose", "restrat", "restart")

Pure: the linter checks what these return against the stack definition.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from drillbook.runbooks.commands import CommandLine, SimpleCommand
from drillbook.runbooks.translate.options import options
from drillbook.stack.grammar import compose as compose_grammar
from drillbook.stack.grammar import docker as docker_grammar

_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:=|$)")
_CLIENT_ROLES = {"redis-cli": "redis", "psql": "postgres"}


def _words(text: str) -> list[str]:
    return text.split()


# The sub-commands each CLI defines (docker 27, docker compose v2, kubectl 1.30), to tell a
# typo from a command drillbook merely does not map.
_COMPOSE = frozenset(
    _words(
        "attach build commit config cp create down events exec export images kill logs ls "
        "pause port ps publish pull push restart rm run scale start stats stop top unpause up "
        "version volumes wait watch bridge alpha"
    )
)
_DOCKER = frozenset(
    _words(
        "attach bake build builder buildx checkpoint commit compose config container context "
        "cp create debug diff events exec export history image images import info init inspect "
        "kill load login logout logs manifest network node pause plugin port ps pull push "
        "rename restart rm rmi run save sbom scout search secret service stack start stats "
        "stop swarm system tag top trust unpause update version volume wait"
    )
)
_KUBECTL = frozenset(
    _words(
        "annotate api-resources api-versions apply attach auth autoscale certificate "
        "cluster-info completion config cordon cp create debug delete describe diff drain edit "
        "events exec explain expose get kustomize label logs patch plugin port-forward proxy "
        "replace rollout run scale set taint top uncordon version wait alpha"
    )
)
_KUBECTL_GLOBAL = {
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--as",
    "-v",
}


@dataclass(frozen=True)
class VariableSet:
    """A variable a command sets, and the name of what it is set on (None: the shell)."""

    name: str
    target: str | None
    container: bool  # set in a container (kubectl set env, -e), not only in the shell


@dataclass(frozen=True)
class ClientPort:
    """A database client's port, and the host (or role) it talks to."""

    program: str
    host: str  # the -h host, or the role ("redis", "postgres") when it names none
    port: int


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """The one choice closest to `name`, if one is close: for "did you mean" hints."""
    found = difflib.get_close_matches(name, sorted(set(choices)), n=1, cutoff=0.75)
    return found[0] if found else None


def _simple(line: CommandLine) -> Iterator[SimpleCommand]:
    """Every simple command of the line, and those wrapped by sudo or env."""
    for part in line.parts:
        argv = list(part.argv)
        while argv and argv[0].rsplit("/", 1)[-1] in ("sudo", "env"):
            argv = argv[1:]
            while argv and (argv[0].startswith("-") or "=" in argv[0]):
                argv = argv[1:]
        if argv:
            yield SimpleCommand(tuple(argv), part.env)


def variables_set(line: CommandLine) -> list[VariableSet]:
    """The variables each part of the line sets: export, kubectl set env, docker -e."""
    found: list[VariableSet] = []
    for part in _simple(line):
        program, argv = part.program, list(part.argv)
        if program == "export":
            found += [VariableSet(m[1], None, False) for a in argv[1:] if (m := _NAME.match(a))]
        elif program == "kubectl" and _sub(argv, _KUBECTL_GLOBAL)[:2] == ["set", "env"]:
            found += _kubectl_env(_sub(argv, _KUBECTL_GLOBAL)[2:])
        elif program in ("docker", "docker-compose"):
            found += _docker_env(argv)
    return found


def _kubectl_env(rest: list[str]) -> list[VariableSet]:
    o = options(rest, {"-c", "--containers", "-e", "--env", "-n", "--namespace", "--from"})
    resources = [a for a in o.args if "=" not in a and not a.endswith("-")]
    target = resources[0].split("/")[-1] if resources else None
    pairs = [a for a in o.args if "=" in a] + o.all("-e", "--env")
    return [VariableSet(m[1], target, True) for a in pairs if (m := _NAME.match(a))]


def _docker_env(argv: list[str]) -> list[VariableSet]:
    o = options(argv[1:], {"-e", "--env"})
    return [VariableSet(m[1], None, True) for a in o.all("-e", "--env") if (m := _NAME.match(a))]


def client_ports(line: CommandLine) -> list[ClientPort]:
    """The ports given to redis-cli and psql, also inside `docker exec X redis-cli …`."""
    found: list[ClientPort] = []
    for part in _simple(line):
        argv = list(part.argv)
        for i, arg in enumerate(argv):
            program = arg.rsplit("/", 1)[-1]
            if program not in _CLIENT_ROLES:
                continue
            o = options(argv[i + 1 :], {"-h", "--host", "-p", "--port", "-U", "-d", "-c", "-n"})
            port = o.first("-p", "--port")
            if port and port.isdigit():
                host = o.first("-h", "--host") or _CLIENT_ROLES[program]
                found.append(ClientPort(program, host, int(port)))
            break
    return found


def subcommand_typo(line: CommandLine) -> tuple[str, str, str | None] | None:
    """(program, written sub-command, nearest real one) for a sub-command its CLI lacks."""
    for part in _simple(line):
        program, argv = part.program, list(part.argv)
        if program == "docker" and _sub(argv, docker_grammar.GLOBAL_VALUED)[:1] == ["compose"]:
            program, argv = "docker compose", _sub(argv, docker_grammar.GLOBAL_VALUED)
        if program in ("docker compose", "docker-compose"):
            known, sub = _COMPOSE, _sub(argv, compose_grammar.GLOBAL_VALUED)
        elif program == "docker":
            known, sub = _DOCKER, _sub(argv, docker_grammar.GLOBAL_VALUED)
        elif program == "kubectl":
            known, sub = _KUBECTL, _sub(argv, _KUBECTL_GLOBAL)
        else:
            continue
        if sub and re.fullmatch(r"[a-z][a-z-]*", sub[0]) and sub[0] not in known:
            return program, sub[0], nearest(sub[0], known)
    return None


def _sub(argv: list[str], global_options: AbstractSet[str]) -> list[str]:
    """The sub-command and what follows it, after the program and its global options."""
    return options(argv[1:], global_options, stop_at_first_arg=True).args
