"""The `drillbook` command line: one module per command, each registering its own parser.

drillbook setup                 install/start Docker, make the base image, build images
drillbook init                  a starting scenario per incident of your runbooks
drillbook images                build the stack's images (only those that changed)
drillbook stack up [--json]     start the stack and leave it running
drillbook stack status          what drillbook has running
drillbook stack down            remove it all
drillbook cluster up|status|down  a single-node Kubernetes cluster on this machine
drillbook lint PATH...          check runbooks against the stack (exit 1 on errors)
drillbook runbooks show PATH... what drillbook understood of runbooks (--json)
drillbook faults list [--json]  every fault type a scenario can inject, with its parameters
drillbook run SCENARIO...       run scenario files as `pytest -m chaos` does, results written
drillbook drill SCENARIO        a game-day drill: live clock, --auto or --manual remediation
drillbook audit RUNBOOK         which steps matter: a drill with each step left out
drillbook explore               search overlapping fault schedules, shrink what breaks
drillbook report                Markdown + HTML report of the results, trend and regressions
drillbook clean [--yes]         what set-up left on this machine, with sizes; --yes removes it

Commands find the project (stack file, scenarios/, runbooks/, load_tests/, results/) from any
folder inside it; see `drillbook.project`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from drillbook._version import __version__
from drillbook.cli import (
    audit,
    clean,
    cluster,
    drill,
    explore,
    faults,
    init,
    lint,
    report,
    run,
    runbooks,
    setup,
    stack,
)
from drillbook.drills.interrupt import unwinding
from drillbook.errors import DrillbookError

COMMANDS = (
    setup,
    init,
    stack,
    cluster,
    lint,
    runbooks,
    faults,
    run,
    drill,
    audit,
    explore,
    report,
    clean,
)


def parser() -> argparse.ArgumentParser:
    """The command line's parser; each command module adds its own sub-command."""
    top = argparse.ArgumentParser(
        prog="drillbook",
        description="Prove that runbooks restore service within their MTTR targets.",
    )
    top.add_argument("--version", action="version", version=f"drillbook {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        # A `kill` (or a CI job's timeout) must revert faults and remove stacks as Ctrl-C does.
        with unwinding():
            code: int = args.run(args)
    except DrillbookError as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("drillbook: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `drillbook ... | head`: the reader has all it wanted. Python would report the pipe
        # again when it flushes stdout at exit, so stdout goes nowhere from here on.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a command ended by SIGPIPE
    return code
