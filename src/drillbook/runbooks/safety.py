"""Which commands would destroy something beyond the incident: refused, never run.

The judgement is on the words of the command alone, so the linter and the executor agree.
"""

from __future__ import annotations

import re

from drillbook.runbooks.commands import CommandLine, SimpleCommand

_DOCKER_PRUNE = re.compile(r"^(system|image|volume|network|container|builder)$")
_SQL_DESTRUCTIVE = re.compile(r"(?i)\b(drop\s+(database|table|schema)|truncate\b)")
_HOST_PROGRAMS = {
    "iptables": "changes the host's firewall",
    "ip6tables": "changes the host's firewall",
    "nft": "changes the host's firewall",
    "shutdown": "stops the host",
    "reboot": "stops the host",
    "mkfs": "formats a disk",
    "sudo": "runs as root on the host",
}


def destructive(command: CommandLine) -> str | None:
    """Why running this command line could destroy more than the incident, or None."""
    for part in command.parts:
        reason = _simple_reason(part)
        if reason:
            return reason
    if _SQL_DESTRUCTIVE.search(command.text):
        return "drops or truncates data"
    return None


def _simple_reason(part: SimpleCommand) -> str | None:
    argv = [a.lower() for a in part.argv]
    if not argv:
        return None
    program = part.program.lower()
    if program in _HOST_PROGRAMS:
        return f"{program} {_HOST_PROGRAMS[program]}"
    if program == "rm" and any(_recursive_flag(a) for a in argv[1:]):
        return "rm -r deletes whole directory trees"
    if program == "rm" and any(a in ("/", "*", "/*") or "*" in a for a in argv[1:]):
        return "rm with a wildcard deletes more than it names"
    if program in ("docker", "docker-compose") and _docker_reason(argv):
        return _docker_reason(argv)
    if program == "systemctl" and any(a in ("stop", "restart", "disable") for a in argv):
        return "systemctl stops or restarts host services"
    if program == "kubectl" and len(argv) > 2 and argv[1] == "delete":
        kind = argv[2].split("/")[0]
        if kind in ("namespace", "ns", "pvc", "persistentvolumeclaim", "pv", "deployment"):
            return f"kubectl delete {kind} removes more than a pod"
    if "redis-cli" in argv:
        index = argv.index("redis-cli")
        if {"flushall", "flushdb"} & set(argv[index + 1 :]):
            return "FLUSHALL/FLUSHDB empties a Redis that other clients share"
    if program == "dd" and any(a.startswith("of=/dev/") for a in argv):
        return "dd writes over a device"
    return None


def _recursive_flag(arg: str) -> bool:
    if arg == "--recursive":
        return True
    return arg.startswith("-") and not arg.startswith("--") and "r" in arg.lower()


def _docker_reason(argv: list[str]) -> str | None:
    words = [a for a in argv[1:] if not a.startswith("-")]
    if len(words) >= 2 and _DOCKER_PRUNE.match(words[0]) and words[1] == "prune":
        return f"docker {words[0]} prune removes objects of every project on the host"
    if words and words[0] in ("rmi",):
        return "docker rmi removes images from the host"
    if len(words) >= 2 and words[0] in ("volume", "image") and words[1] == "rm":
        return f"docker {words[0]} rm deletes data from the host"
    if {"rm", "down"} & set(words) and any(a in ("-v", "--volumes") for a in argv):
        return "removing containers with -v deletes their volumes"
    return None
