"""A scenario's result as Allure steps, dated when they happened (allure-pytest, no Docker).

A pytest run in a subprocess reports a recorded result with `--alluredir`; the steps Allure
wrote must carry the drill's own times, not the moment they were reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ZERO = 1_800_000_000.0  # injection time, Unix seconds

RESULT: dict[str, Any] = {
    "scenario": "redis-down",
    "verdict": "passed",
    "reason": "redis-down: passed (TTD 0.07 s, TTR 7.30 s, target 120 s)",
    "runbook": {"id": "redis-down", "severity": "critical"},
    "target_s": 120.0,
    "ttd_s": 0.07,
    "ttr_s": 7.3,
    "injected_epoch_s": ZERO,
    "timeline": [
        {"t": -5.0, "kind": "steady state", "detail": "held 5 s"},
        {"t": 0.0, "kind": "fault injected", "detail": "redis-down"},
        {"t": 0.07, "kind": "detected", "detail": "first failing probe"},
        {"t": 2.07, "kind": "remediation started", "detail": ""},
        {"t": 5.1, "kind": "remediation finished", "detail": ""},
        {"t": 7.3, "kind": "recovered", "detail": "steady for 5 s"},
    ],
    "steps": [
        {
            "line": 21,
            "text": "docker compose up -d redis",
            "status": "ok",
            "start_s": 2.1,
            "duration_s": 0.3,
            "output": "up redis: running",
        },
        {
            "line": 25,
            "text": "redis-cli -h redis ping",
            "status": "failed",
            "start_s": 2.5,
            "duration_s": 1.0,
            "detail": "exit 1",
        },
    ],
}


def ms(t: float) -> int:
    return round((ZERO + t) * 1000)


@pytest.fixture
def reported(pytester: pytest.Pytester) -> dict[str, Any]:
    pytester.makepyfile(
        test_scenario=f"""
        from drillbook.outcome.schema import from_json
        from drillbook.pytest_plugin import allure

        def test_redis_down():
            allure.report(from_json({{"schema": 3, **{RESULT!r}}}), None, None)
        """
    )
    run = pytester.runpytest_subprocess("-p", "no:locust", "--alluredir", "allure-results")
    run.assert_outcomes(passed=1)
    (found,) = Path(pytester.path / "allure-results").glob("*-result.json")
    data: dict[str, Any] = json.loads(found.read_text())
    return data


def test_phases_last_from_their_mark_to_the_next(reported: dict[str, Any]) -> None:
    phases = {s["name"].split("  ", 1)[1]: s for s in reported["steps"] if "  " in s["name"]}
    remediation = phases["remediation started"]
    assert (remediation["start"], remediation["stop"]) == (ms(2.07), ms(5.1))
    injected = phases["fault injected: redis-down"]
    assert (injected["start"], injected["stop"]) == (ms(0), ms(0.07))
    assert phases["recovered: steady for 5 s"]["start"] == ms(7.3)


def test_runbook_steps_are_dated_and_a_failed_one_is_marked(reported: dict[str, Any]) -> None:
    (remediation,) = [s for s in reported["steps"] if s["name"].endswith("remediation started")]
    ok, failed = remediation["steps"]
    assert (ok["start"], ok["stop"]) == (ms(2.1), ms(2.4))
    assert ok["status"] == "passed" and ok["name"].startswith("line 21: docker compose up -d redis")
    assert (failed["start"], failed["stop"]) == (ms(2.5), ms(3.5))
    assert failed["status"] == "failed"
    assert reported["status"] == "passed"  # a failed step is reported, not raised


def test_severity_and_attachments(reported: dict[str, Any]) -> None:
    found = {label["name"]: label["value"] for label in reported["labels"]}
    assert found["severity"] == "critical" and found["scenario"] == "redis-down"
    names = {a["name"] for a in reported.get("attachments", [])}
    assert {"redis-down.json", "timeline.json"} <= names
