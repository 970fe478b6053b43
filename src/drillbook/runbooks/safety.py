"""Which commands would destroy something beyond the incident: refused, never run.

The judgement is on the whole command, through every wrapper: `docker exec`, `docker compose
exec|run`, `kubectl exec --`, `ssh host '...'`, `sh -c '...'`, `bash -lc`, `sudo`, `env`,
`timeout`, `xargs`, `eval`, `$(...)`; and into the scripts clients run: SQL given to psql and
friends, Lua given to `redis-cli EVAL`. The linter and the executor share it, so they agree.

Deliberately allowed (a remediation needs them, and they name what they touch):
`DELETE ... WHERE id = 42` (but not `WHERE 1=1`), `pg_restore --clean` (replaces objects with
the backup's), `kubectl delete pod NAME` (its deployment replaces it), `rm` of a named file
outside data directories (a stale lock or pid file), `truncate` of a log, HTTP DELETE of a
Toxiproxy toxic or an Alertmanager silence.
"""

from __future__ import annotations

import re
from types import ModuleType

from drillbook.runbooks.commands import CommandLine, SimpleCommand, parse_command, substitutions
from drillbook.runbooks.sql import sql_reason
from drillbook.runbooks.translate.options import options, wrapped_command
from drillbook.stack.grammar import compose as compose_grammar
from drillbook.stack.grammar import docker as docker_grammar
from drillbook.stack.kube.cli import KubectlLine, Unreadable, read_kubectl

_MAX_DEPTH = 6  # wrappers inside wrappers; deeper nesting is refused rather than followed
_HOST_PROGRAMS = {
    "iptables": "changes the host's firewall",
    "ip6tables": "changes the host's firewall",
    "nft": "changes the host's firewall",
    "shutdown": "stops the host",
    "reboot": "stops the host",
    "halt": "stops the host",
    "poweroff": "stops the host",
}
_DISK_PROGRAMS = {"mkswap", "wipefs", "fdisk", "sfdisk", "parted", "shred", "blkdiscard"}
_DATA_PATH = re.compile(
    r"^/+$|^/+\*|/var/lib/(?:postgresql|pgsql|redis|mysql|docker|etcd|qdrant|chroma|mongodb)"
    r"|^/data\b|/pgdata\b|\bpg_wal\b|\.(?:rdb|aof)$|appendonly|/var/opt/|^/var/lib/?$"
)
_DEVICE = re.compile(r"^/dev/(?:sd|hd|vd|xvd|nvme|disk|mapper|md|dm-|mmcblk)")
_SQL_PROGRAMS = {"psql", "mysql", "mariadb", "sqlite3", "mongo", "mongosh", "cqlsh"} | {
    "clickhouse-client",
    "python",
    "python3",
}
_KUBE_KEEP = {"pod", "pods", "po"}
_KUBE_NODES = {"node", "nodes", "no"}
_KUBE_NODE_VERBS = {"drain", "cordon", "uncordon", "taint"}
_SAFE_DELETE_PATH = re.compile(r"/toxics/|/silences?/|/silence\b")
_SHELLS = {"sh", "bash", "zsh", "dash", "ash", "ksh"}
_PREFIX_WRAPPERS = {"nohup", "time", "exec", "command", "stdbuf", "nice", "ionice", "chroot"}
_KUBECTL_OPTIONS = {"-n", "--namespace", "--context", "-c", "--container", "-l", "--selector"}
_FALLBACK = re.compile(
    r"(?i)\brm\s+-\w*r|\bflush(?:all|db)\b|\bmkfs|\bdd\b[^|;&]*\bof=/dev/|\bdrop\s+(?:table|"
    r"database|schema)\b|\btruncate\s+table\b|\bdropdb\b|\bshutdown\s+nosave\b"
)


def destructive(command: CommandLine) -> str | None:
    """Why running this command line could destroy more than the incident, or None."""
    return _line(command, 0)


