"""`drillbook audit` finds the steps that matter, on the real stack, end to end.

Two findings of our own runbooks: redis-down cannot recover without starting Redis, and the
high-latency runbook as it was before it stopped restarting the api (kept in `audited/`)
made the incident worse with that restart. Each test runs two drills: as written, and
without the step in question.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillbook.cli import main

pytestmark = pytest.mark.selfcheck

ROOT = Path(__file__).resolve().parents[2]
OLD_HIGH_LATENCY = Path(__file__).parent / "audited" / "high-latency-restarts-api.md"


def audit(runbook: Path, scenario: str, results: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    code = main(
        [
            "audit",
            str(runbook),
            "--scenario",
            str(ROOT / "scenarios" / f"{scenario}.yaml"),
            "--results",
            str(results),
            "--max-drills",
            "2",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    # The audit's drills are written apart and never recorded as the runbook's figures.
    assert (results / "audit" / scenario / "audit.json").is_file()
    assert (results / "audit" / scenario / "as-written" / f"{scenario}.json").is_file()
    assert not (results / "history.jsonl").exists()
    return code, {s["line"]: s for s in out["steps"]}, out


def test_redis_down_cannot_recover_without_starting_redis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, steps, out = audit(ROOT / "runbooks" / "redis-down.md", "redis-down", tmp_path, capsys)
    assert steps[21]["text"] == "docker compose up -d redis"
    assert steps[21]["role"] == "required", out
    assert out["drills"][0]["recovered"] and not out["drills"][1]["recovered"]
    assert steps[23]["role"] == "not drilled"  # --max-drills 2
    assert code == 0


def test_the_old_high_latency_runbook_s_api_restart_was_harmful(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, steps, out = audit(OLD_HIGH_LATENCY, "high-latency", tmp_path, capsys)
    assert steps[23]["text"].startswith("kubectl set env deployment/api")
    assert steps[23]["role"] == "harmful", out
    assert steps[21]["role"] == "not drilled"  # prose: the drill cannot do it
    assert code == 1  # a harmful step is a finding
