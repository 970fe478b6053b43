"""A drill whose load runs in Locust's distributed mode (`load: {workers: 2}`).

The redis-down drill with its users spread over two worker processes: it must pass as the
one-process drill does, each worker must have made requests, and the request log must hold
every request Locust's own stats counted: none missing.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drillbook import Verdict, load_scenario, run_scenario
from drillbook.load.distributed import stats_count
from drillbook.stack import Stack

pytestmark = pytest.mark.selfcheck

ROOT = Path(__file__).resolve().parents[2]


def test_a_drill_with_two_load_workers_misses_no_request(
    drillbook_stack: Stack, tmp_path: Path
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "redis-down.yaml")
    scenario = dataclasses.replace(
        scenario,
        name="redis-down-2-workers",
        load=dataclasses.replace(scenario.load, users=20, workers=2),
    )
    result = run_scenario(
        scenario,
        drillbook_stack,
        locustfile=ROOT / "load_tests" / "locustfile.py",
        out_dir=tmp_path,
        machine_only=True,
    )
    assert result.verdict is Verdict.PASSED, result.reason
    load = tmp_path / "redis-down-2-workers-load"
    logged = [(load / f"requests-w{i}.jsonl").read_text().count('"kind":"request"') for i in (1, 2)]
    assert all(n > 0 for n in logged), logged
    counted = stats_count(load / "locust.json")
    assert counted is not None
    assert counted[0] == sum(logged), (counted, logged)
    # The drill judged with every request: those of the incident are among them.
    assert 0 < result.error_budget.total <= sum(logged)
    assert result.error_budget.failed > 0  # the outage was seen by the workers' users
