"""`drillbook run SCENARIO...`: scenario files run as `pytest -m chaos` runs them."""

from __future__ import annotations

import argparse
from typing import Any

from drillbook.cli.options import (
    print_table,
    project_of,
    recorder_of,
    say,
    with_judging,
    with_load,
    with_results,
    with_stack,
)
from drillbook.errors import DrillbookError


def register(sub: Any) -> None:
    run = with_judging(
        with_load(
            with_results(
                with_stack(
                    sub.add_parser(
                        "run",
                        help="run scenario files without pytest (results, history, gate)",
                        description="Start the stack, run each scenario as its pytest item does, "
                        "write <results>/<scenario>.json and append to the history. Exit 1 when a "
                        "scenario fails or regressed.",
                    )
                )
            )
        )
    )
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario file or name")
    run.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run every scenario N times on the same stack: TTD/TTR p50/p90/max and the pass "
        "rate; with --max-regression the gate judges the pass rate and the p90 TTR",
    )
    run.set_defaults(run=run_scenarios)


def run_scenarios(args: argparse.Namespace) -> int:
    from drillbook.drills.events import printer
    from drillbook.drills.session import resolve, run_files
    from drillbook.stack.open import any_stack

    if args.repeat < 1:
        raise DrillbookError(f"--repeat must be 1 or more, got {args.repeat}")
    where = project_of(args)
    # Every input is checked before Docker starts.
    scenarios = [resolve(a, where) for a in args.scenarios]
    where.require_locustfile()
    recorder = recorder_of(args, where)
    with any_stack(where.stack, args.profile, say) as stack:
        code = run_files(
            [s for s in scenarios for _ in range(args.repeat)],
            stack,
            recorder,
            where,
            [printer(say)],
            machine_only=args.machine_only,
            refuse_destructive=args.refuse_destructive,
        )
    regressions = recorder.finish()
    print_table(recorder)
    return 1 if code or regressions else 0
