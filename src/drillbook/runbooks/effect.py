"""What a command does to the system: does it only look, or does it change something?

    effect("kubectl -n rag get pods")                  -> LOOKS
    effect("sudo systemctl restart gitaly")            -> CHANGES
    effect("docker compose exec redis redis-cli INFO") -> LOOKS   (judged inside the wrapper)
    effect("./fix-it.sh")                              -> UNKNOWN

A step's role follows from it: a read-only check is a diagnosis (or, after a fix, a
verification), never the fix. The judgement is per program and, for the tools that are
many programs in one (kubectl, docker, systemctl, redis-cli, SQL clients, curl), per verb;
a line is only as harmless as its most active part, and a redirection into a file writes.
What is not known stays UNKNOWN rather than guessed.
"""

from __future__ import annotations

import re

from drillbook.runbooks.commands import SimpleCommand, parse_command
from drillbook.runbooks.safety import unwrapped

LOOKS = "looks"
CHANGES = "changes"
UNKNOWN = "unknown"


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Programs that only read, whatever their arguments (a few are caught below when they write).
_READERS = _words_of(
    "cat less more head tail grep egrep fgrep zgrep rg ls ll df du free top htop ps pgrep"
    " ss netstat ping traceroute tracepath mtr dig nslookup host uptime vmstat iostat mpstat"
    " sar lsof wc jq yq awk cut sort uniq tr echo printf which whoami id date env printenv"
    " stat file lsblk blkid findmnt dmesg journalctl uname hostname nproc getent curl wget"
    " http openssl nc telnet watch diff md5sum sha256sum base64 column pg_isready promtool"
    " amtool iotop iftop nmap tcpdump strace perf true test ["
)
_WRITERS = _words_of(
    "rm rmdir mv cp ln kill pkill killall reboot shutdown halt poweroff mkfs mkdir touch"
    " chmod chown truncate dd tee apt apt-get yum dnf apk pip pip3 npm brew gem install"
    " useradd usermod passwd crontab mount umount swapoff swapon sync fsck ifdown ifup patch"
    " terraform ansible-playbook knife chef-client puppet gitlab-ctl gitlab-rake"
    " supervisorctl pg_ctl pg_ctlcluster pg_resetwal pg_restore pg_dump vacuumdb reindexdb"
    " createdb dropdb redis-server nginx"
)
# Tools with verbs: the verbs that only look.
_LOOKING_VERBS = {
    "kubectl": _words_of(
        "get describe logs top explain api-resources api-versions version cluster-info events"
        " auth config diff wait"
    ),
    "oc": _words_of(
        "get describe logs top explain status whoami version project projects api-resources wait"
    ),
    "docker": _words_of("ps logs inspect stats top images version info port events history ls"),
    "systemctl": _words_of(
        "status is-active is-enabled is-failed list-units show cat list-timers list-unit-files"
    ),
    "service": _words_of("status"),
    "helm": _words_of("list ls status get history show search template lint"),
    "git": _words_of("log status diff show branch remote blame fetch rev-parse"),
    "gcloud": _words_of("list describe get info config"),
    "aws": _words_of("describe list get"),
    "az": _words_of("list show get"),
}
_COMPOSE_LOOKING = _words_of("ps logs top config images ls port version events stats")
_REDIS_LOOKING = _words_of(
    "ping info get mget keys scan ttl pttl type dbsize exists llen lrange scard smembers hget"
    " hgetall hlen zcard zrange strlen memory slowlog latency monitor client config cluster role"
    " lastsave time --stat --bigkeys --latency --scan"
)
_REDIS_WRITING_SUB = {
    ("client", "kill"), ("config", "set"), ("slowlog", "reset"), ("cluster", "failover"),
    ("memory", "purge"),
}  # fmt: skip
_SQL_CLIENTS = _words_of("psql mysql mariadb sqlite3 clickhouse-client cqlsh mongosh")
_SQL_LOOKS = re.compile(r"(?is)^\s*(?:select|show|explain|with|table|\\[a-z]|describe|desc)\b")
_SQL_CHANGES_ANYWAY = re.compile(
    r"(?i)\bpg_(?:terminate|cancel)_backend|\bpg_reload_conf|\bset_config|\bnextval|\binto\b"
)
_VALUED = _words_of(
    "-n -l -c -o -f --namespace --context --selector --container --output"
)  # kubectl options whose value is no verb
_HTTP_WRITES = re.compile(
    r"(?i)^(?:-X|--request)=?(?:POST|PUT|PATCH|DELETE)$|^(?:-d|--data\S*|-F|--form|-T|--upload-file)$"
)
_ORDER = {LOOKS: 0, UNKNOWN: 1, CHANGES: 2}


_PLACEHOLDER = re.compile(r"<([A-Za-z][\w.-]*)>")


def effect(text: str, shell: str = "sh") -> str:
    """LOOKS, CHANGES or UNKNOWN for one command line."""
    # `kubectl describe job <job>`: a blank to fill, not a redirection into a file
    line = parse_command(_PLACEHOLDER.sub(r"_\1_", text), 0, shell)
    if line.error or not line.parts:
        return UNKNOWN
    found = [_part(part.argv, 0) for part in line.parts]
    if any(
        target not in ("/dev/null", "") and not target.startswith("&") for target in line.redirects
    ):
        found.append(CHANGES)
    return max(found, key=_ORDER.__getitem__)


