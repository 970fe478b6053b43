"""Report maths and rendering (no Docker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.load import Request
from drillbook.observe.series import Series, per_window
from drillbook.outcome.format import offset
from drillbook.outcome.history import (
    Identity,
    append_history,
    record_from_result,
)
from drillbook.report.build import write_report
from drillbook.report.summary import build_rows, sparkline
from tests.unit.outcome.results import record, result, result_json

# -- report maths -------------------------------------------------------------------------


def test_per_window_bins_by_end_time_and_keeps_empty_windows() -> None:
    def req(end: float, ok: bool = True, ms: float = 10.0) -> Request:
        return Request(end - ms / 1000, end, "GET", "/", 200 if ok else 503, ok, ms)

    series = per_window(
        [req(99.5), req(100.2, ok=False, ms=500), req(100.9), req(103.1)], origin=100.0
    )
    assert series.t == (-1.0, 0.0, 1.0, 2.0, 3.0)
    assert series.requests == (1, 2, 0, 0, 1)
    assert series.errors == (0, 1, 0, 0, 0)
    assert series.p95_ms == (10.0, 500.0, None, None, 10.0)
    assert series.error_rate() == [0.0, 0.5, None, None, 0.0]
    assert Series.from_json(series.as_json()) == series
    assert per_window([], 0.0).t == ()


def test_offsets_never_read_minus_zero() -> None:
    assert [offset(t) for t in (-0.0004, 0.0, 2.104, -5.0)] == [
        "+0.00 s",
        "+0.00 s",
        "+2.10 s",
        "-5.00 s",
    ]


def test_sparkline() -> None:
    assert sparkline([1.0, 2.0, 3.0]) == "▁▅█"
    assert sparkline([5.0, None, 5.0]) == "▁·▁"
    assert sparkline([None]) == ""


def test_rows_compare_with_previous_run_or_the_given_baseline() -> None:
    old, now = record(ttr=4.0, time="1"), record(ttr=6.0, time="2")
    history = [old, now]
    (row,) = build_rows([result()], {"redis-down": now}, history, max_regression_pct=20)
    assert row.baseline == old and row.baseline_source == "previous run"
    assert row.ttr_change_pct == pytest.approx(50.0)
    assert row.trend == (old, now)
    assert row.target_used_pct == pytest.approx(5.0)
    assert row.regression is not None
    (row,) = build_rows([result()], {"redis-down": now}, history, {"redis-down": record(ttr=6.0)})
    assert row.baseline_source == "baseline" and row.ttr_change_pct == 0.0
    assert row.regression is None  # no gate asked for


def test_write_report_makes_markdown_html_and_plots(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "redis-down.json").write_text(json.dumps(result_json(ttr=9.0)))
    (results / "other.json").write_text('{"not": "a result"}')  # ignored
    history = results / "history.jsonl"
    append_history(
        history,
        [record(ttr=4.0, time="0"), record_from_result(result(ttr=9.0), Identity("v2", "cafe"))],
    )
    report = write_report(results, max_regression_pct=50)
    md = report.markdown.read_text()
    assert (
        "| redis-down | passed ⚠ regression | 0.07 s | - | 9.00 s | 120 s | 8% | - "
        "| 4.00 s | +125% |" in md
    )
    assert "redis-down: TTR 9.00 s is 125% above the baseline's 4.00 s (allowed: 50%)" in md
    assert "![timeline of redis-down](plots/redis-down.png)" in md
    assert "version v2 (cafe)" in md
    page = report.html.read_text()
    assert page.count("data:image/png;base64,") == 2  # timeline and trend, embedded
    assert [p.name for p in report.plots] == ["redis-down.png", "trend.png"]
    assert report.plots[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report.regressions


def test_report_command_exits_1_on_a_regression(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "redis-down.json").write_text(json.dumps(result_json(ttr=None, passed=False)))
    baseline = tmp_path / "baseline.jsonl"
    append_history(baseline, [record(ttr=4.0)])
    args = ["report", "--results", str(results), "--baseline", str(baseline)]
    assert main([*args, "--max-regression", "10"]) == 1
    assert "regression: redis-down: passed in the baseline" in capsys.readouterr().err
    assert main(args) == 0  # no gate asked for
    assert main(["report", "--results", str(tmp_path / "none")]) == 1
    assert "results directory" in capsys.readouterr().err


def test_the_report_shows_ttd_probe_and_ttd_alert_side_by_side(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    data = result_json(ttr=9.0)
    data["alert"] = {
        "expected": "RedisDown",
        "bound_s": 5.0,
        "bound": "scrape 1 + evaluation 1 + for 2 + group_wait 1 = 5 s",
        "pending_s": 0.9,
        "firing_s": 3.0,
        "notified_s": 3.8,
        "resolved_s": 12.0,
        "unexpected": [],
        "allowed": ["HighErrorRate"],
    }
    (results / "redis-down.json").write_text(json.dumps(data))
    report = write_report(results)
    md = report.markdown.read_text()
    assert "| TTD | TTD alert | TTR |" in md
    assert "| redis-down | passed | 0.07 s | 3.80 s | 9.00 s |" in md
    assert (
        "| RedisDown | 0.90 s | 3.00 s | 3.80 s | 5.00 s | 12.00 s | HighErrorRate (allowed) |"
        in md
    )
    assert "Alert: pending → firing → paged → resolved" in report.html.read_text()
    assert report.plots[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
