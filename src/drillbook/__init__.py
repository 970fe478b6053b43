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

Every name is imported on first use, so `import drillbook` stays cheap for the command line,
the pytest plugin and unit tests; a backend (Docker, Compose, Kubernetes) loads only when a
stack is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from drillbook._version import __version__

if TYPE_CHECKING:
    from drillbook.drills.events import Event, Events, Listener
    from drillbook.drills.lifecycle import DrillPlan, run_drill, run_drill_async
    from drillbook.drills.scenario import run_scenario
    from drillbook.errors import DrillbookError, SourceError
    from drillbook.faults import make_fault
    from drillbook.load import LoadProfile, LoadRun
    from drillbook.observe.probe import Probe
    from drillbook.outcome.drillrun import DrillRun, assert_recovered
    from drillbook.outcome.result import Result, Verdict
    from drillbook.project import Project
    from drillbook.scenarios import Scenario, load_scenario
    from drillbook.stack import Stack

# Every name is imported on first use: `import drillbook` (the command line, the pytest
# plugin's registration, a unit test) loads no backend, no Docker SDK and no Locust.
_LAZY = {
    "DrillPlan": "drillbook.drills.lifecycle",
    "DrillRun": "drillbook.outcome.drillrun",
    "DrillbookError": "drillbook.errors",
    "Event": "drillbook.drills.events",
    "Events": "drillbook.drills.events",
    "Listener": "drillbook.drills.events",
    "LoadProfile": "drillbook.load",
    "LoadRun": "drillbook.load",
    "Probe": "drillbook.observe.probe",
    "Project": "drillbook.project",
    "Result": "drillbook.outcome.result",
    "Scenario": "drillbook.scenarios",
    "SourceError": "drillbook.errors",
    "Stack": "drillbook.stack",
    "Verdict": "drillbook.outcome.result",
    "assert_recovered": "drillbook.outcome.drillrun",
    "load_scenario": "drillbook.scenarios",
    "make_fault": "drillbook.faults",
    "run_drill": "drillbook.drills.lifecycle",
    "run_drill_async": "drillbook.drills.lifecycle",
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
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once: later lookups do not come back here
        return value
    raise AttributeError(f"module 'drillbook' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
