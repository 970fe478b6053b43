"""A game-day drill end to end through the command line: `drillbook drill redis-down --auto`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drillbook.outcome.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
@pytest.mark.selfcheck
def test_auto_drill_writes_its_report(tmp_path: Path) -> None:
    results = tmp_path / "results"
    where = ["--results", str(results)]
    done = subprocess.run(
        [sys.executable, "-m", "drillbook.cli", "drill", "redis-down", "--auto", *where],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # The runbook was shown, and the live clock saw the outage and the recovery.
    assert "# Redis down" in done.stdout
    assert "DOWN" in done.stderr and "OK" in done.stderr, done.stderr[-3000:]

    result = json.loads((results / "redis-down.json").read_text())
    assert result["passed"] and result["schema"] == SCHEMA_VERSION
    assert 0 < result["ttr_s"] <= result["target_s"]
    assert sum(result["series"]["errors"]) > 0  # the outage is in the per-second series

    history = (results / "history.jsonl").read_text().splitlines()
    assert len(history) == 1
    assert json.loads(history[0])["ttr_s"] == result["ttr_s"]

    (drill,) = (results / "drills").iterdir()
    report = (drill / "report.md").read_text()
    assert "## redis-down — passed" in report
    assert f"{result['ttr_s']:.2f} s" in report
    assert (drill / "plots" / "redis-down.png").stat().st_size > 10_000
    page = (drill / "report.html").read_text()
    assert "data:image/png;base64," in page and "<img" in page
    assert 'src="plots/' not in page  # self-contained: nothing to fetch beside it
