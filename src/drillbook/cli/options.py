"""Options several commands share, and the project they describe."""

from __future__ import annotations

import argparse
import sys

from drillbook import project
from drillbook.outcome.recorder import Recorder
from drillbook.project import Project


def say(message: str) -> None:
    """Progress to stderr, so that --json output on stdout stays machine-readable."""
    print(f"drillbook: {message}", file=sys.stderr, flush=True)


def with_stack(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument(
        "--stack",
        default=None,
        help=f"stack definition (default: {project.STACK_FILE} in the project, "
        "or $DRILLBOOK_STACK)",
    )
    p.add_argument(
        "--profile",
        default=None,
        metavar="NAME",
        help="a profile of the stack definition to lay over it (e.g. qdrant)",
    )
    return p


def with_results(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument(
        "--results",
        default=None,
        metavar="DIR",
        help=f"results directory (default: {project.RESULTS}/ in the project)",
    )
    p.add_argument(
        "--history",
        default=None,
        metavar="FILE",
        help=f"history of runs (default: <results>/{project.HISTORY})",
    )
    p.add_argument(
        "--baseline",
        default=None,
        metavar="FILE",
        help="compare with this history, result JSON or results directory "
        "(default: each scenario's previous run in the history)",
    )
    p.add_argument(
        "--max-regression",
        type=float,
        default=None,
        metavar="PCT",
        help="exit 1 when a TTR grew by more than PCT %% over the baseline, or a scenario "
        "that passed there fails now",
    )
    return p


def with_judging(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument(
        "--machine-only",
        action="store_true",
        help="judge recovery targets at the machine's pace, not a person's following the "
        "runbook as written",
    )
    p.add_argument(
        "--refuse-destructive",
        action="store_true",
        help="refuse runbook lines that destroy data (FLUSHALL, DROP TABLE, rm -r, ...) instead "
        "of running them inside the drill's containers and reporting what they destroyed",
    )
    return p


def with_load(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument(
        "--locustfile",
        default=None,
        metavar="PATH",
        help=f"locustfile of the load (default: {project.LOCUSTFILE} in the project)",
    )
    return p


def project_of(args: argparse.Namespace) -> Project:
    """The project the command works on: found from the working directory, options laid over."""
    return Project.at(
        stack=getattr(args, "stack", None),
        locustfile=getattr(args, "locustfile", None),
        results=getattr(args, "results", None),
    )


def recorder_of(args: argparse.Namespace, where: Project) -> Recorder:
    return Recorder.for_results(
        where.results,
        history=args.history,
        baseline=args.baseline,
        max_regression_pct=args.max_regression,
        repeats=getattr(args, "repeat", 1),
    )


def print_table(recorder: Recorder) -> None:
    print()
    for line in recorder.table():
        print(line)
    spread = recorder.spread_table()
    if spread:
        print()
        for line in spread:
            print(line)
    for regression in recorder.regressions:
        print(f"regression: {regression.message}")
