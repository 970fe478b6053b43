"""The `drillbook` command line.

drillbook setup                 install/start Docker, make the base image, build images
drillbook images                build the stack's images (only those that changed)
drillbook stack up [--json]     start the stack and leave it running
drillbook stack status          what drillbook has running
drillbook stack down            remove it all
drillbook lint PATH...          check runbooks against the stack (exit 1 on errors)
drillbook faults list [--json]  every fault type a scenario can inject, with its parameters
drillbook run SCENARIO...       run scenario files as `pytest -m chaos` does, results written
drillbook drill SCENARIO        a game-day drill: live clock, --auto or --manual remediation
drillbook report                Markdown + HTML report of the results, trend and regressions
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from drillbook import __version__
from drillbook.errors import DrillbookError
from drillbook.interrupt import unwind_on_sigterm
from drillbook.runner import DEFAULT_LOCUSTFILE

DEFAULT_STACK = os.environ.get("DRILLBOOK_STACK", "fixtures/stack.yaml")


def _progress(message: str) -> None:
    # Progress goes to stderr so that --json output on stdout stays machine-readable.
    print(f"drillbook: {message}", file=sys.stderr, flush=True)


_DRILL_HELP = """\
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drillbook",
        description="Prove that runbooks restore service within their MTTR targets.",
    )
    parser.add_argument("--version", action="version", version=f"drillbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_stack(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--stack",
            default=DEFAULT_STACK,
            help=f"stack definition (default: {DEFAULT_STACK}, or $DRILLBOOK_STACK)",
        )
        p.add_argument(
            "--profile",
            default=None,
            metavar="NAME",
            help="a profile of the stack definition to lay over it (e.g. qdrant)",
        )
        return p

    setup = with_stack(
        sub.add_parser(
            "setup",
            help="install and start Docker, make the base image, build the stack's images",
            description="Everything a drill needs, each step only where missing. Installing the "
            "engine needs root and apt; elsewhere start Docker yourself first.",
        )
    )
    setup.add_argument(
        "--no-install",
        action="store_true",
        help="never install or start a Docker engine; fail if none answers",
    )

    with_stack(sub.add_parser("images", help="build the stack's images (unchanged ones are kept)"))

    stack = sub.add_parser("stack", help="start, inspect or remove a stack")
    stack_sub = stack.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = with_stack(
        stack_sub.add_parser(
            "up",
            help="start the stack and leave it running",
            description="Start every service, wait until ready, print the endpoints. "
            "The stack keeps running until `drillbook stack down`.",
        )
    )
    up.add_argument("--json", action="store_true", help="print endpoints as JSON on stdout")
    status = stack_sub.add_parser("status", help="list drillbook's running containers")
    status.add_argument("--json", action="store_true", help="print as JSON")
    down = stack_sub.add_parser(
        "down",
        help="remove stacks started by `stack up`, and leftovers of killed runs",
        description="Removes what `drillbook stack up` started and what killed runs left. "
        "Stacks of test runs still in progress are kept unless --all is given.",
    )
    down.add_argument(
        "--all", action="store_true", help="remove every container and network drillbook labelled"
    )
    lint = with_stack(
        sub.add_parser(
            "lint",
            help="check Markdown runbooks against the stack definition",
            description="Report, with file:line, what in the runbooks cannot work against the "
            "stack. Exit 0 when no finding is an error, 1 when one is, 2 on bad usage.",
        )
    )
    lint.add_argument("paths", nargs="+", metavar="PATH", help="Markdown files or folders")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    faults = sub.add_parser("faults", help="the fault types a scenario can inject")
    faults_sub = faults.add_subparsers(dest="action", required=True, metavar="ACTION")
    faults_list = faults_sub.add_parser("list", help="every fault type with its parameters")
    faults_list.add_argument("--json", action="store_true", help="print as JSON")

    def with_results(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--results",
            default="results",
            metavar="DIR",
            help="results directory (default: results)",
        )
        p.add_argument(
            "--history",
            default=None,
            metavar="FILE",
            help="history of runs (default: <results>/history.jsonl)",
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

    def with_load(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--locustfile",
            default=DEFAULT_LOCUSTFILE,
            metavar="PATH",
            help=f"locustfile of the load (default: {DEFAULT_LOCUSTFILE})",
        )
        return p

    run = with_load(
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
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario file or name")
    drill = with_load(
        with_results(
            with_stack(
                sub.add_parser(
                    "drill",
                    help="a game-day drill of one scenario, timed live",
                    description=_DRILL_HELP,
                    formatter_class=argparse.RawDescriptionHelpFormatter,
                    epilog="examples:\n"
                    "  drillbook drill redis-down            # own stack, runbook automated\n"
                    "  drillbook drill redis-down --manual   # people fix it, timed\n"
                    "  drillbook stack up && drillbook drill redis-down --target --yes",
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
    report = with_results(
        sub.add_parser(
            "report",
            help="write the Markdown and HTML report of the results",
            description="Per scenario: TTD/TTR against the MTTR target and the baseline, the "
            "trend over the history, a timeline plot. With --max-regression, exit 1 on a "
            "regression.",
        )
    )
    report.add_argument(
        "--out", default=None, metavar="DIR", help="report folder (default: <results>/report)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # A `kill` (or a CI job's timeout) must revert faults and remove stacks as Ctrl-C does.
    unwind_on_sigterm()
    try:
        return _dispatch(args)
    except DrillbookError as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("drillbook: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "setup":
        from drillbook.provision import provision

        provision(args.stack, _progress, install_engine=not args.no_install, profile=args.profile)
        return 0
    if args.command == "images":
        from drillbook.provision import provision

        provision(args.stack, _progress, install_engine=False, profile=args.profile)
        return 0
    if args.command == "lint":
        from drillbook.runbooks.cli import lint_command

        return lint_command(args.paths, args.stack, args.format)
    if args.command == "stack":
        return {"up": _stack_up, "status": _stack_status, "down": _stack_down}[args.action](args)
    if args.command == "faults":
        return _faults_list(args)
    if args.command == "report":
        return _report(args)
    if args.command in ("run", "drill"):
        return _run(args) if args.command == "run" else _drill(args)
    raise AssertionError(args.command)


def _recorder(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from drillbook.report.recorder import Recorder

    return Recorder.for_results(
        Path(args.results),
        history=args.history,
        baseline=args.baseline,
        max_regression_pct=args.max_regression,
    )


def _finish(recorder: Any) -> None:
    print()
    for line in recorder.table():
        print(line)
    for regression in recorder.regressions:
        print(f"regression: {regression.message}")


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from drillbook.runner import locustfile, reference_stack, resolve, run_files

    # Every input is checked before Docker starts.
    scenarios = [resolve(a) for a in args.scenarios]
    load = locustfile(args.locustfile)
    recorder = _recorder(args)
    with reference_stack(args.stack, args.profile, _progress) as stack:
        code = run_files(
            scenarios,
            stack,
            recorder,
            results=Path(args.results),
            locustfile=load,
            progress=_progress,
        )
    _finish(recorder)
    return code


def _drill(args: argparse.Namespace) -> int:
    from pathlib import Path

    from drillbook import gameday
    from drillbook.report.build import write_report
    from drillbook.report.recorder import format_table
    from drillbook.runner import (
        UNREMEDIATED,
        locustfile,
        reference_stack,
        resolve,
        run_and_record,
        target_stack,
    )

    if args.yes and args.target is None:
        raise DrillbookError("--yes confirms a --target drill", "add --target, or drop --yes")
    scenario = resolve(args.scenario)
    load = locustfile(args.locustfile)
    recorder = _recorder(args)
    results = Path(args.results)
    manual = bool(args.manual)
    print(f"=== drill {scenario.name} ({'manual' if manual else 'auto'}) ===")
    print(gameday.runbook_text(scenario))
    stacked = (
        reference_stack(args.stack, args.profile, _progress)
        if args.target is None
        else target_stack(args.stack, args.profile, args.target or None, _progress)
    )
    title = f"drill {scenario.name} ({'manual' if manual else 'auto'})"
    with stacked as stack:
        if args.target is not None:
            title += f" on running stack {stack.run_id}"
        url = stack.service(scenario.steady.service).url + scenario.steady.probe
        if args.target is not None:
            print(gameday.target_warning(stack, scenario, manual))
            if not args.yes and not gameday.confirmed("Go on?"):
                print("drill not started: nothing was changed")
                return 1
        if manual:
            print("Fix it by hand; the containers of this drill:")
            print(gameday.where_things_are(stack))
        status = gameday.LiveStatus(url).start()
        try:
            # A manual drill is not recorded (see _DRILL_HELP): it times people, not the runbook.
            result, regression = run_and_record(
                scenario,
                stack,
                recorder,
                results=results,
                locustfile=load,
                progress=gameday.drill_progress(scenario, status, _progress),
                remediate=not manual,
            )
        finally:
            status.stop()
    report = write_report(
        results / UNREMEDIATED if manual else results,
        out=gameday.drill_report_dir(results, scenario),
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


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from drillbook.report.build import write_report

    results = Path(args.results)
    report = write_report(
        results,
        out=Path(args.out) if args.out else None,
        history_path=Path(args.history) if args.history else None,
        baseline_path=Path(args.baseline) if args.baseline else None,
        max_regression_pct=args.max_regression,
    )
    print(f"{report.markdown}\n{report.html}")
    for message in report.regressions:
        print(f"regression: {message}", file=sys.stderr)
    return 1 if report.regressions else 0


def _faults_list(args: argparse.Namespace) -> int:
    from drillbook.faults import catalogue

    entries = catalogue()
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    for entry in entries:
        print(f"{entry['type']:20} {entry['category']:10} {entry['description']}")
        for p in entry["params"]:
            default = "required" if p["required"] else f"default {p['default']!r}"
            bounds = "/".join(str(p[k]) for k in ("min", "max") if k in p)
            choices = "|".join(p.get("choices", []))
            extra = ", ".join(
                x
                for x in (default, bounds and f"range {bounds}", choices and f"one of {choices}")
                if x
            )
            print(f"    {p['name']:16} {p['type']:8} {p['help']} ({extra})")
    return 0


def _stack_up(args: argparse.Namespace) -> int:
    from drillbook.runner import prepare
    from drillbook.stack import Stack

    spec, client = prepare(args.stack, args.profile, _progress)
    start = time.monotonic()
    stack = Stack(spec, mode="detached", progress=_progress, client=client).up()
    endpoints = stack.endpoints()
    if args.json:
        print(json.dumps(endpoints, indent=2))
    else:
        for name, endpoint in endpoints["services"].items():
            where = endpoint.get("url") or f"{endpoint['host']}:{endpoint['port']}"
            print(f"{name:12} {where}")
        print(
            f"stack {spec.name} up in {time.monotonic() - start:.1f} s; "
            "remove it with `drillbook stack down`"
        )
    return 0


def _stack_status(args: argparse.Namespace) -> int:
    from drillbook.stack import engine, labels

    client = engine.connect()
    rows: list[dict[str, Any]] = []
    for c in client.containers.list(all=True, filters=labels.managed_filter()):
        ports = [
            f"{b['HostIp']}:{b['HostPort']}" for bs in (c.ports or {}).values() for b in bs or []
        ]
        rows.append(
            {
                "run": c.labels.get(labels.RUN),
                "mode": c.labels.get(labels.MODE),
                "service": c.labels.get(labels.SERVICE),
                "status": c.status,
                "published": ports,
                "container": c.name,
            }
        )
    rows.sort(key=lambda r: (str(r["run"]), str(r["service"])))
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no drillbook containers")
    else:
        for r in rows:
            print(
                f"{r['run']}  {r['mode']:8} {r['service']:12} {r['status']:8} "
                f"{' '.join(r['published'])}"
            )
    return 0


def _stack_down(args: argparse.Namespace) -> int:
    from drillbook.stack import engine, reaper

    client = engine.connect()
    removed = reaper.remove_all(client) if args.all else reaper.remove_detached(client)
    _progress(f"removed {removed} containers and networks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
