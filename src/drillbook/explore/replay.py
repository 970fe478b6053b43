"""A found schedule as an ordinary scenario file, which `drillbook run` replays.

The faults go on a schedule (`faults: [{at, for, type, ...}]`); the promise it broke becomes
what the scenario expects: a broken degraded mode becomes a bound on the failed queries
while the faults are in, the rest is what every scenario checks (recovery within the target,
acknowledged writes kept; the leftovers check is every drill's finalizer).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from drillbook.explore.drill import Outcome
from drillbook.explore.oracle import MAX_FAILED_SHARE, QUERIES, must_answer_queries
from drillbook.explore.plan import Canonical, timed


def scenario_document(
    schedule: Canonical,
    outcome: Outcome,
    *,
    seed: int,
    target_s: float,
    runbooks: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The scenario as a mapping; `runbooks` maps a runbook id to its path from the root."""
    faults, ran = timed(schedule)
    doc: dict[str, Any] = {
        "description": f"Found by drillbook explore (seed {seed}): {outcome.promise}: "
        f"{outcome.detail}",
        "seed": seed,
        "faults": [{"at": t.at_s, "for": t.for_s, **t.fault.mapping()} for t in faults],
        "load": {"users": 5},
        "steady_state": {"stability": 2},
    }
    expect: dict[str, Any] = {"recover_within": target_s, "may_absorb": True}
    # The replay judges the whole time faults are in: only when all of them together still
    # promise answers (more faults never promise more) is the bound fair.
    if outcome.promise == "degraded-mode" and must_answer_queries(t.fault for t in faults):
        expect["degraded"] = {"max_error_rate": MAX_FAILED_SHARE, "requests": QUERIES}
    doc["expect"] = expect
    if ran and runbooks:
        last = ran[-1]
        doc["runbook"] = {"path": runbooks[last], "incident": last}
    return doc


def write_scenario(path: Path, document: dict[str, Any], stack: Path | None = None) -> Path:
    """Write the scenario, headed by the command that replays it (on `stack`, if given)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    on = f"--stack {stack} " if stack is not None else ""
    header = f"# Written by `drillbook explore`; replay it with `drillbook run {on}{path}`\n"
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=None, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path
