"""Steps out of a section's prose and code blocks: commands, written waits, manual work.

    prose_steps("2. Restart it: `docker compose restart redis`", 14, Section.RESOLUTION)
    code_steps(block, Section.RESOLUTION)

Only diagnosis, resolution and verification hold steps; the other sections are read for
facts, never run.
"""

from __future__ import annotations

import re

from drillbook.runbooks.commands import POWERSHELL_LANGUAGES, block_lines
from drillbook.runbooks.durations import find_durations, sleep_seconds
from drillbook.runbooks.model import CodeBlock, Section, Step, StepKind

STEP_SECTIONS = {Section.DIAGNOSIS, Section.RESOLUTION, Section.VERIFICATION}
SHELL_LANGUAGES = {"", "bash", "sh", "shell", "console", "zsh", "cmd", "text"}
LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(?:\[[ xX]\]\s+)?(.*)$")
_INLINE_CODE = re.compile(r"`([^`]+)`")
_WAIT = re.compile(r"(?i)\b(?:wait|sleep|allow|give it)\b")
_SLEEP = re.compile(r"^(?:sleep|Start-Sleep(?:\s+-Seconds)?)\s+(\S+)\s*$")
_COMMAND_WORDS = {
    "docker",
    "docker-compose",
    "kubectl",
    "redis-cli",
    "psql",
    "pg_isready",
    "pg_dump",
    "pg_restore",
    "curl",
    "sleep",
    "systemctl",
    "helm",
    "git",
    "sudo",
}


def prose_steps(text: str, line: int, section: Section) -> list[Step]:
    """The steps a line of prose asks for: a written wait, inline commands, or a list item."""
    item = LIST_ITEM.match(text)
    body = item.group(1) if item else text.strip()
    steps: list[Step] = []
    wait = _WAIT.search(body)
    if wait:
        after = find_durations(body[wait.start() :])
        if after:
            steps.append(Step(StepKind.WAIT, body, line, section, wait_s=after[0]))
    codes = [c.strip() for c in _INLINE_CODE.findall(body)]
    commands = [c for c in codes if _looks_like_command(c, body)]
    shell = "powershell" if any(_powershell(c) for c in commands) else "sh"
    steps.extend(Step(StepKind.COMMAND, c, line, section, shell=shell) for c in commands)
    if item and not steps:
        steps.append(Step(StepKind.MANUAL, body, line, section))
    return steps


def code_steps(block: CodeBlock, section: Section) -> list[Step]:
    """One step per logical line of a shell block; a block of another language is manual."""
    language = block.language
    if language not in SHELL_LANGUAGES and language not in POWERSHELL_LANGUAGES:
        return [Step(StepKind.MANUAL, f"apply the {language} block by hand", block.line, section)]
    shell = "powershell" if language in POWERSHELL_LANGUAGES else "sh"
    steps: list[Step] = []
    for logical in block_lines(block.lines, block.line, shell):
        if logical.comment:
            seconds = find_durations(logical.text) if _WAIT.search(logical.text) else []
            if seconds:
                steps.append(Step(StepKind.WAIT, logical.text, logical.line, section, seconds[0]))
            continue
        sleep = _SLEEP.match(logical.text)
        wait_s = sleep_seconds(sleep.group(1)) if sleep else None
        if wait_s is not None:
            steps.append(Step(StepKind.WAIT, logical.text, logical.line, section, wait_s))
            continue
        steps.append(Step(StepKind.COMMAND, logical.text, logical.line, section, shell=shell))
    return steps


_PROGRAM_NAME = re.compile(r"^(?:[a-z0-9][\w.+-]*|[A-Z][a-z]+-[A-Z]\w+|\.{0,2}/[\w./-]+)$")
_POWERSHELL = re.compile(r"^(\.\\|[A-Z][a-z]+-[A-Z]\w+)")


def _powershell(command: str) -> bool:
    return bool(_POWERSHELL.match(command))


def _looks_like_command(code: str, context: str) -> bool:
    first = code.split()[0] if code.split() else ""
    if first in _COMMAND_WORDS or first.startswith(("./", ".\\")):
        return True
    # "Check memory: `Get-ComputerInfo ...`": code after a colon is what to run, when it
    # starts with a program's name (a quoted message, "Job {{ $labels.job }} failed", is not).
    return (
        " " in code
        and bool(_PROGRAM_NAME.match(first))
        and bool(re.search(rf":\s*`{re.escape(code)}`", context))
    )
