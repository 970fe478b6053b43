"""`drillbook drill SCENARIO [--auto | --manual] [--target [RUN_ID]]`: a game-day drill.

The stack comes up, the load starts, the fault goes in, the runbook is shown and a live line
tells the time since the fault and what the service's readiness probe says, until it has
recovered. `--auto` follows the runbook through the executor; `--manual` leaves it to the
people at the keyboard and times them (the clock stops at the MTTR target). Ctrl-C reverts the
fault and removes the stack. A drill ends with its report (Markdown, HTML, timeline PNG).

With `--target` the drill runs on a stack already running instead (see
`drillbook.stack.docker.target`), after a confirmation; it reverts what it did and leaves the
containers running.
"""

from __future__ import annotations

import argparse
from typing import Any

from drillbook.cli.options import (
    project_of,
    recorder_of,
    say,
    with_judging,
    with_load,
    with_results,
    with_stack,
)
from drillbook.errors import DrillbookError

HELP = """\
Start the stack and the load, inject the fault, show the runbook and a live clock
with the service's state until it has recovered, then write a drill report.
Ctrl-C reverts the fault and removes the stack.

--auto drills are recorded as `drillbook run` records its scenarios. --manual
drills time people, not the runbook's automation: their result JSON goes to
<results>/unremediated/ and they stay out of the history, so that they never
become an automated run's baseline; the drill report holds their figures.

With --target, drill a stack that is already running instead: one started by
`drillbook stack up`, or your own containers, each labelled
    io.drillbook.managed=true  io.drillbook.run=RUN_ID  io.drillbook.service=NAME
(NAME: its service in --stack), on a network labelled io.drillbook.managed=true.
The drill asks before it starts (--yes: do not ask), reverts what it did, and
leaves the containers running.
"""


def register(sub: Any) -> None:
    drill = with_judging(
        with_load(
            with_results(
                with_stack(
                    sub.add_parser(
                        "drill",
                        help="a game-day drill of one scenario, timed live",
                        description=HELP,
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n"
                        "  drillbook drill redis-down            # own stack, runbook automated\n"
                        "  drillbook drill redis-down --manual   # people fix it, timed\n"
                        "  drillbook stack up && drillbook drill redis-down --target --yes",
                    )
                )
            )
        )
    )
    drill.add_argument("scenario", metavar="SCENARIO", help="scenario file or name")
    mode = drill.add_mutually_exclusive_group()
    mode.add_argument(
        "--auto", action="store_true", help="follow the runbook through the executor (default)"
    )
    mode.add_argument(
        "--manual",
        action="store_true",
        help="people follow the runbook by hand; the drill times them up to the MTTR target",
    )
    drill.add_argument(
        "--target",
        nargs="?",
        const="",
        default=None,
        metavar="RUN_ID",
        help="drill the running stack with this run id (see `drillbook stack status`); "
        "alone: the only one running",
    )
    drill.add_argument(
        "--yes",
        action="store_true",
        help="with --target: confirm without a prompt (needed where nobody can answer)",
    )
    drill.set_defaults(run=run_drill_command)


def run_drill_command(args: argparse.Namespace) -> int:
    from drillbook.cli import live
    from drillbook.drills.session import resolve, run_and_record
    from drillbook.outcome.recorder import format_table
    from drillbook.report.build import write_report
    from drillbook.stack.open import reference_stack, target_stack

    if args.yes and args.target is None:
        raise DrillbookError("--yes confirms a --target drill", "add --target, or drop --yes")
    where = project_of(args)
    scenario = resolve(args.scenario, where)
    where.require_locustfile()
    recorder = recorder_of(args, where)
    manual = bool(args.manual)
    print(f"=== drill {scenario.name} ({'manual' if manual else 'auto'}) ===")
    print(live.runbook_text(scenario))
    stacked = (
        reference_stack(where.stack, args.profile, say)
        if args.target is None
        else target_stack(where.stack, args.profile, args.target or None, say)
    )
    title = f"drill {scenario.name} ({'manual' if manual else 'auto'})"
    with stacked as stack:
        if args.target is not None:
            title += f" on running stack {stack.run_id}"
        url = stack.service(scenario.steady.service).url + scenario.steady.probe
        if args.target is not None:
            print(live.target_warning(stack, scenario, manual))
            if not args.yes and not live.confirmed("Go on?"):
                print("drill not started: nothing was changed")
                return 1
        if manual:
            print("Fix it by hand; the containers of this drill:")
            print(live.where_things_are(stack))
        status = live.LiveStatus(url).start()
        try:
            # A manual drill is not recorded (see HELP): it times people, not the runbook.
            result, regression = run_and_record(
                scenario,
                stack,
                recorder,
                where,
                [live.live_listener(status, say)],
                remediate=not manual,
                machine_only=args.machine_only,
                # containers this run did not create may hold what is real: never wipe them
                refuse_destructive=args.refuse_destructive or args.target is not None,
            )
        finally:
            status.stop()
    report = write_report(
        where.unremediated if manual else where.results,
        out=live.drill_report_dir(where.results, scenario),
        # A manual drill has no history of its own: compared only with a --baseline given.
        history_path=None if manual else recorder.history,
        baseline_path=recorder.baseline,
        max_regression_pct=args.max_regression,
        only={scenario.name},
        title=title,
    )
    print()
    for line in format_table(
        [row.current for row in report.rows],
        {row.name for row in report.rows if row.regression is not None},
    ):
        print(line)
    for message in report.regressions:
        print(f"regression: {message}")
    print(f"report: {report.markdown}\n        {report.html}")
    return 0 if result.passed and regression is None and not report.regressions else 1
