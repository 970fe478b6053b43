"""`drillbook explore`: search overlapping faults for a schedule that breaks a promise."""

from __future__ import annotations

import argparse
from typing import Any

from drillbook.cli.options import project_of, say, with_load, with_stack
from drillbook.errors import DrillbookError


def register(sub: Any) -> None:
    p = with_load(
        with_stack(
            sub.add_parser(
                "explore",
                help="search schedules of overlapping faults; shrink what breaks to a scenario",
                description="Start the stack and its load, let Hypothesis draw schedules of "
                "faults (inject, revert, wait, run a runbook's resolution) and run each as a "
                "drill; a drill that breaks a promise (degraded modes, recovery, no fault left, "
                "acknowledged writes) is shrunk to the smallest that still does and written as a "
                "scenario `drillbook run` replays. Exit 1 when a promise was broken.",
            )
        )
    )
    p.add_argument("--minutes", type=float, default=10.0, help="wall-clock budget (default 10)")
    p.add_argument("--max-drills", type=int, default=100, metavar="N", help="at most N drills")
    p.add_argument("--seed", type=int, default=0, help="Hypothesis' seed (default 0)")
    p.add_argument(
        "--results",
        default=None,
        metavar="DIR",
        help="results directory; the scenario goes to <results>/explore/ (default: results/)",
    )
    p.add_argument(
        "--no-runbooks",
        action="store_true",
        help="leave the runbooks' resolutions out of the search",
    )
    p.set_defaults(run=run_explore)


def run_explore(args: argparse.Namespace) -> int:
    from drillbook.explore.search import Budget
    from drillbook.explore.session import explore
    from drillbook.stack.open import reference_stack

    if args.minutes <= 0 or args.max_drills < 1:
        raise DrillbookError("--minutes must be above 0 and --max-drills at least 1")
    where = project_of(args)
    where.require_locustfile()
    with reference_stack(where.stack, args.profile, say) as stack:
        explored = explore(
            stack,
            where,
            Budget(args.minutes * 60, args.max_drills),
            seed=args.seed,
            say=say,
            remediate=not args.no_runbooks,
        )
    if explored.scenario is not None:
        print(explored.scenario)
        return 1
    return 0
