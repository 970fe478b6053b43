"""What a kubectl line reaches besides the cluster: the host's files, programs and network.

kubectl runs on the host, so some of its own options read or write the host's files (`cp`,
`-f FILE`, `--from-file`, `-o go-template-file=`, `--profile-output`, `--cache-dir`), fetch
from the internet (`apply -f https://…`, `apply -k github.com/…`), run a host program (an
unknown verb runs the plugin `kubectl-VERB` from PATH) or rewrite the kubeconfig (`config`).
A drill's line acts on the cluster only: such lines are "not executable".
"""

from __future__ import annotations

from collections.abc import Sequence

from drillbook.runbooks.translate.options import Cannot
from drillbook.stack.kube.cli import KubectlLine, global_options, short_bundle

# `kubectl --help`, v1.34: any other verb is looked for as a plugin program on the host.
VERBS = frozenset(
    [
        "create",
        "expose",
        "run",
        "set",
        "explain",
        "get",
        "edit",
        "delete",
        "rollout",
        "scale",
        "autoscale",
        "certificate",
        "cluster-info",
        "top",
        "cordon",
        "uncordon",
        "drain",
        "taint",
        "describe",
        "logs",
        "attach",
        "exec",
        "port-forward",
        "proxy",
        "cp",
        "auth",
        "debug",
        "events",
        "diff",
        "apply",
        "patch",
        "replace",
        "wait",
        "kustomize",
        "label",
        "annotate",
        "completion",
        "api-resources",
        "api-versions",
        "config",
        "plugin",
        "version",
    ]
)
_HOST_VERBS = {
    "config": "reads and rewrites kubeconfig files on the host (and prints their keys)",
    "cp": "copies files between the host and a pod",
    "kustomize": "reads a folder of the host",
    "plugin": "looks for programs on the host",
}
# Options that name a file (or folder) of the host, read or written by kubectl itself.
_FILE_OPTIONS = {
    "--filename",
    "--kustomize",
    "--from-file",
    "--from-env-file",
    "--cache-dir",
    "--profile",
    "--profile-output",
    "--kuberc",
    "--cert",
    "--key",
    "--custom",
    "--output-directory",
}
_NETWORK_RULE = (
    "the network rule lets a drill reach only 127.0.0.1 and its own run's containers and pods"
)


def refuse_outside_reach(line: KubectlLine) -> None:
    """Cannot (problem "host-file", or "unknown" for a plugin) for a line reaching the host."""
    if line.verb not in VERBS:
        raise Cannot(
            f"kubectl {line.verb} is no kubectl command: kubectl would run a plugin program "
            f"kubectl-{line.verb} from the host",
            "unknown",
        )
    if line.verb in _HOST_VERBS:
        raise Cannot(f"kubectl {line.verb} {_HOST_VERBS[line.verb]}", "host-file")
    for name, value, _ in global_options(line.before):
        if name in _FILE_OPTIONS:
            raise Cannot(_file_reason(name, value), "host-file")
    words = line.rest[: line.rest.index("--")] if "--" in line.rest else line.rest
    for index, word in enumerate(words):
        found = _file_option(line.verb, word, words[index + 1 : index + 2])
        if found is not None:
            raise Cannot(_file_reason(*found), "host-file")


def _file_option(verb: str, word: str, following: Sequence[str]) -> tuple[str, str] | None:
    """(option, value) when `word` is an option naming a host file; `following` is the next
    word (the value of an option written without `=`)."""
    if not word.startswith("-") or word == "-":
        return None
    name, eq, attached = word.partition("=")
    nxt = following[0] if following else ""
    if name.startswith("--"):
        value = attached if eq else nxt
        if name == "--profile" and verb == "debug":
            return None  # debug's own option: a debugging profile (Pod Security judges it)
        if name in _FILE_OPTIONS and not (name == "--filename" and value == "-"):
            return name, value
        if name == "--output" and "file" in value:
            return name, value
        return None
    letters = [letter for letter, _ in short_bundle(word)]
    if "-k" in letters:
        return "-k", word.partition("k")[2].removeprefix("=") or nxt
    if "-f" in letters and verb != "logs":  # `logs -f` follows; everywhere else -f is a file
        value = word[2:].removeprefix("=") if word.startswith("-f") else ""
        value = value or nxt
        return None if word in ("-f", "-f=-", "-f-") and value == "-" else ("-f", value)
    if "-o" in letters and "file" in (word.partition("o")[2].removeprefix("=") or nxt):
        return "-o", word.partition("o")[2] or nxt
    return None


def _file_reason(option: str, value: str) -> str:
    remote = "://" in value or value.startswith(("github.com/", "git@", "gitlab.com/"))
    if remote:
        return f"kubectl {option} {value} fetches from the network; {_NETWORK_RULE}"
    return (
        f"kubectl {option} {value} reads or writes a file on the host; a drill's kubectl line "
        "acts on the cluster only (give a manifest's change as `kubectl patch`, `set`, `scale`)"
    )