def _line(command: CommandLine, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return "wrappers nested too deep to judge; write the command itself"
    if command.error:
        # Unreadable shell: judge the words, since the shell might still run part of it.
        found = _FALLBACK.search(command.text)
        return f"looks destructive ({found.group(0)!r})" if found else None
    for target in command.redirects:
        if _DEVICE.match(target):
            return "writes over a device"
    piped_sql = any(p.program in _SQL_PROGRAMS for p in command.parts)
    for index, part in enumerate(command.parts):
        fed = index > 0 and command.operators[index - 1] == "|"
        reason = _part(part, depth, piped_sql, fed)
        if reason:
            return reason
    return None


def _script(text: str, depth: int) -> str | None:
    """A shell script given as one string (sh -c, ssh, eval): each of its lines."""
    for line in text.replace("\\\n", " ").splitlines():
        reason = _line(parse_command(line, 0), depth + 1)
        if reason:
            return reason
    return None


def _part(part: SimpleCommand, depth: int, piped_sql: bool, fed: bool) -> str | None:
    if not part.argv:
        return None
    for arg in part.argv:
        for start, end in substitutions(arg):
            inner = arg[start:end].removeprefix("$(").removesuffix(")").strip("`")
            reason = _script(inner, depth)
            if reason:
                return reason
    reason = _program(part, fed)
    if reason:
        return reason
    if piped_sql or part.program in _SQL_PROGRAMS:
        for arg in part.argv[1:]:
            reason = sql_reason(arg)
            if reason:
                return reason
    for wrapped in unwrapped(part):
        reason = _script(wrapped, depth) if isinstance(wrapped, str) else _argv(wrapped, depth, fed)
        if reason:
            return reason
    return None


def _argv(argv: list[str], depth: int, fed: bool) -> str | None:
    if not argv:
        return None
    if depth + 1 > _MAX_DEPTH:
        return "wrappers nested too deep to judge; write the command itself"
    part = SimpleCommand(tuple(argv))
    return _part(part, depth + 1, part.program in _SQL_PROGRAMS, fed)


def unwrapped(part: SimpleCommand) -> list[list[str] | str]:
    """The commands a wrapper runs: argv lists, or script strings for a shell to read.

    The one reading of wrappers (sudo, env, sh -c, ssh, docker exec, kubectl exec...): what
    is judged destructive here and what `effect` judges read-only see the same command.
    """
    program, args = part.program, list(part.argv[1:])
    if program in ("docker", "docker-compose", "podman"):
        return _docker_inner(program, args)
    if program in ("kubectl", "oc"):  # OpenShift's oc is kubectl's grammar
        line = _kubectl_line(args)
        if line is not None and line.verb in ("exec", "run", "debug"):
            rest = list(line.rest)
            inner = rest[rest.index("--") + 1 :] if "--" in rest else _kubectl_args(rest)[1:]
            return [inner]
        return []
    if program in _SHELLS:
        o = options(args, {"-c", "-o", "+o"})
        if "-c" in o.values:
            return [o.values["-c"]]
        return []
    if program in ("ssh", "eval"):
        o = options(args, {"-p", "-i", "-l", "-o", "-F", "-J"}, True)
        script = o.args[1:] if program == "ssh" else o.args
        return [" ".join(script)] if script else []
    if program == "watch":
        # watch runs its arguments through `sh -c`.
        return [" ".join(options(args, {"-n", "--interval"}, True).args)]
    if program in ("sudo", "env", "xargs", "timeout", *_PREFIX_WRAPPERS):
        return [wrapped_command(program, args)]
    return []


def _docker_inner(program: str, args: list[str]) -> list[list[str] | str]:
    words, family = _docker_words(program, args)
    if words[:1] == ["container"] and family is docker_grammar:
        words = words[1:]
    if not words or words[0] not in ("exec", "run"):
        return []
    table = family.EXEC_VALUED if words[0] == "exec" else family.RUN_VALUED
    rest = options(words[1:], table, True).args
    return [rest[1:]] if len(rest) > 1 else []


def _program(part: SimpleCommand, fed: bool) -> str | None:
    """The reasons one program gives by its own words, wherever it runs."""
    program = part.program.lower()
    argv = list(part.argv)
    if program in _HOST_PROGRAMS:
        return f"{program} {_HOST_PROGRAMS[program]}"
    if program.startswith("mkfs") or program in _DISK_PROGRAMS:
        return f"{program} destroys what is on a disk"
    if program == "dd" and any(a.startswith("of=/dev/") and a != "of=/dev/null" for a in argv):
        return "dd writes over a device"
    checks = {
        "rm": _rm,
        "find": _find,
        "truncate": _truncate,
        "redis-cli": _redis,
        "docker": _docker,
        "docker-compose": _docker,
        "kubectl": _kubectl,
        "curl": _http,
        "wget": _http,
        "celery": _celery,
        "rabbitmqctl": _rabbitmq,
        "systemctl": _systemctl,
        "helm": _helm,
        "terraform": _terraform,
    }
    if program in ("dropdb", "dropuser"):
        return f"{program} deletes a database or its owner"
    check = checks.get(program)
    return check(argv, fed) if check else None


def _short_flags(argv: list[str]) -> set[str]:
    """Every single-letter flag, bundled or not: `-fv` -> {f, v}."""
    return {c for a in argv[1:] if a.startswith("-") and not a.startswith("--") for c in a[1:]}


def _rm(argv: list[str], fed: bool) -> str | None:
    if "--recursive" in argv or {"r", "R"} & _short_flags(argv):
        return "rm -r deletes whole directory trees"
    paths = [a for a in argv[1:] if not a.startswith("-")]
    if any("*" in p for p in paths):
        return "rm with a wildcard deletes more than it names"
    if any(_DATA_PATH.search(p) for p in paths):
        return "rm deletes a data file"
    return None


def _find(argv: list[str], fed: bool) -> str | None:
    deletes = "-delete" in argv or ("-exec" in argv and "rm" in argv)
    roots = [a for a in argv[1:] if not a.startswith("-")][:1]
    if not deletes or (roots and not any(_DATA_PATH.search(r) for r in roots)):
        return None
    # `-name "*.fill"` names the files to delete; `-name "*"` or no name names all of them.
    names = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("-name", "-iname")]
    if names and all(n.strip("*.") and not _DATA_PATH.search(n) for n in names):
        return None
    return "find -delete in a data directory deletes data"


