"""A verification step that says "fine" while the service still fails its probe is weak.

`curl -fsS …/ready` answers HTTP 200 for a degraded service (the breaker still open, answers
from the fallback), so it cannot tell recovery from failure. Our provider-errors runbook waits
before it checks, which hides this most of the time; the mutant without the wait checks at
once, and the drill must say so.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drillbook import load_scenario, run_scenario
from drillbook.runbooks.parser import parse_file
from drillbook.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
MUTANT = Path(__file__).parent / "mutants" / "provider-errors-no-wait.md"


@pytest.mark.selfcheck
def test_a_verification_before_recovery_is_reported_weak(
    drillbook_stack: Stack, tmp_path: Path
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "provider-errors.yaml")
    (mutant,) = parse_file(MUTANT).runbooks
    scenario = dataclasses.replace(scenario, name="provider-errors-no-wait", runbook=mutant)
    result = run_scenario(
        scenario,
        drillbook_stack,
        locustfile=ROOT / "load_tests" / "locustfile.py",
        out_dir=tmp_path,
    )
    (check,) = [s for s in result.steps if s.section == "verification"]
    assert check.status == "ok", check  # curl -f saw HTTP 200 ...
    recovered = next(m.t for m in result.timeline if m.kind == "recovered")
    assert check.start_s + check.duration_s < recovered  # ... before the service recovered
    assert check.weak, check
    assert f"line {check.line}: verification `curl -fsS" in result.findings[0]
