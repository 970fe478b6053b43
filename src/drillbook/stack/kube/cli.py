"""kubectl's command line as kubectl itself reads it: the global options, the verb, the rest.

kubectl (cobra) finds its verb by skipping options: an option spelled without `=` takes the
next word as its value unless it is a boolean it knows, and an option it does not know (at
the top, before any verb) is taken to have a value too — so `kubectl --all namespaces
delete` runs `delete`, and `kubectl --kubeconfig /x delete namespace kube-system` deletes a
namespace. The safety analysis, the translator and the namespace pin all read a line through
`read_kubectl`, so they agree with kubectl and with each other on what the verb is.

Before the verb only kubectl's global options (`kubectl options`, v1.34) are read; any other
option there makes the line unreadable: kubectl would read it by rules drillbook does not
follow, so the line is "not executable" rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# `kubectl options`: every global option that takes a value (long spelling; short in SHORT).
GLOBAL_VALUED = frozenset(
    {
        "--as",
        "--as-group",
        "--as-uid",
        "--cache-dir",
        "--certificate-authority",
        "--client-certificate",
        "--client-key",
        "--cluster",
        "--context",
        "--kubeconfig",
        "--kuberc",
        "--log-flush-frequency",
        "--namespace",
        "--password",
        "--profile",
        "--profile-output",
        "--request-timeout",
        "--server",
        "--tls-server-name",
        "--token",
        "--user",
        "--username",
        "--v",
        "--vmodule",
    }
)
GLOBAL_BOOLEAN = frozenset(
    {
        "--disable-compression",
        "--insecure-skip-tls-verify",
        "--match-server-version",
        "--warnings-as-errors",
        "--help",
    }
)
SHORT = {"-n": "--namespace", "-s": "--server", "-v": "--v"}
# Short options that take a value in every kubectl command: in a bundle (`-lapp=web`) the
# rest of the word is that value. `-f` and `-p` are left out: a flag in `logs` (follow,
# previous), so in `logs -fnprod` the `n` is still read.
SHORT_VALUED = frozenset("olckLnsv")


class Unreadable(Exception):
    """A kubectl line whose verb cannot be told as kubectl would tell it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KubectlLine:
    """The words after `kubectl`: global options (as written), the verb, and what follows."""

    before: tuple[str, ...]
    verb: str
    rest: tuple[str, ...]


def read_kubectl(words: Sequence[str]) -> KubectlLine:
    """Split `words` (what follows `kubectl`) at the verb, as kubectl finds it."""
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            raise Unreadable("`--` before kubectl's verb")
        if not word.startswith("-") or word == "-":
            return KubectlLine(tuple(words[:index]), word, tuple(words[index + 1 :]))
        index += _global_width(word, index + 1 < len(words))
    raise Unreadable("kubectl without a verb")


def global_options(words: Sequence[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each global option in `words` (all global options): its long name, its value and
    the words it was written as (`-n prod` -> ("--namespace", "prod", ("-n", "prod")))."""
    found: list[tuple[str, str, tuple[str, ...]]] = []
    index = 0
    while index < len(words):
        word = words[index]
        name, value = _global_name(word)
        width = _global_width(word, index + 1 < len(words))
        if width == 2:
            value = words[index + 1]
        found.append((name, value, tuple(words[index : index + width])))
        index += width
    return found


def _global_name(word: str) -> tuple[str, str]:
    """The long name of a global option word and its attached value (`-nprod` -> namespace)."""
    if word.startswith("--"):
        name, _, value = word.partition("=")
        return name, value
    return SHORT[word[:2]], word[2:].removeprefix("=")


def _global_width(word: str, has_next: bool) -> int:
    """How many words the global option `word` spans (1 or 2); Unreadable if not global."""
    if word.startswith("--"):
        name, eq, _ = word.partition("=")
        if name in GLOBAL_BOOLEAN or (eq and name in GLOBAL_VALUED):
            return 1
        if name in GLOBAL_VALUED:
            if not has_next:
                raise Unreadable(f"{word} needs a value")
            return 2
    elif word[:2] in SHORT:
        if len(word) > 2:
            return 1  # -nprod, -n=prod, -v6
        if not has_next:
            raise Unreadable(f"{word} needs a value")
        return 2
    raise Unreadable(
        f"the option {word} before kubectl's verb is not one of kubectl's global options "
        "(kubectl would take the next word for its value); write options after the verb"
    )


def short_bundle(word: str) -> list[tuple[str, str]]:
    """The short options of one word as pflag reads them, each (`-x`, attached value).

    `-Rnprod` -> [(-R, ""), (-n, "prod")]; `-lapp=nginx` -> [(-l, "app=nginx")]. A letter
    drillbook does not know as taking a value is read as a flag, so that an `n`, `s` or `A`
    after it is still seen (reading too many options only ever takes out too much).
    """
    if word.startswith("--") or not word.startswith("-") or len(word) < 2:
        return []
    letters = word[1:]
    found: list[tuple[str, str]] = []
    for j, letter in enumerate(letters):
        if letter in SHORT_VALUED:
            found.append((f"-{letter}", letters[j + 1 :].removeprefix("=")))
            return found
        found.append((f"-{letter}", ""))
    return found