def _truncate(argv: list[str], fed: bool) -> str | None:
    if any(_DATA_PATH.search(a) for a in argv[1:] if not a.startswith("-")):
        return "truncate empties a data file"
    return None


def _redis(argv: list[str], fed: bool) -> str | None:
    words = options(argv[1:], {"-h", "-p", "-a", "-n", "-u", "--user", "--pass"}, True).args
    text = " ".join(words).lower()
    if re.search(r"\bflush(?:all|db)\b", text):
        return "FLUSHALL/FLUSHDB empties a Redis that other clients share"
    if re.search(r"\bshutdown\b", text) and "nosave" in text:
        return "SHUTDOWN NOSAVE throws away Redis's data"
    if fed and text.split()[:1] in (["del"], ["unlink"]):
        return "DEL fed by a pipe deletes every key listed"
    return None


def _docker_words(program: str, args: list[str]) -> tuple[list[str], ModuleType]:
    """The words from the subcommand on, read as the translator reads them (one grammar per
    family, `drillbook.stack.grammar`), and the family that reads the rest."""
    if program == "docker-compose":
        return options(args, compose_grammar.GLOBAL_VALUED, True).args, compose_grammar
    words = options(args, docker_grammar.GLOBAL_VALUED, True).args
    if words[:1] == ["compose"]:
        return options(words[1:], compose_grammar.GLOBAL_VALUED, True).args, compose_grammar
    return words, docker_grammar


