"""Scenario files as pytest items (collection only: no Docker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def collect(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_a_scenario_file_is_one_test() -> None:
    assert collect("scenarios/redis-down.yaml") == ["scenarios/redis-down.yaml::redis-down"]


def test_repeat_collects_each_scenario_n_times() -> None:
    assert collect("--drillbook-repeat", "3", "scenarios/redis-down.yaml") == [
        f"scenarios/redis-down.yaml::redis-down[{i}/3]" for i in (1, 2, 3)
    ]