def _words(argv: tuple[str, ...] | list[str]) -> list[str]:
    """The arguments that are not options (nor an option's `=value`)."""
    return [a for a in argv if not a.startswith("-")]


def _part(argv: tuple[str, ...] | list[str], depth: int) -> str:
    if not argv or depth > 4:
        return UNKNOWN
    program = argv[0].rsplit("/", 1)[-1]
    args = list(argv[1:])
    # `docker run`, `kubectl run|debug` start something, whatever they run inside it.
    verb = [w for w in _words(args) if w not in _option_values(args)][:1]
    starts = verb == ["run"] or (verb == ["debug"] and program in ("kubectl", "oc"))
    inner = [] if starts else unwrapped(SimpleCommand(tuple(argv)))
    if inner:
        found = [effect(w) if isinstance(w, str) else _part(w, depth + 1) for w in inner]
        return max(found, key=_ORDER.__getitem__)
    if program in ("docker", "docker-compose", "podman"):
        return _docker(program, args)
    if program in ("kubectl", "oc"):
        return _kubectl(program, args)
    if program in ("redis-cli", "valkey-cli"):
        return _redis(args)
    if program in _SQL_CLIENTS:
        return _sql(args)
    if program in ("curl", "wget", "http", "https"):
        return _http(args)
    if program == "knife" and args[:1] == ["ssh"] and len(_words(args)) > 2:
        return effect(_words(args)[2])  # knife ssh QUERY 'COMMAND': judged on the command
    if program in ("gitlab-ctl", "supervisorctl", "service") and set(args) & {"status", "tail"}:
        return LOOKS
    if program in ("sed", "perl") and any(a.startswith("-i") for a in args):
        return CHANGES
    if program == "find":
        return CHANGES if {"-delete", "-exec", "-execdir"} & set(args) else LOOKS
    if program == "sysctl":
        return CHANGES if "-w" in args or any("=" in a for a in args) else LOOKS
    if program in _READERS:
        return LOOKS
    if program in _WRITERS:
        return CHANGES
    if program in ("aws", "gcloud", "az"):
        return _cloud(args)
    verbs = _LOOKING_VERBS.get(program)
    if verbs is not None:
        words = _words(args)
        return (
            LOOKS
            if words
            and (
                words[0] in verbs
                or (len(words) > 1 and words[1] in verbs)
                or any(w in verbs for w in words[:3])
            )
            else CHANGES
        )
    return UNKNOWN


_CLOUD_LOOKS = re.compile(r"^(?:describe|list|get|show|ls|wait|info|lookup|search)(?:-|$)")


def _cloud(args: list[str]) -> str:
    """`aws ec2 describe-instances`, `aws s3 ls`, `gcloud compute instances list`: looks."""
    words = _words(args)[:4]
    return LOOKS if any(_CLOUD_LOOKS.match(w) for w in words[1:] or words) else CHANGES


def _http(args: list[str]) -> str:
    for index, arg in enumerate(args):
        method = args[index + 1] if arg in ("-X", "--request") and index + 1 < len(args) else ""
        if _HTTP_WRITES.match(arg) or method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            return CHANGES
    return LOOKS


def _docker(program: str, args: list[str]) -> str:
    words = _words(args)
    if program == "docker-compose" or (words and words[0] == "compose"):
        rest = words[1:] if words and words[0] == "compose" else words
        if not rest:
            return UNKNOWN
        return LOOKS if rest[0] in _COMPOSE_LOOKING else CHANGES
    if not words:
        return UNKNOWN
    if words[0] in ("container", "image", "volume", "network", "system") and len(words) > 1:
        words = words[1:]
    return LOOKS if words[0] in _LOOKING_VERBS["docker"] else CHANGES


def _kubectl(program: str, args: list[str]) -> str:
    words = [w for w in _words(args) if w not in _option_values(args)]
    if not words:
        return UNKNOWN
    if words[0] == "rollout":
        return LOOKS if len(words) > 1 and words[1] in ("status", "history") else CHANGES
    return LOOKS if words[0] in _LOOKING_VERBS[program] else CHANGES


def _option_values(args: list[str]) -> set[str]:
    """Values of -n/-l/-c/-o options: not verbs."""
    return {args[i + 1] for i, a in enumerate(args[:-1]) if a in _VALUED}


def _redis(args: list[str]) -> str:
    words = []
    skip = False
    for a in args:
        if skip:
            skip = False
        elif a in ("-h", "-p", "-a", "-n", "--user", "--pass", "-u"):
            skip = True
        elif a.startswith("-") and a.lower() not in _REDIS_LOOKING:
            continue
        else:
            words.append(a.lower())
    if not words:
        return LOOKS  # an interactive session: what is typed is not written here
    if tuple(words[:2]) in _REDIS_WRITING_SUB:
        return CHANGES
    return LOOKS if words[0] in _REDIS_LOOKING else CHANGES


def _sql(args: list[str]) -> str:
    for flag in ("-c", "--command", "-e", "--execute", "-q", "--query"):
        if flag in args and args.index(flag) + 1 < len(args):
            script = args[args.index(flag) + 1]
            statements = [s for s in script.split(";") if s.strip()]
            if _SQL_CHANGES_ANYWAY.search(script):
                return CHANGES
            return LOOKS if statements and all(_SQL_LOOKS.match(s) for s in statements) else CHANGES
    return UNKNOWN  # an interactive session or a script file: what it runs is elsewhere
