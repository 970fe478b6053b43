"""Results, history, regression gate and recorder (no Docker)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from drillbook.errors import DrillbookError, SourceError
from drillbook.outcome.gate import check, check_all, growth_pct
from drillbook.outcome.history import (
    Identity,
    append_history,
    latest,
    load_baseline,
    previous,
    read_history,
    record_from_result,
)
from drillbook.outcome.recorder import Recorder, format_table
from drillbook.outcome.result import Result
from drillbook.outcome.schema import load_results, write_result
from drillbook.project import Project
from tests.unit.outcome.results import record, result, result_json

# -- history ------------------------------------------------------------------------------


def test_history_round_trip_keeps_order(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "history.jsonl"
    a, b = record(ttr=1.0), record(ttr=2.0, version="v2", git_sha="abc")
    append_history(path, [a])
    append_history(path, [b])
    assert read_history(path) == [a, b]
    assert latest(read_history(path))["redis-down"] == b


def test_malformed_history_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    append_history(path, [record()])
    with path.open("a") as f:
        f.write("{not json\n")
    with pytest.raises(SourceError, match=r"history.jsonl:2: not a JSON line"):
        read_history(path)
    path.write_text('{"scenario": "x"}\n')
    with pytest.raises(SourceError, match=r":1: history record lacks time"):
        read_history(path)


def test_missing_history_and_results_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DrillbookError, match="not found") as err:
        read_history(tmp_path / "nope.jsonl")
    assert "run scenarios first" in str(err.value)
    with pytest.raises(DrillbookError, match=r"results directory .* not found"):
        load_results(tmp_path / "missing")
    with pytest.raises(DrillbookError, match="no scenario results"):
        load_results(tmp_path)


def test_previous_is_the_run_before_the_current_one() -> None:
    first, second, other = record(ttr=1.0, time="1"), record(ttr=2.0, time="2"), record("x")
    history = [first, other, second]
    assert previous(history, second) == first
    assert previous(history, first) is None
    assert previous(history, record(ttr=3.0, time="3")) == second  # not in the history yet


def test_record_from_result_carries_identity() -> None:
    r = record_from_result(result(), Identity("v1.2", "abc123"))
    assert (r.scenario, r.ttr_s, r.version, r.git_sha, r.passed) == (
        "redis-down",
        4.5,
        "v1.2",
        "abc123",
        True,
    )
    assert r.error_budget == {"failed": 3, "total": 10}


def test_baseline_from_history_result_or_directory(tmp_path: Path) -> None:
    history = tmp_path / "h.jsonl"
    append_history(history, [record(ttr=1.0), record(ttr=3.0)])
    assert load_baseline(history)["redis-down"].ttr_s == 3.0
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "redis-down.json").write_text(json.dumps(result_json(ttr=7.0)))
    assert load_baseline(tmp_path / "r" / "redis-down.json")["redis-down"].ttr_s == 7.0
    assert load_baseline(tmp_path / "r")["redis-down"].ttr_s == 7.0
    with pytest.raises(DrillbookError, match=r"baseline .* not found"):
        load_baseline(tmp_path / "absent.jsonl")


# -- gate ---------------------------------------------------------------------------------


def test_growth_pct() -> None:
    assert growth_pct(10.0, 12.0) == pytest.approx(20.0)
    assert growth_pct(10.0, 8.0) == pytest.approx(-20.0)
    assert growth_pct(0.0, 1.0) == float("inf")
    assert growth_pct(0.0, 0.0) == 0.0


def test_gate_fails_a_slower_recovery_and_names_both_figures() -> None:
    regression = check(record(ttr=13.0), record(ttr=10.0), max_regression_pct=20)
    assert regression is not None
    assert regression.message == (
        "redis-down: TTR 13.00 s is 30% above the baseline's 10.00 s (allowed: 20%)"
    )
    assert check(record(ttr=11.9), record(ttr=10.0), max_regression_pct=20) is None
    assert check(record(ttr=12.0), record(ttr=10.0), max_regression_pct=20) is None  # at the limit


def test_gate_ignores_growth_below_the_probe_resolution() -> None:
    # 0.1 s -> 0.2 s is 100 % but one probe period: noise.
    assert check(record(ttr=0.2), record(ttr=0.1), max_regression_pct=20) is None
    assert check(record(ttr=0.5), record(ttr=0.1), max_regression_pct=20) is not None


def test_gate_fails_a_scenario_that_passed_and_now_fails() -> None:
    regression = check(record(ttr=None, passed=False), record(ttr=4.0), max_regression_pct=50)
    assert regression is not None
    assert "passed in the baseline (TTR 4.00 s), now not recovered within target" in (
        regression.message
    )
    # failing in both is no regression of the gate's (the test fails on its own)
    assert check(record(ttr=None, passed=False), record(passed=False), 50) is None


def test_gate_compares_only_scenarios_on_both_sides() -> None:
    current = {"a": record("a", ttr=20.0), "new": record("new", ttr=99.0)}
    baseline = {"a": record("a", ttr=10.0), "gone": record("gone", ttr=1.0)}
    assert [r.scenario for r in check_all(current, baseline, 50)] == ["a"]


def test_recorder_gates_against_history_from_before_the_run(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    append_history(history, [record_from_result(result(ttr=4.0), Identity("", ""))])
    recorder = Recorder(history, max_regression_pct=10, identity=Identity("v2", "sha"))
    assert recorder.record(result(ttr=4.1)) is None
    regression = recorder.record(result(ttr=8.0))  # compared with 4.0, not with 4.1
    assert (
        regression is not None
        and "8.00 s is 100% above the baseline's 4.00 s" in regression.message
    )
    assert len(read_history(history)) == 3
    lines = recorder.table()
    assert lines[0].split() == ["scenario", "TTD", "TTR", "target", "margin", "verdict"]
    assert lines[2].endswith("passed  (regression)")


def test_recorder_for_results_keeps_its_history_there_unless_told(tmp_path: Path) -> None:
    assert Recorder.for_results(tmp_path).history == tmp_path / "history.jsonl"
    assert Recorder.for_results(tmp_path).baseline is None
    other = tmp_path / "elsewhere.jsonl"
    append_history(other, [record()])
    told = Recorder.for_results(tmp_path, history=str(other), baseline=other, max_regression_pct=5)
    assert (told.history, told.baseline, told.max_regression_pct) == (other, other, 5)


def test_unremediated_runs_stay_out_of_results_and_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drillbook.drills import scenario as engine
    from drillbook.drills.session import run_and_record

    def run_scenario(scenario: Any, stack: Any, *, out_dir: Path, **kw: Any) -> Result:
        ran = result(scenario.name, ttr=4.0 if kw["remediate"] else None, passed=kw["remediate"])
        write_result(ran, out_dir)
        return ran

    monkeypatch.setattr(engine, "run_scenario", run_scenario)
    results = tmp_path / "results"
    (tmp_path / "locustfile.py").write_text("")
    recorder = Recorder.for_results(results, max_regression_pct=10)
    where = Project.at(tmp_path, locustfile=tmp_path / "locustfile.py", results=results)

    ran, regression = run_and_record(SimpleNamespace(name="redis-down"), None, recorder, where)
    assert ran.passed and regression is None
    red = SimpleNamespace(name="redis-down-without-runbook")
    ran, regression = run_and_record(red, None, recorder, where, remediate=False)
    assert not ran.passed and regression is None  # not gated: no figure of the runbook's
    assert (results / "unremediated" / "redis-down-without-runbook.json").is_file()
    assert [r.scenario for r in load_results(results)] == ["redis-down"]
    assert [r.scenario for r in read_history(recorder.history)] == ["redis-down"]
    assert [r.scenario for r in recorder.records] == ["redis-down"]


def test_format_table_aligns_columns() -> None:
    lines = format_table([record("a", ttr=1.0), record("longer-name", ttr=None, passed=False)])
    assert len({line.index("120 s") for line in lines[1:]}) == 1
    assert lines[2].split()[:3] == ["longer-name", "0.10", "s"]


def test_the_table_shows_each_run_s_thinnest_margin() -> None:
    lines = format_table(
        [
            record(name="redis-down", margin_bound="recover", margin_room=0.28),
            record(name="api-down", margin_bound="detect", margin_room=0.05),
            record(name="worker-down", passed=False, margin_bound="recover", margin_room=-0.5),
            record(name="old-record"),
        ]
    )
    assert "28% recover" in lines[1]
    assert "thin: 5% detect" in lines[2]
    assert "over recover" in lines[3]
    assert lines[4].split()[-2] == "-"  # a history line from before margins were kept
