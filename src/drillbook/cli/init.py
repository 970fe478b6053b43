"""`drillbook init`: starting scenarios from a team's stack and runbooks."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from drillbook.cli.options import project_of, say, with_stack
from drillbook.errors import DrillbookError


def register(sub: Any) -> None:
    init = with_stack(
        sub.add_parser(
            "init",
            help="write a starting scenario per incident of your runbooks",
            description="Read the runbooks against the stack (a Compose file or stack.yaml), "
            "guess each incident's fault from how it is named (service down -> kill, latency "
            "-> latency on its link, disk -> disk-fill, ...) and write one scenario per "
            "incident that could be guessed; list what could not be, and why. Existing "
            "files are kept unless --force.",
            epilog="example:\n  drillbook init --stack compose.yml --runbooks docs/runbooks",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    init.add_argument(
        "--runbooks",
        default=None,
        metavar="DIR",
        help="Markdown runbooks, a folder or a file (default: runbooks/ in the project)",
    )
    init.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="where the scenarios go (default: scenarios/ in the project)",
    )
    init.add_argument("--force", action="store_true", help="overwrite existing scenario files")
    init.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    from drillbook.project import find_root
    from drillbook.runbooks.parser import parse_file
    from drillbook.runbooks.repository import markdown_files
    from drillbook.scenarios.guess import guess_fault
    from drillbook.scenarios.starter import file_name, relative, scenario_text
    from drillbook.stack.definition import load_stack_spec

    where = project_of(args)
    source = Path(args.runbooks) if args.runbooks else where.runbooks
    if not source.exists():
        raise DrillbookError(f"no runbooks at {source}", "pass --runbooks DIR (a folder or file)")
    out = Path(args.out) if args.out else where.scenarios
    spec = load_stack_spec(where.stack, args.profile)
    written, kept, unguessed = 0, 0, []
    out.mkdir(parents=True, exist_ok=True)
    # A scenario names its runbook from its own project's root.
    root = find_root(out)
    for path in markdown_files([source]):
        for runbook in parse_file(path).runbooks:
            guess = guess_fault(runbook, spec)
            if guess.fault is None:
                unguessed.append(f"{path}:{runbook.line} {runbook.title!r}: {guess.problem}")
                continue
            target = out / file_name(guess)
            if target.exists() and not args.force:
                kept += 1
                continue
            target.write_text(scenario_text(guess, relative(path, root)), encoding="utf-8")
            written += 1
            print(f"{target}: {guess.fault[0]} ({guess.why})")
    for line in unguessed:
        print(f"not guessed: {line}")
    say(
        f"{written} scenarios written to {out}, {kept} kept as they were, "
        f"{len(unguessed)} incidents not guessed; run them with "
        f"`{run_command(args, out)}`"
    )
    return 0


def run_command(args: argparse.Namespace, out: Path) -> str:
    """The `drillbook run` line that runs what init wrote, as printed: with the stack (and
    profile) init read them against, which a default would not find."""
    words = ["drillbook", "run"]
    if args.stack:
        words += ["--stack", str(args.stack)]
    if getattr(args, "profile", None):
        words += ["--profile", str(args.profile)]
    return " ".join([*map(shlex.quote, words), f"{shlex.quote(str(out))}/*.yaml"])
