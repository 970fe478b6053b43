"""The result JSON (`<results>/<scenario>.json`): written and read here, and nowhere else.

Schema version 7:

    schema          7 (2 added `series`, `drillbook` and the runbook's `severity`; 3 added
                    `injected_epoch_s`; 4 added `as_written`, `findings`, steps' `weak`, the
                    error budget's burn, `alert` and the alert verdicts; 5 added
                    `judged_ttr_s` and `ttr_origin`; 6 added `margins`; 7 added `damage`
                    and `ledger`)
    drillbook       the drillbook version that ran it
    scenario        name; file: the scenario file
    verdict         "passed" | "no steady state" | "not detected" | "step not executable" |
                    "not recovered within target" | "not recovered within target as written" |
                    "SLO breached while degraded" | "user impact beyond bounds" | "data lost" |
                    "alert did not fire" | "alert late" | "unexpected alert" |
                    "alert did not resolve"
    passed          true | false
    reason          one line: why it passed or failed, with the figures
    runbook         {id, path, mttr_s, severity} or null
    target_s        the recovery target used (the runbook's MTTR unless the scenario set one)
    ttd_s, ttr_s    time to detect / recover, seconds since injection (null: did not happen)
    judged_ttr_s    the TTR the target was judged on, counted from `ttr_origin`: "fault" (the
                    injection: equal to ttr_s), "page" (the alert's page, `clock: page`) or
                    "fault end" (a transient fault's end); compare it, not ttr_s, with target_s
    recovery_after_end_s   for a transient fault: recovery counted from its end
    remediation_s   time spent running the runbook's steps
    error_budget    {failed, total}: load requests from injection to recovery; incident_s,
                    burned_min (failed share x incident minutes) and budget_min (of the
                    scenario's availability SLO over its window)
    p95_ms          {before, during, after}: load latency around the incident
    writes          {acknowledged, checked, missing: [ids]} or null when not checked
    steps           the runbook's steps as executed: line, section, kind, text, status,
                    start_s, duration_s, written_wait_s, detail, actions, output, weak (a
                    verification that reported success while the probe still failed)
    as_written      a person following the runbook: {ttr_s, shift_s, judged, steps: [{line,
                    text, machine_s, person_s, why}]}, or null when no runbook step ran
    findings        what the drill found in the runbook without failing it, one line each
    timeline        [{t, kind, detail}] with t in seconds since injection
    series          the load per second, for plots: {bin_s, t: [window start, seconds since
                    injection], requests: [n], errors: [n], p95_ms: [ms or null]}, or null
                    when the fault was never injected
    started_at      wall-clock time (ISO 8601) the scenario started
    injected_epoch_s    wall-clock time (Unix seconds) of the injection, the zero of every `t`
                    and `start_s` above, or null when the fault was never injected
    alert           the alert contract, or null where the stack has no alerting: {expected,
                    bound_s, bound, pending_s, firing_s, notified_s (TTD-alert: the page),
                    resolved_s, unexpected: [names], allowed: [names], already_active:
                    [names], rules, ttr_from_page_s, bound_from_s: where the bound counts
                    from (the fault in place, or the first failing probe), outage_s: when the
                    service was back (an alert is owed only by an outage longer than its
                    bound)}; times in seconds since injection
    margins         each bound the verdict was judged on: [{bound, observed, limit, unit,
                    room}], `room` the share of the bound left unused (1: none used, 0: at
                    the bound, < 0: broken); `thinnest` is the one with the least room, and
                    `thin` whether the run passed with under 20 % of it left
    damage          what a runbook step destroyed: [{what, before, after, since, by, line,
                    text}], `line` null when more than the one step ran since the count was
                    last read (see drillbook.outcome.damage)
    ledger          the counts it is read from: [{label, line, text, took_s, counts}], the
                    first "before the fault", then one after each step that ran; a count
                    of null could not be read

Schemas 1 to 6 are still read (without the fields they lack).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from drillbook.errors import DrillbookError, SourceError
from drillbook.observe.series import Series
from drillbook.outcome.alert import AlertOutcome
from drillbook.outcome.damage import Loss, Reading
from drillbook.outcome.margin import Margin
from drillbook.outcome.result import (
    TTR_ORIGINS,
    AsWritten,
    ErrorBudget,
    Latency,
    Mark,
    Result,
    RunbookRef,
    StepCost,
    StepRecord,
    TtrOrigin,
    Verdict,
    Writes,
)

SCHEMA_VERSION = 7
READABLE_SCHEMAS = (1, 2, 3, 4, 5, 6, 7)


def to_json(result: Result) -> dict[str, Any]:
    """The result as the JSON object of the current schema."""
    return {
        "schema": SCHEMA_VERSION,
        "drillbook": result.drillbook,
        "scenario": result.scenario,
        "file": result.file,
        "verdict": result.verdict.value,
        "passed": result.passed,
        "reason": result.reason,
        "runbook": None if result.runbook is None else asdict(result.runbook),
        "target_s": result.target_s,
        "ttd_s": _round(result.ttd_s),
        "ttr_s": _round(result.ttr_s),
        "judged_ttr_s": _round(result.judged_ttr_s),
        "ttr_origin": result.ttr_origin,
        "recovery_after_end_s": _round(result.recovery_after_end_s),
        "remediation_s": round(result.remediation_s, 3),
        "error_budget": asdict(result.error_budget),
        "p95_ms": asdict(result.p95_ms),
        "writes": None
        if result.writes is None
        else {**asdict(result.writes), "missing": list(result.writes.missing)},
        "steps": [{**asdict(s), "actions": list(s.actions)} for s in result.steps],
        "timeline": [asdict(m) for m in result.timeline],
        "series": None if result.series is None else result.series.as_json(),
        "started_at": result.started_at,
        "injected_epoch_s": _round(result.injected_epoch_s),
        "as_written": None if result.as_written is None else asdict(result.as_written),
        "findings": list(result.findings),
        "alert": None if result.alert is None else _alert_json(result.alert),
        "margins": [_margin_json(m) for m in result.margins],
        "thinnest": None if result.thinnest is None else result.thinnest.bound,
        "thin": result.thin,
        "damage": [loss.as_json() for loss in result.damage],
        "ledger": [reading.as_json() for reading in result.ledger],
    }


def _margin_json(margin: Margin) -> dict[str, Any]:
    return {**asdict(margin), "room": round(margin.room, 3)}


def _margin(data: dict[str, Any]) -> Margin:
    return Margin(
        str(data["bound"]), float(data["observed"]), float(data["limit"]), str(data["unit"])
    )


def _alert_json(alert: AlertOutcome) -> dict[str, Any]:
    data = asdict(alert)
    for key in ("unexpected", "allowed", "already_active"):
        data[key] = list(data[key])
    return {k: _round(v) if k.endswith("_s") else v for k, v in data.items()}


def _alert(data: dict[str, Any] | None) -> AlertOutcome | None:
    if data is None:
        return None
    known = AlertOutcome.__dataclass_fields__
    fields = {k: v for k, v in data.items() if k in known}
    for key in ("unexpected", "allowed", "already_active"):
        fields[key] = tuple(str(n) for n in fields.get(key) or ())
    return AlertOutcome(**fields)


def from_json(data: dict[str, Any], source: str = "<result>") -> Result:
    """A Result from its JSON object; SourceError naming `source` when it is not one."""
    if not is_result(data):
        raise SourceError(source, None, "not a drillbook scenario result")
    if data.get("schema") not in READABLE_SCHEMAS:
        raise SourceError(
            source,
            None,
            f"result schema {data.get('schema')!r} is not one of {READABLE_SCHEMAS}",
            "run it again with this drillbook, or report with the drillbook that wrote it",
        )
    try:
        return _result(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceError(source, None, f"bad result: {type(exc).__name__}: {exc}") from None


def _result(data: dict[str, Any]) -> Result:
    runbook = data.get("runbook")
    writes = data.get("writes")
    series = data.get("series")
    return Result(
        scenario=str(data["scenario"]),
        verdict=Verdict(data["verdict"]),
        reason=str(data.get("reason", "")),
        target_s=float(data["target_s"]),
        ttd_s=_float(data.get("ttd_s")),
        ttr_s=_float(data.get("ttr_s")),
        # schema < 5 recorded no origin: a transient fault's target counted from its end
        # (`recovery_after_end_s`); a page-clocked one cannot be told apart: read as the fault
        judged_ttr_s=_float(data.get("judged_ttr_s", _old_judged(data))),
        ttr_origin=_origin(data.get("ttr_origin", _old_origin(data))),
        file=str(data.get("file", "")),
        runbook=None
        if runbook is None
        else RunbookRef(
            str(runbook["id"]),
            str(runbook.get("path", "")),
            _float(runbook.get("mttr_s")),
            runbook.get("severity"),
        ),
        recovery_after_end_s=_float(data.get("recovery_after_end_s")),
        remediation_s=float(data.get("remediation_s") or 0.0),
        error_budget=ErrorBudget(**(data.get("error_budget") or {})),
        p95_ms=Latency(**(data.get("p95_ms") or {})),
        writes=None
        if writes is None
        else Writes(
            int(writes["acknowledged"]),
            int(writes.get("checked", writes["acknowledged"])),
            tuple(int(i) for i in writes.get("missing", ())),
        ),
        steps=tuple(_step(s) for s in data.get("steps") or ()),
        timeline=tuple(
            Mark(float(m["t"]), str(m["kind"]), str(m.get("detail", "")))
            for m in data.get("timeline") or ()
        ),
        series=None if not series else Series.from_json(series),
        started_at=str(data.get("started_at", "")),
        injected_epoch_s=_float(data.get("injected_epoch_s")),
        drillbook=str(data.get("drillbook", "")),
        as_written=_as_written(data.get("as_written")),
        alert=_alert(data.get("alert")),
        findings=tuple(str(f) for f in data.get("findings") or ()),
        margins=tuple(_margin(m) for m in data.get("margins") or ()),
        damage=tuple(_loss(d) for d in data.get("damage") or ()),
        ledger=tuple(_reading(r) for r in data.get("ledger") or ()),
    )


def _loss(data: dict[str, Any]) -> Loss:
    line = data.get("line")
    return Loss(
        str(data["what"]),
        int(data["before"]),
        int(data["after"]),
        str(data.get("since", "")),
        str(data.get("by", "")),
        None if line is None else int(line),
        str(data.get("text", "")),
    )


def _reading(data: dict[str, Any]) -> Reading:
    line = data.get("line")
    counts = {str(k): None if v is None else int(v) for k, v in (data.get("counts") or {}).items()}
    return Reading(
        str(data.get("label", "")),
        None if line is None else int(line),
        str(data.get("text", "")),
        counts,
        took_s=float(data.get("took_s") or 0.0),
    )


def _old_origin(data: dict[str, Any]) -> str:
    return "fault end" if data.get("recovery_after_end_s") is not None else "fault"


def _old_judged(data: dict[str, Any]) -> Any:
    after_end = data.get("recovery_after_end_s")
    return after_end if after_end is not None else data.get("ttr_s")


def _origin(value: object) -> TtrOrigin:
    if value not in TTR_ORIGINS:
        raise ValueError(f"ttr_origin {value!r} is not one of {', '.join(TTR_ORIGINS)}")
    return value


def _as_written(data: dict[str, Any] | None) -> AsWritten | None:
    if data is None:
        return None
    return AsWritten(
        ttr_s=_float(data.get("ttr_s")),
        shift_s=float(data["shift_s"]),
        steps=tuple(StepCost(**s) for s in data.get("steps") or ()),
        judged=bool(data.get("judged", True)),
    )


def _step(data: dict[str, Any]) -> StepRecord:
    known = StepRecord.__dataclass_fields__
    fields = {k: v for k, v in data.items() if k in known}
    fields["actions"] = tuple(fields.get("actions") or ())
    fields["output"] = fields.get("output") or ""
    fields["detail"] = fields.get("detail") or ""
    return StepRecord(**fields)


def is_result(data: Any) -> bool:
    return isinstance(data, dict) and "scenario" in data and "verdict" in data


def write_result(result: Result, directory: Path) -> Path:
    """Write `<directory>/<scenario>.json`; the directory is made if missing."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{result.scenario}.json"
    path.write_text(json.dumps(to_json(result), indent=2) + "\n", encoding="utf-8")
    return path


def load_result(path: Path) -> Result:
    """One scenario's result JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(str(path), exc.lineno, f"not JSON: {exc.msg}") from None
    except OSError as exc:
        raise DrillbookError(f"cannot read result {path}: {exc.strerror}") from None
    return from_json(data, str(path))


def load_results(directory: Path) -> list[Result]:
    """Every scenario result in a results directory, by scenario name.

    Only the directory's own `*.json` files count: runs kept apart in subfolders (such as
    `unremediated/`, or a drill's report) are not the scenarios' results.
    """
    if not directory.is_dir():
        raise DrillbookError(
            f"results directory {directory} not found",
            "run scenarios first (pytest -m chaos, drillbook run or drillbook drill), "
            "or pass --results DIR",
        )
    results = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if is_result(data):  # other JSON files (e.g. Allure's) are not ours
            results.append(from_json(data, str(path)))
    if not results:
        raise DrillbookError(
            f"no scenario results in {directory}",
            "run scenarios first (pytest -m chaos, drillbook run or drillbook drill)",
        )
    return sorted(results, key=lambda r: r.scenario)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
