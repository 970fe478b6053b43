"""A runbook's kubectl line, pinned to the drill's cluster, context and namespace.

A runbook says `kubectl rollout restart deployment/langgraph-api -n rag7-prod`: the namespace
is production's, the context the author's. In a drill the same line must act on the drill's
namespace and nothing else, so every option that says where (`-n`, `--namespace`, `-A`,
`--all-namespaces`, `--context`, `--kubeconfig`, `--cluster`, `--user`, `-s`/`--server`,
`--token`, ...) is taken out and reported, and the drill's own are put first. Options after
`--` belong to the command run in a container (`kubectl exec POD -- redis-cli -n 0`) and are
kept. Safety checks come before, on the line as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Where a line acts: each takes a value, and the drill's replaces it.
_WHERE_VALUED = {
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--certificate-authority",
    "--client-certificate",
    "--client-key",
}
_WHERE_FLAGS = {"-A", "--all-namespaces", "--insecure-skip-tls-verify"}


@dataclass(frozen=True)
class KubeTarget:
    """Where a drill's kubectl acts: the binary, the kubeconfig, its context, the namespace."""

    kubectl: Path
    kubeconfig: Path
    context: str
    namespace: str

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
    """`words` (what follows `kubectl`) with the drill's target in place of the written one."""
    kept: list[str] = []
    replaced: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            kept.extend(words[index:])
            break
        name, has_value, _ = word.partition("=")
        attached = name.startswith("-n") and not name.startswith("--") and len(name) > 2
        if name in _WHERE_VALUED and not has_value and index + 1 < len(words):
            replaced.append(f"{word} {words[index + 1]}")
            index += 2
            continue
        if (name in _WHERE_VALUED and has_value) or word in _WHERE_FLAGS or attached:
            replaced.append(word)  # --namespace=prod, -A, -nprod
        else:
            kept.append(word)
        index += 1
    return PinnedLine((*target.command(), *kept), tuple(replaced))
