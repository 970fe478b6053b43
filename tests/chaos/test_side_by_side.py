"""`pytest -m chaos -n 2`: two workers, each with its own stack; one table at the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drillbook.outcome.history import read_history

pytestmark = pytest.mark.selfcheck

ROOT = Path(__file__).resolve().parents[2]


def test_two_scenarios_drill_side_by_side_each_on_its_own_stack(tmp_path: Path) -> None:
    scenarios = [str(ROOT / "scenarios" / f"{name}.yaml") for name in ("api-down", "redis-down")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "chaos", "-n", "2",
         *scenarios, "--drillbook-results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 0, said[-3000:]
    assert "2 workers [2 items]" in said
    history = read_history(tmp_path / "history.jsonl")
    assert sorted(r.scenario for r in history) == ["api-down", "redis-down"]
    assert all(r.passed for r in history)
    # The controller's table has both, though neither ran in the controller.
    table = said[said.index("drillbook: time to detect and recover") :]
    assert "api-down" in table and "redis-down" in table
    assert (tmp_path / "api-down.json").is_file() and (tmp_path / "redis-down.json").is_file()
