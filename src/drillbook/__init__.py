"""drillbook: prove that runbooks restore service within their MTTR targets.

A drill brings up a stack in containers, breaks it the way production breaks, follows the
runbook's remediation, and measures detection and recovery from probes while load runs.

    from drillbook import DrillPlan, Probe, assert_recovered, run_drill

    with Probe(api.url + "/ready", period_s=0.1) as probe:
        run = run_drill(DrillPlan("redis-down", inject=..., revert=..., remediate=...,
                                  target_s=30), probe)
    assert_recovered(run)

In async code (pytest-asyncio, FastAPI suites) the same drill is awaited, its probe a task
of the running loop:

    async with Probe(api.url + "/ready") as probe:
        run = await run_drill_async(plan, probe)

Names that need Docker (`Stack`, `make_fault`, `run_scenario`) are imported on first use, so
that `import drillbook` stays cheap for the command line and for unit tests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Before the imports below: modules they load read it.
__version__ = "0.1.0"

from drillbook.drills.events import Event, Events, Listener
from drillbook.drills.lifecycle import DrillPlan, run_drill, run_drill_async
from drillbook.errors import DrillbookError, SourceError
from drillbook.load import LoadProfile, LoadRun
from drillbook.observe.probe import Probe
from drillbook.outcome.drillrun import DrillRun, assert_recovered
from drillbook.outcome.result import Result, Verdict
from drillbook.project import Project
from drillbook.scenarios import Scenario, load_scenario

if TYPE_CHECKING:
    from drillbook.drills.scenario import run_scenario
    from drillbook.faults import make_fault
    from drillbook.stack import Stack

_LAZY = {
    "Stack": "drillbook.stack",
    "make_fault": "drillbook.faults",
    "run_scenario": "drillbook.drills.scenario",
}

__all__ = [
    "DrillPlan",
    "DrillRun",
    "DrillbookError",
    "Event",
    "Events",
    "Listener",
    "LoadProfile",
    "LoadRun",
    "Probe",
    "Project",
    "Result",
    "Scenario",
    "SourceError",
    "Stack",
    "Verdict",
    "__version__",
    "assert_recovered",
    "load_scenario",
    "make_fault",
    "run_drill",
    "run_drill_async",
    "run_scenario",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'drillbook' has no attribute {name!r}")
