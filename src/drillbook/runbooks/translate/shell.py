"""What the shell itself does in a runbook line: sleep, and the filters of a pipe."""

from __future__ import annotations

import re

from drillbook.runbooks.actions import Action, Filter, Wait
from drillbook.runbooks.commands import SimpleCommand
from drillbook.runbooks.durations import sleep_seconds
from drillbook.runbooks.translate.context import Context
from drillbook.runbooks.translate.options import Cannot, integer, options


def sleep(ctx: Context, part: SimpleCommand) -> list[Action]:
    """`sleep 30`, `sleep 1m30s`: a written wait."""
    if len(part.argv) != 2:
        raise Cannot("sleep needs one duration", "syntax")
    seconds = sleep_seconds(part.argv[1])
    if seconds is None:
        raise Cannot(f"cannot read the sleep time {part.argv[1]!r}", "syntax")
    return [Wait(seconds)]


def pipe_filter(part: SimpleCommand) -> Filter:
    """A pipe stage after a command: grep [-i] [-v] [-E|-F] PATTERN, head, tail, wc -l."""
    program = part.program
    if program == "grep":
        return _grep(part)
    if program in ("head", "tail"):
        o = options(part.argv[1:], {"-n"})
        count = o.values.get("-n") or next((f[1:] for f in o.flags if f[1:].isdigit()), "10")
        return Filter(program, count=integer(count, "-n"))
    if program == "wc" and part.argv[1:] == ("-l",):
        return Filter("wc")
    raise Cannot(f"{program!r} in a pipe is not supported", "unknown")


def _grep(part: SimpleCommand) -> Filter:
    o = options(part.argv[1:], {"-e", "-m"})
    pattern = o.values.get("-e") or (o.args[0] if o.args else "")
    flags = "".join(f.lstrip("-") for f in o.flags if not f.startswith("--"))
    if not pattern or set(flags) - set("iEvF"):
        raise Cannot("only grep [-i] [-v] [-E] PATTERN is supported in a pipe", "unknown")
    if "F" in flags:
        pattern = re.escape(pattern)
    elif "E" not in flags:
        # Basic regular expressions spell alternation and groups with backslashes.
        pattern = re.sub(r"\\([|(){}+?])", r"\1", pattern)
    return Filter("grep", pattern, ignore_case="i" in flags, invert="v" in flags)
