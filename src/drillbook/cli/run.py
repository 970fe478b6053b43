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
    run.set_defaults(run=run_scenarios)


def run_scenarios(args: argparse.Namespace) -> int:
    from drillbook.drills.events import printer
    from drillbook.drills.session import reference_stack, resolve, run_files

    where = project_of(args)
    # Every input is checked before Docker starts.
    scenarios = [resolve(a, where) for a in args.scenarios]
    where.require_locustfile()
    recorder = recorder_of(args, where)
    with reference_stack(where.stack, args.profile, say) as stack:
        code = run_files(
            scenarios, stack, recorder, where, [printer(say)], machine_only=args.machine_only
        )
    print_table(recorder)
    return code
