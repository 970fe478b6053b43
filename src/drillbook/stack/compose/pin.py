"""A runbook's Compose line, pinned to the drill's project.

A runbook says `docker-compose -f docker-compose.production.yml restart api`: the file it
names is production's, the project the one on the author's machine. In a drill the same line
must act on the stack under test and nothing else, so the files, project name, project
directory and env files it gives are replaced by the drill's (`ComposeProject.command()`),
and the rest runs as written through the real Compose. Safety checks (destructive commands
refused) come before, on the line as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drillbook.errors import DrillbookError
from drillbook.stack.grammar import compose as grammar

# Global options that say which project: the drill's replace them. Each takes a value.
_PROJECT_OPTIONS = grammar.PROJECT_VALUED
_PROFILE = grammar.PROFILE
_VALUED = grammar.GLOBAL_VALUED
_EXEC_VALUED = grammar.EXEC_VALUED


def compose_words(argv: Sequence[str]) -> list[str] | None:
    """The words after `docker-compose` / `docker compose`, or None for another command."""
    if argv[:1] == ["docker-compose"]:
        return list(argv[1:])
    if list(argv[:2]) == ["docker", "compose"]:
        return list(argv[2:])
    return None


def pinned(argv: Sequence[str], project_command: Sequence[str]) -> list[str]:
    """`argv` (a Compose command line) as it runs on the drill's project.

    `project_command` is the drill's `docker compose -f ... -p NAME` prefix.
    """
    words = compose_words(argv)
    if words is None:
        raise DrillbookError(f"not a Compose command: {' '.join(argv)}")
    kept: list[str] = []
    subcommand = False
    index = 0
    while index < len(words):
        word = words[index]
        if not word.startswith("-"):
            kept.extend(words[index:])  # the subcommand and its own arguments, as written
            subcommand = True
            break
        name, has_value, _ = word.partition("=")
        if name in _VALUED and not has_value:
            if index + 1 >= len(words):
                raise DrillbookError(f"{name} needs a value in: {' '.join(argv)}")
            index += 1  # the value is the next word
            if name not in _PROJECT_OPTIONS and name != _PROFILE:
                kept.extend([word, words[index]])
        elif name not in _PROJECT_OPTIONS and name != _PROFILE:
            kept.append(word)
        index += 1
    if not subcommand:
        raise DrillbookError(f"no Compose subcommand in: {' '.join(argv)}")
    return [*project_command, *kept]


@dataclass(frozen=True)
class DrillLine:
    """A pinned Compose line as a drill runs it: no terminal, and whether it follows a log."""

    argv: tuple[str, ...]
    follows: bool  # `logs -f`: runs until stopped; a drill watches it for a moment, as a person


def drill_line(argv: Sequence[str], project_command: Sequence[str]) -> DrillLine:
    """`pinned(argv, project_command)`, with `exec` given `-T`: a drill has no terminal, and
    Compose would otherwise ask for one (`-it` written for a person's shell)."""
    command = pinned(argv, project_command)
    at = len(project_command)
    while command[at].startswith("-"):  # global options kept (--ansi never): to the subcommand
        at += 2 if command[at] in _VALUED else 1
    sub, rest = command[at], command[at + 1 :]
    if sub == "exec":
        # -i, -t and -it are a person's terminal; -T says there is none
        words = [w for w in rest[: _first_argument(rest)] if w not in ("-i", "-t", "-it", "-ti")]
        rest = ["-T", *[w for w in words if w != "-T"], *rest[_first_argument(rest) :]]
    follows = sub == "logs" and any(w in ("-f", "--follow") for w in rest)
    return DrillLine((*command[:at], sub, *rest), follows)


def _first_argument(words: Sequence[str]) -> int:
    """The index of exec's service name: the first word not an option or an option's value."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        name, has_value, _ = words[index].partition("=")
        index += 2 if name in _EXEC_VALUED and not has_value else 1
    return index
