"""History: one JSON line per scenario run, appended by every run, read by reports and the gate.

    {"scenario": "redis-down", "version": "v1.4.0-3-gabc1234", "git_sha": "abc1234...",
     "time": "2026-11-23T12:09:51+00:00", "ttd_s": 0.07, "ttr_s": 4.47, "target_s": 120.0,
     "verdict": "passed", "passed": true, "error_budget": {"failed": 26, "total": 112},
     "p95_ms": {"before": 30.0, "during": 1007.0, "after": 25.1}, "drillbook": "0.1.0"}

`version` names the release under test: `$DRILLBOOK_VERSION`, else `git describe` of the
working directory. A baseline is a history file (its last record per scenario), one result
JSON, or a results directory.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drillbook._version import __version__
from drillbook.errors import DrillbookError, SourceError
from drillbook.outcome.margin import THIN
from drillbook.outcome.result import Result
from drillbook.outcome.schema import load_result, load_results


@dataclass(frozen=True)
class RunRecord:
    """The figures of one scenario run, as kept in the history."""

    scenario: str
    time: str
    verdict: str
    passed: bool
    target_s: float
    ttd_s: float | None
    ttr_s: float | None
    version: str = ""
    git_sha: str = ""
    error_budget: dict[str, float] = field(default_factory=dict)
    p95_ms: dict[str, float | None] = field(default_factory=dict)
    drillbook: str = ""
    as_written_ttr_s: float | None = None
    # the TTR the target was judged on and where it counts from (see outcome.schema)
    judged_ttr_s: float | None = None
    ttr_origin: str = "fault"
    # the bound the run came closest to, and the share of it left (see outcome.margin)
    margin_bound: str = ""
    margin_room: float | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def target_ttr_s(self) -> float | None:
        """The TTR to compare with `target_s` (records before `judged_ttr_s` have only
        the TTR from the fault, which is what their targets were judged on)."""
        return self.judged_ttr_s if self.ttr_origin != "fault" else self.ttr_s

    def margin(self) -> str:
        """'28% recover', 'thin: 5% detect', or '-' when no bound was judged or kept."""
        if self.margin_room is None:
            return "-"
        if self.margin_room < 0:
            return f"over {self.margin_bound}"
        said = f"{self.margin_room:.0%} {self.margin_bound}"
        return f"thin: {said}" if self.passed and self.margin_room < THIN else said


@dataclass(frozen=True)
class Identity:
    """What was tested: the release name and the commit."""

    version: str
    git_sha: str


def identify(cwd: Path | None = None) -> Identity:
    """The release under test: `$DRILLBOOK_VERSION` or `git describe`; the commit of HEAD."""
    sha = _git(["rev-parse", "HEAD"], cwd)
    version = os.environ.get("DRILLBOOK_VERSION") or _git(
        ["describe", "--tags", "--always", "--dirty"], cwd
    )
    return Identity(version, sha)


def _git(args: list[str], cwd: Path | None) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""  # not a git checkout, or no git: the history still works without it
    return done.stdout.strip() if done.returncode == 0 else ""


def record_from_result(result: Result, identity: Identity) -> RunRecord:
    """The history record of a scenario's result."""
    closest = result.thinnest
    return RunRecord(
        scenario=result.scenario,
        time=result.started_at,
        verdict=result.verdict.value,
        passed=result.passed,
        target_s=result.target_s,
        ttd_s=result.ttd_s,
        ttr_s=result.ttr_s,
        version=identity.version,
        git_sha=identity.git_sha,
        error_budget={k: v for k, v in asdict(result.error_budget).items() if v is not None},
        p95_ms=asdict(result.p95_ms),
        drillbook=result.drillbook or __version__,
        as_written_ttr_s=None if result.as_written is None else result.as_written.ttr_s,
        judged_ttr_s=result.judged_ttr_s,
        ttr_origin=result.ttr_origin,
        margin_bound="" if closest is None else closest.bound,
        margin_room=None if closest is None else round(closest.room, 3),
    )


def append_history(path: Path, records: Iterable[RunRecord]) -> None:
    """Append records, one JSON line each; the file and its directory are made if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record.as_json(), sort_keys=True) + "\n")


_REQUIRED = ("scenario", "time", "verdict", "passed", "target_s", "ttd_s", "ttr_s")


def read_history(path: Path) -> list[RunRecord]:
    """Every record of a history file, oldest first. A bad line is an error at file:line."""
    if not path.is_file():
        raise DrillbookError(
            f"history {path} not found",
            "run scenarios first (pytest -m chaos or drillbook run), or pass --history FILE",
        )
    records = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if line.strip():
                records.append(_parse_record(path, number, line))
    return records


def _parse_record(path: Path, number: int, line: str) -> RunRecord:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SourceError(
            str(path), number, f"not a JSON line: {exc.msg}", "fix or delete this line"
        ) from None
    if not isinstance(data, dict):
        raise SourceError(str(path), number, "a history line must be a JSON object")
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise SourceError(
            str(path), number, f"history record lacks {', '.join(missing)}", "fix or delete it"
        )
    known = RunRecord.__dataclass_fields__
    try:
        return RunRecord(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise SourceError(str(path), number, f"bad history record: {exc}") from None


def latest(records: Sequence[RunRecord]) -> dict[str, RunRecord]:
    """The last record of each scenario."""
    return {r.scenario: r for r in records}


def previous(records: Sequence[RunRecord], current: RunRecord) -> RunRecord | None:
    """The run of the same scenario before `current` in the history (None: its first run).

    `current` itself may or may not be in the history yet; the record before its last
    occurrence counts, or the last one when it is absent.
    """
    same = [r for r in records if r.scenario == current.scenario]
    if current in same:
        same = same[: len(same) - 1 - same[::-1].index(current)]
    return same[-1] if same else None


def load_baseline(path: Path) -> dict[str, RunRecord]:
    """Baseline figures per scenario from a history file, a result JSON or a results dir."""
    if path.is_dir():
        return {r.scenario: record_from_result(r, Identity("", "")) for r in load_results(path)}
    if not path.is_file():
        raise DrillbookError(
            f"baseline {path} not found",
            "pass a history file (results/history.jsonl), a result JSON or a results directory",
        )
    if path.suffix == ".json":
        result = load_result(path)
        return {result.scenario: record_from_result(result, Identity("", ""))}
    return latest(read_history(path))
