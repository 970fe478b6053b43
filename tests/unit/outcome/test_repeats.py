"""Repeated drills: percentiles, pass rate and the p90 gate (no Docker)."""

from __future__ import annotations

from pathlib import Path

from drillbook.outcome.history import append_history
from drillbook.outcome.recorder import Recorder
from drillbook.outcome.repeats import Figures, check_spread, format_spreads, spreads
from tests.unit.outcome.results import record, result


def test_percentiles_are_nearest_rank_over_the_runs_that_measured() -> None:
    runs = [record(ttr=t) for t in (4.0, 5.0, 7.0, 4.5, 6.0)] + [record(ttr=None, passed=False)]
    (spread,) = spreads(runs).values()
    assert (spread.runs, spread.passed) == (6, 5)
    assert spread.ttr == Figures(p50=5.0, p90=7.0, max=7.0)
    assert spread.ttd.p50 == 0.1
    assert format_spreads(spreads(runs))[1].split()[:3] == ["redis-down", "6", "83%"]


def test_the_gate_on_repeats_judges_the_pass_rate_then_the_p90() -> None:
    base = spreads([record(ttr=t) for t in (4.0, 4.2, 4.4)])["redis-down"]
    slower = spreads([record(ttr=t) for t in (4.0, 4.2, 9.0)])["redis-down"]
    flaky = spreads([record(ttr=4.0), record(ttr=None, passed=False), record(ttr=4.1)])
    same = spreads([record(ttr=t) for t in (4.1, 4.3, 4.5)])["redis-down"]
    regression = check_spread(slower, base, 50)
    assert regression is not None and "TTR p90 9.00 s over 3 runs" in regression.message
    flaked = check_spread(flaky["redis-down"], base, 50)
    assert flaked is not None and "passed 2 of 3 runs, the baseline 3 of 3" in flaked.message
    assert check_spread(same, base, 50) is None
    assert check_spread(slower, None, 50) is None


def test_a_recorder_with_repeats_gates_once_at_the_end(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    append_history(history, [record(ttr=t) for t in (9.0, 4.0, 4.2, 4.4)])
    recorder = Recorder(history, max_regression_pct=50, repeats=3)
    for ttr in (4.0, 4.2, 9.0):
        assert recorder.record(result(ttr=ttr)) is None  # not judged run by run
    (regression,) = recorder.finish()
    # Compared with the last three runs before this session, not with the 9.0 s one before.
    assert "baseline's 4.40 s" in regression.message
    assert recorder.regressions == [regression]
    assert recorder.spread_table()[1].split()[:2] == ["redis-down", "3"]


def test_a_single_run_has_no_spread_table(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "h.jsonl")
    recorder.record(result())
    assert recorder.spread_table() == [] and recorder.finish() == []


def test_repeats_report_the_worst_margin_beside_the_pass_rate() -> None:
    runs = [
        record(margin_bound="recover", margin_room=0.6),
        record(margin_bound="detect", margin_room=0.12),
        record(margin_bound="recover", margin_room=0.4),
    ]
    found = spreads(runs)["redis-down"]
    assert found.worst is not None and found.worst.margin_room == 0.12
    header, row = format_spreads(spreads(runs))
    assert header.split()[-2:] == ["worst", "margin"]
    assert row.endswith("thin: 12% detect")
