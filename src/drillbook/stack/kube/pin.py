"""A runbook's kubectl line, pinned to the drill's cluster, context and namespace.

A runbook says `kubectl rollout restart deployment/langgraph-api -n rag7-prod`: the namespace
is production's, the context the author's. In a drill the same line must act on the drill's
namespace and nothing else, so every option that says where (`-n`, `--namespace`, `-A`,
`--all-namespaces`, `--context`, `--kubeconfig`, `--cluster`, `--user`, `-s`/`--server`,
`--token`, ...), in every spelling kubectl reads (`-nprod`, `-Rn prod`, `-A=true`; see `cli`),
is taken out and reported, and the drill's own are put first. Options after `--` belong to
the command run in a container (`kubectl exec POD -- redis-cli -n 0`) and are kept. Safety
checks come before, on the line as written; and the line runs with the credentials of the
drill namespace's ServiceAccount (`credentials`), so a spelling missed here is Forbidden.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drillbook.stack.kube.cli import SHORT_VALUED, global_options, read_kubectl, short_bundle

# Where a line acts: each is replaced by the drill's (long spellings; `-n`, `-s` in cli.SHORT).
_WHERE_VALUED = {
    "--namespace",
    "--context",
    "--kubeconfig",
    "--kuberc",
    "--cluster",
    "--user",
    "--server",
    "--token",
    "--username",
    "--password",
    "--as",
    "--as-group",
    "--as-uid",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
    "--tls-server-name",
}
_WHERE_FLAGS = {"--all-namespaces", "--insecure-skip-tls-verify"}
_WHERE = _WHERE_VALUED | _WHERE_FLAGS
_WHERE_SHORT = {"-n", "-s", "-A"}


@dataclass(frozen=True)
class KubeTarget:
    """Where a drill's kubectl acts: the binary, the kubeconfig, its context, the namespace."""

    kubectl: Path
    kubeconfig: Path
    context: str
    namespace: str

    @staticmethod
    def env() -> dict[str, str]:
        """kubectl's environment: no user preferences file (kuberc aliases and defaults could
        change what a line does), no KUBECONFIG (the target's is given on the line)."""
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        return {**env, "KUBECTL_KUBERC": "false"}

    def command(self) -> list[str]:
        """The argv prefix every kubectl call of the drill starts with."""
        return [
            str(self.kubectl),
            "--kubeconfig",
            str(self.kubeconfig),
            "--context",
            self.context,
            "--namespace",
            self.namespace,
        ]


@dataclass(frozen=True)
class PinnedLine:
    """A kubectl line as it runs in the drill, and what of the written one was replaced."""

    argv: tuple[str, ...]
    replaced: tuple[str, ...]  # e.g. ("-n rag7-prod",): reported with the step

    def note(self, namespace: str) -> str:
        """One line for the step's output; empty when nothing was replaced."""
        if not self.replaced:
            return ""
        return f"[drillbook: {', '.join(self.replaced)} replaced by namespace {namespace}]"


def pin(words: Sequence[str], target: KubeTarget) -> PinnedLine:
    """`words` (what follows `kubectl`) with the drill's target in place of the written one.

    Raises cli.Unreadable for a line whose verb kubectl would find by other rules.
    """
    line = read_kubectl(words)
    groups = [(written, name in _WHERE) for name, _, written in global_options(line.before)]
    groups += [((line.verb,), False), *_after_verb(line.rest)]
    kept = [word for written, where in groups if not where for word in written]
    replaced = tuple(" ".join(written) for written, where in groups if where)
    return PinnedLine((*target.command(), *kept), replaced)


def _where(word: str) -> bool:
    name = word.partition("=")[0]
    if name.startswith("--"):
        return name in _WHERE
    return any(letter in _WHERE_SHORT for letter, _ in short_bundle(word))


def _after_verb(rest: Sequence[str]) -> list[tuple[tuple[str, ...], bool]]:
    """The words after the verb, grouped as an option and its value, each marked where-or-not.

    Options after `--` belong to the command run in a container (`kubectl exec POD --
    redis-cli -n 0`) and are kept as they are.
    """
    out: list[tuple[tuple[str, ...], bool]] = []
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--":
            out.append((tuple(rest[index:]), False))
            break
        width = 1 + _takes_next(word, index + 1 < len(rest))
        out.append((tuple(rest[index : index + width]), _where(word)))
        index += width
    return out


def _takes_next(word: str, has_next: bool) -> bool:
    """The next word is this option's value: a where option's, or a short one's ending a
    bundle (`-n prod`, `-Rn prod`, `-o json`), as pflag reads it."""
    if not has_next or not word.startswith("-") or word == "-":
        return False
    if word.startswith("--"):
        return "=" not in word and word in _WHERE_VALUED
    letter, value = short_bundle(word)[-1]
    return letter[1] in SHORT_VALUED and not value and not word.endswith("=")
