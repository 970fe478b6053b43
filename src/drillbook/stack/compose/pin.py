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

from drillbook.errors import DrillbookError

# Global options that say which project: the drill's replace them. Each takes a value.
_PROJECT_OPTIONS = {"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file"}
_PROFILE = "--profile"  # the stack under test has its profiles chosen already
_VALUED = {*_PROJECT_OPTIONS, _PROFILE, "--ansi", "--progress", "--parallel"}


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
