"""Reading the result JSON files a run wrote (`<results>/<scenario>.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drillbook.errors import DrillbookError, SourceError

# Every schema this reader understands; 1 lacks the per-second series (no timeline plot).
READABLE_SCHEMAS = (1, 2, 3)


def load_result(path: Path) -> dict[str, Any]:
    """One scenario's result JSON, checked enough for a report."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(str(path), exc.lineno, f"not JSON: {exc.msg}") from None
    except OSError as exc:
        raise DrillbookError(f"cannot read result {path}: {exc.strerror}") from None
    if not _is_result(data):
        raise SourceError(str(path), None, "not a drillbook scenario result")
    return _checked(path, data)


def _is_result(data: Any) -> bool:
    return isinstance(data, dict) and "scenario" in data and "verdict" in data


def _checked(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    if data.get("schema") not in READABLE_SCHEMAS:
        raise SourceError(
            str(path),
            None,
            f"result schema {data.get('schema')!r} is not one of {READABLE_SCHEMAS}",
            "run it again with this drillbook, or report with the drillbook that wrote it",
        )
    return data


def load_results(directory: Path) -> list[dict[str, Any]]:
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
        if _is_result(data):  # other JSON files (e.g. Allure's) are not ours
            results.append(_checked(path, data))
    if not results:
        raise DrillbookError(
            f"no scenario results in {directory}",
            "run scenarios first (pytest -m chaos, drillbook run or drillbook drill)",
        )
    return sorted(results, key=lambda r: str(r["scenario"]))