def _docker(argv: list[str], fed: bool) -> str | None:
    words, _ = _docker_words(argv[0].rsplit("/", 1)[-1], argv[1:])
    verbs = [w for w in words if not w.startswith("-")]
    if len(verbs) >= 2 and verbs[1] == "prune":
        return f"docker {verbs[0]} prune removes objects of every project on the host"
    if verbs[:1] == ["rmi"] or verbs[:2] in (["image", "rm"], ["image", "remove"]):
        return "docker rmi removes images from the host"
    if verbs[:2] in (["volume", "rm"], ["volume", "remove"]):
        return "docker volume rm deletes data from the host"
    removes = verbs[:1] in (["rm"], ["down"]) or verbs[:2] == ["container", "rm"]
    if removes and ("--volumes" in words or "v" in _short_flags(["docker", *words])):
        return "removing containers with -v deletes their volumes"
    return None


def _kubectl_line(args: list[str]) -> KubectlLine | None:
    """The line split at its verb as kubectl splits it; None when kubectl would read it by
    other rules (the translator makes such a line "not executable": it never runs)."""
    try:
        return read_kubectl(args)
    except Unreadable:
        return None


def _kubectl_args(rest: list[str]) -> list[str]:
    """The arguments after kubectl's verb, its options taken out."""
    return options(rest, _KUBECTL_OPTIONS | {"-f", "--filename", "-o", "--output"}).args


def _kubectl(argv: list[str], fed: bool) -> str | None:
    line = _kubectl_line(argv[1:])
    if line is None:
        return None
    o = options([line.verb, *line.rest], _KUBECTL_OPTIONS | {"-f", "--filename", "-o", "--output"})
    if o.args[0] == "debug" and any(a.split("/")[0] in _KUBE_NODES for a in o.args[1:2]):
        return "kubectl debug node/… runs a pod in the host's namespaces with its files mounted"
    if o.args[0] in _KUBE_NODE_VERBS:
        return f"kubectl {o.args[0]} acts on a node: every namespace's pods, not the incident's"
    if o.args[:1] != ["delete"]:
        return None
    if {"--all", "--all-namespaces", "-A"} & (o.flags | set(argv)):
        return "kubectl delete --all removes every object of its kind"
    if "-f" in o.values or "--filename" in o.values:
        return "kubectl delete -f removes everything the file defines"
    kinds = {a.split("/")[0] for a in o.args[1:2]} | {a.split("/")[0] for a in o.args if "/" in a}
    for kind in kinds:
        for single in kind.split(","):
            if single not in _KUBE_KEEP:
                return f"kubectl delete {single} removes more than a pod"
    return None


def _http(argv: list[str], fed: bool) -> str | None:
    o = options(argv[1:], {"-X", "--request", "--method", "-H", "-d", "--data", "-o", "-u"})
    method = (o.values.get("-X") or o.values.get("--request") or "").upper()
    urls = [a for a in o.args if "/" in a]
    if o.values.get("--method", "").upper() == "DELETE":
        method = "DELETE"  # wget --method=DELETE
    if method == "DELETE" and not all(_SAFE_DELETE_PATH.search(u) for u in urls or [""]):
        return "HTTP DELETE removes data through the API"
    if any("_delete_by_query" in u or "/_flush" in u for u in urls):
        return "deletes documents through the API"
    return None


def _celery(argv: list[str], fed: bool) -> str | None:
    if {"purge", "queue.purge", "queue.delete"} & {a.lower() for a in argv}:
        return "celery purge throws away every queued task"
    return None


def _rabbitmq(argv: list[str], fed: bool) -> str | None:
    if {"purge_queue", "delete_queue", "reset", "force_reset", "delete_vhost"} & set(argv):
        return "rabbitmqctl throws away queues or their messages"
    return None


def _systemctl(argv: list[str], fed: bool) -> str | None:
    if {"stop", "restart", "disable", "kill", "mask"} & set(argv):
        return "systemctl stops or restarts host services"
    return None


def _helm(argv: list[str], fed: bool) -> str | None:
    if {"uninstall", "delete", "del", "un"} & set(argv[1:2]):
        return "helm uninstall removes a whole release"
    return None


def _terraform(argv: list[str], fed: bool) -> str | None:
    if "destroy" in argv or ("apply" in argv and "-destroy" in argv):
        return "terraform destroy removes infrastructure"
    return None
