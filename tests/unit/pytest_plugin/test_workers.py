"""pytest -n N: what a worker hands over reaches the controller's table whole (pure)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from drillbook.outcome.gate import Regression
from drillbook.outcome.history import Identity
from drillbook.outcome.recorder import Recorder, format_table
from drillbook.pytest_plugin import workers
from tests.unit.outcome.results import record


def test_the_controller_gets_every_worker_s_records_and_regressions(tmp_path: Path) -> None:
    controller = cast(pytest.Config, SimpleNamespace(stash=pytest.Stash()))
    assert workers.gathered(controller) is None
    for name, regressed in (("redis-down", False), ("api-down", True)):
        runs = Recorder(tmp_path / "history.jsonl", identity=Identity("v", "sha"))
        runs.records.append(record(name=name, margin_bound="recover", margin_room=0.1))
        if regressed:
            runs.regressions.append(Regression(name, f"{name}: TTR grew"))
        worker = SimpleNamespace(workeroutput={})
        # the repeat gate failed the second worker's session after its tests passed
        workers.hand_over(cast(pytest.Config, worker), runs, failed=regressed)
        node: Any = SimpleNamespace(workeroutput=worker.workeroutput)
        workers.gather(controller, node)

    got = workers.gathered(controller)
    assert got is not None
    assert [r.scenario for r in got.records] == ["redis-down", "api-down"]
    assert got.records[0] == record(name="redis-down", margin_bound="recover", margin_room=0.1)
    assert got.regressions == [Regression("api-down", "api-down: TTR grew")]
    assert got.history == str(tmp_path / "history.jsonl")
    assert got.failed  # the controller's exit status takes it
    table = format_table(got.records, {r.scenario for r in got.regressions})
    assert "thin: 10% recover" in table[1] and table[2].endswith("(regression)")


def test_a_worker_that_ran_no_scenario_hands_nothing_over() -> None:
    controller = cast(pytest.Config, SimpleNamespace(stash=pytest.Stash()))
    node: Any = SimpleNamespace(workeroutput={})
    workers.gather(controller, node)
    assert workers.gathered(controller) is None
