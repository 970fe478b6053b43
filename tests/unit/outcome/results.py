"""Made-up results and history records for tests of outcomes and reports."""

from __future__ import annotations

from typing import Any

from drillbook.outcome.history import RunRecord
from drillbook.outcome.result import Result
from drillbook.outcome.schema import from_json


def record(name: str = "redis-down", ttr: float | None = 10.0, passed: bool = True, **kw: Any):
    verdict = "passed" if passed else "not recovered within target"
    return RunRecord(name, kw.pop("time", "t"), verdict, passed, 120.0, 0.1, ttr, **kw)


def result(name: str = "redis-down", ttr: float | None = 4.5, passed: bool = True) -> Result:
    return from_json(result_json(name, ttr, passed))


def result_json(name: str = "redis-down", ttr: float | None = 4.5, passed: bool = True) -> dict:
    return {
        "schema": 2,
        "scenario": name,
        "verdict": "passed" if passed else "not recovered within target",
        "passed": passed,
        "reason": f"{name}: passed (TTD 0.07 s, TTR {ttr} s, target 120 s)",
        "runbook": {
            "id": name,
            "path": f"runbooks/{name}.md",
            "mttr_s": 120.0,
            "severity": "critical",
        },
        "target_s": 120.0,
        "ttd_s": 0.07,
        "ttr_s": ttr,
        "error_budget": {"failed": 3, "total": 10},
        "p95_ms": {"before": 30.0, "during": 1000.0, "after": 25.0},
        "steps": [
            {
                "line": 21,
                "text": "docker compose up -d redis",
                "status": "ok",
                "start_s": 2.0,
                "duration_s": 0.3,
                "output": "start redis: running",
            },
            {
                "line": 25,
                "text": "redis-cli ping",
                "status": "failed",
                "start_s": 2.3,
                "duration_s": 0.1,
                "output": "boom",
            },
        ],
        "timeline": [
            {"t": 0.0, "kind": "fault injected", "detail": name},
            {"t": 0.07, "kind": "detected", "detail": ""},
            {"t": 2.0, "kind": "remediation started", "detail": ""},
            {"t": 4.5, "kind": "recovered", "detail": "steady for 5 s"},
        ],
        "series": {
            "bin_s": 1.0,
            "t": [-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            "requests": [10, 10, 10, 10, 10, 10, 10, 10],
            "errors": [0, 0, 5, 10, 10, 2, 0, 0],
            "p95_ms": [30.0, 31.0, 900.0, 1000.0, None, 400.0, 40.0, 30.0],
        },
        "started_at": "2026-01-01T00:00:00+00:00",
    }
