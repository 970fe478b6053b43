"""An explore session on a running stack: load on, search, the minimal failure written out.

    result = explore(stack, project, Budget(300, 30), seed=1, say=print)

The load (Locust, in its own process) runs for the whole search; each drill judges the
requests of its own windows. The example database lives in `<root>/.drillbook/explore/`, the
minimal failing schedule goes to `<results>/explore/<stack>-<promise>.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drillbook.explore.drill import Driller, load_service
from drillbook.explore.oracle import CACHE, PROVIDERS
from drillbook.explore.replay import scenario_document, write_scenario
from drillbook.explore.search import Budget, Report, Search
from drillbook.explore.space import Space, build_space
from drillbook.load import LoadProfile, LoadRun
from drillbook.project import Project
from drillbook.runbooks.model import Runbook
from drillbook.runbooks.parser import parse_file
from drillbook.stack import Stack

DATABASE = Path(".drillbook") / "explore"


@dataclass(frozen=True)
class Explored:
    space: Space
    report: Report
    scenario: Path | None  # the minimal failure as a scenario file, when one was found


def runbooks_on_path(project: Project, path: tuple[str, ...]) -> dict[str, Runbook]:
    """The project's runbooks with a target whose services are all on the path."""
    found: dict[str, Runbook] = {}
    for file in sorted(project.runbooks.glob("*.md")):
        for runbook in parse_file(file).runbooks:
            if (
                runbook.mttr_s is not None
                and runbook.services
                and set(runbook.services) <= set(path)
            ):
                found[runbook.id] = runbook
    return found


def explore(
    stack: Stack,
    project: Project,
    budget: Budget,
    *,
    seed: int,
    say: Callable[[str], None],
    remediate: bool = True,
    database: Path | None = None,
    out_dir: Path | None = None,
    target_s: float = 30.0,
) -> Explored:
    """Search `stack` within `budget`; write the minimal failure (if any) as a scenario."""
    service = load_service(stack)
    space = build_space(stack.spec, service, covered=CACHE | PROVIDERS)
    for line in space.summary():
        say(line)
    runbooks = runbooks_on_path(project, space.path) if remediate else {}
    out_dir = out_dir or project.results / "explore"
    load = LoadRun(
        project.require_locustfile(),
        stack.service(service).url,
        LoadProfile(users=5, spawn_rate=5, run_time_s=int(budget.seconds) + 600),
        out_dir=out_dir / "load",
        run_id=stack.run_id,
    )
    with load:
        driller = Driller(stack, load, runbooks, target_s=target_s, say=say)
        search = Search(
            space,
            driller.run,
            budget,
            database=database or project.root / DATABASE,
            seed=seed,
            runbooks=sorted(runbooks),
            say=say,
        )
        report = search.run()
    for line in report.summary():
        say(line)
    scenario = None
    if report.minimal is not None:
        rel = {rid: str(r.path.relative_to(project.root)) for rid, r in runbooks.items()}
        document = scenario_document(
            report.minimal.schedule,
            report.minimal.outcome,
            seed=seed,
            target_s=target_s,
            runbooks=rel,
        )
        name = f"{stack.spec.name}-{report.minimal.outcome.promise}.yaml"
        scenario = write_scenario(out_dir / name, document, stack.spec.path)
        say(f"minimal failing schedule written to {scenario}")
    return Explored(space, report, scenario)
