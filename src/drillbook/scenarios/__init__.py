"""Scenarios: one YAML file per incident — the fault, the runbook, the load, what must hold.

Read and validated here (`load_scenario`, with file:line errors); run by `drillbook.drills`.
"""

from __future__ import annotations

from drillbook.scenarios.loader import load_scenario, load_scenarios
from drillbook.scenarios.model import Scenario

__all__ = ["Scenario", "load_scenario", "load_scenarios"]
