"""Scenarios: one YAML file per incident, run as a drill under load (`pytest -m chaos`)."""

from __future__ import annotations

from drillbook.scenarios.engine import run_scenario
from drillbook.scenarios.loader import load_scenario, load_scenarios
from drillbook.scenarios.model import Scenario
from drillbook.scenarios.result import ScenarioResult

__all__ = ["Scenario", "ScenarioResult", "load_scenario", "load_scenarios", "run_scenario"]
