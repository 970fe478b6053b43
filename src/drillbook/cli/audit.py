"""`drillbook audit RUNBOOK --scenario S`: which of a runbook's resolution steps matter.

The scenario's drill runs once as written, once without each resolution step and once with
none, on one stack, and each step is classified required, helpful, no effect or harmful
(see `drillbook.drills.audit`). Every drill's result goes to `<results>/audit/<scenario>/`,
never into the history: a runbook with steps left out is not the runbook, and its figures
must not become a baseline.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from drillbook.cli.options import project_of, say, with_load, with_stack
from drillbook.errors import DrillbookError
from drillbook.project import Project
from drillbook.runbooks.model import Runbook

HELP = """\
Run the scenario's drill once with RUNBOOK as written, once with each of its
resolution steps left out, and once with none of them, on one stack, and say what
each step does for recovery:

  required   without it the service does not recover within the target
  helpful    without it recovery is slower, or users see a higher error rate / p95
  no effect  the difference stays within the noise of the drills
  harmful    without it recovery is faster, or users see a lower error rate / p95

The runbook is drilled as written twice (first and last): a drill without a step
differs when it falls outside the range of those two by more than max(2 probe
periods, 20 %) of the TTR, max(2 points, 20 %) of the incident's error rate, or
max(200 ms, 20 %) of its p95 latency. Drills are judged at the machine's pace
(leaving a step out always saves a person's time).

Before it starts, the audit says how many drills it runs and how long they take;
--max-drills and --budget cap it. Results: <results>/audit/<scenario>/ (one folder
per drill, and audit.json), never in the history. Exit 1 when a step is harmful.
"""


def register(sub: Any) -> None:
    audit = with_load(
        with_stack(
            sub.add_parser(
                "audit",
                help="which runbook steps matter: a drill with each step left out",
                description=HELP,
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="example:\n"
                "  drillbook audit runbooks/redis-down.md --scenario redis-down --budget 15",
            )
        )
    )
    audit.add_argument("runbook", metavar="RUNBOOK", help="runbook file, or file.md#id")
    audit.add_argument(
        "--scenario", required=True, metavar="S", help="scenario file or name: fault, load, target"
    )
    audit.add_argument(
        "--results",
        default=None,
        metavar="DIR",
        help="results directory (default: results/ in the project)",
    )
    audit.add_argument(
        "--max-drills", type=_positive_int, default=None, metavar="N", help="run at most N drills"
    )
    audit.add_argument(
        "--budget",
        type=_positive_float,
        default=None,
        metavar="MINUTES",
        help="start no drill that could end after MINUTES of wall time",
    )
    audit.add_argument("--json", action="store_true", help="print the audit as JSON")
    audit.set_defaults(run=run_audit_command)


def run_audit_command(args: argparse.Namespace) -> int:
    from drillbook.drills import audit as auditing
    from drillbook.drills.scenario import run_scenario, target_of
    from drillbook.drills.session import resolve
    from drillbook.drills.steprole import Role
    from drillbook.stack.open import reference_stack

    where = project_of(args)
    scenario = resolve(args.scenario, where)
    runbook = _runbook(args.runbook, scenario.runbook)
    if scenario.expect.recover_within_s is None and runbook.mttr_s is None:
        raise DrillbookError(
            f"{runbook.path}:{runbook.line}: runbook {runbook.id} has no MTTR target and "
            f"scenario {scenario.name} sets no expect.recover_within",
            "give the runbook an mttr in its front matter, or the scenario a recover_within",
        )
    scenario = dataclasses.replace(scenario, runbook=runbook)
    plan = auditing.plan_audit(scenario, runbook, target_of(scenario))
    if not plan.steps:
        raise DrillbookError(
            f"{runbook.path}:{runbook.line}: runbook {runbook.id} has no resolution step a "
            "drill can leave out",
            f"`drillbook lint {runbook.path}` shows what drillbook reads in it",
        )
    budget = auditing.Budget(args.max_drills, args.budget)
    count = min(len(plan.drills), budget.max_drills or len(plan.drills))
    estimate = auditing.estimate(plan, count, _last_ttr(where, scenario.name))
    say(f"audit of {runbook.id} with scenario {scenario.name}: {estimate.line()}")
    if budget.minutes is not None:
        say(f"budget: {budget.minutes:g} min")
    locustfile = where.require_locustfile()
    folder = where.results / "audit" / scenario.name

    with reference_stack(where.stack, args.profile, say) as stack:

        def drill(d: auditing.AuditDrill) -> tuple[Any, str]:
            variant = dataclasses.replace(scenario, runbook=d.runbook(runbook))
            out = folder / d.slug
            result = run_scenario(
                variant, stack, locustfile=locustfile, out_dir=out, machine_only=True
            )
            return result, str(out / f"{variant.name}.json")

        audit = auditing.run_audit(plan, drill, budget, progress=say)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audit.json").write_text(json.dumps(audit.as_json(), indent=2) + "\n")
    if args.json:
        print(json.dumps(audit.as_json(), indent=2))
    else:
        print("\n".join(auditing.table(audit)))
        print(f"\naudit: {folder / 'audit.json'}")
    return 1 if any(r.role is Role.HARMFUL for r in audit.rows) else 0


def _runbook(argument: str, scenario_runbook: Runbook | None) -> Runbook:
    """The runbook of `file.md` or `file.md#id`: the id given, the file's only one, or the
    one of the scenario's id."""
    from drillbook.runbooks.parser import parse_file

    ref, _, wanted = argument.partition("#")
    path = Path(ref)
    if not path.is_file():
        raise DrillbookError(f"runbook {ref} not found", "give the path of a Markdown runbook")
    runbooks = parse_file(path).runbooks
    wanted = wanted or (
        scenario_runbook.id
        if len(runbooks) > 1 and scenario_runbook is not None
        else (runbooks[0].id if len(runbooks) == 1 else "")
    )
    chosen = next((r for r in runbooks if r.id == wanted), None)
    if chosen is None:
        ids = ", ".join(r.id for r in runbooks) or "none"
        raise DrillbookError(
            f"{path}: no runbook {wanted!r} to audit (runbooks: {ids})",
            f"name one: {ref}#<id>",
        )
    return chosen


def _last_ttr(where: Project, scenario: str) -> float | None:
    from drillbook.outcome.history import latest, read_history

    if not where.history.exists():
        return None
    last = latest(read_history(where.history)).get(scenario)
    return last.ttr_s if last is not None else None


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {value}")
    return value
