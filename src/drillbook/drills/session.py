"""Sessions of scenario runs: running and recording each scenario on the stack they share.

    with any_stack(project.stack, None, progress) as stack:      # drillbook.stack.open
        result, regression = run_and_record(scenario, stack, recorder, project, listeners)

`drillbook run`, `drillbook drill` and the pytest plugin all run scenarios through
`run_and_record`, so every way of running one writes and records it alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from drillbook.project import Project

if TYPE_CHECKING:
    from drillbook.drills.events import Listener
    from drillbook.outcome.gate import Regression
    from drillbook.outcome.recorder import Recorder
    from drillbook.outcome.result import Result
    from drillbook.scenarios.model import Scenario
    from drillbook.stack.backend import StackBackend


def resolve(argument: str, project: Project | None = None) -> Scenario:
    """A scenario from a file path, or from its name in the project's scenarios folder."""
    from drillbook.scenarios.loader import load_scenario

    return load_scenario((project or Project.at()).scenario_file(argument))


def run_and_record(
    scenario: Scenario,
    stack: StackBackend,
    recorder: Recorder,
    project: Project,
    listeners: Sequence[Listener] = (),
    *,
    remediate: bool = True,
    machine_only: bool = False,
    refuse_destructive: bool = False,
) -> tuple[Result, Regression | None]:
    """Run one scenario, write its result JSON and record it; its regression, if the gate fails.

    With the runbook's executor remediating, the result goes to `<results>/<name>.json` and
    into `recorder` (history, gate, table). Without it (`remediate=False`: nobody, or people
    by hand, fix the fault) the run is no figure of the runbook's automation: it goes to
    `<results>/unremediated/<name>.json` and is not recorded, so that neither reports nor the
    next automated run's baseline take it for the scenario's.
    """
    from drillbook.drills.scenario import run_scenario

    result = run_scenario(
        scenario,
        stack,
        locustfile=project.require_locustfile(),
        out_dir=project.results if remediate else project.unremediated,
        listeners=listeners,
        remediate=remediate,
        machine_only=machine_only,
        refuse_destructive=refuse_destructive,
    )
    regression = recorder.record(result) if remediate else None
    return result, regression


def run_files(
    scenarios: Sequence[Scenario],
    stack: StackBackend,
    recorder: Recorder,
    project: Project,
    listeners: Sequence[Listener] = (),
    *,
    machine_only: bool = False,
    refuse_destructive: bool = False,
) -> int:
    """Run each scenario as its pytest item does; 0 when all passed and none regressed."""
    failed = 0
    for scenario in scenarios:
        result, regression = run_and_record(
            scenario,
            stack,
            recorder,
            project,
            listeners,
            machine_only=machine_only,
            refuse_destructive=refuse_destructive,
        )
        failed += (not result.passed) or regression is not None
    return 1 if failed else 0
