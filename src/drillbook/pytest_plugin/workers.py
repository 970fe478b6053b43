"""Drills side by side with pytest-xdist: `pytest -m chaos -n 2`.

Each xdist worker is a pytest session of its own: it starts its own stack (its own network,
containers and host ports), runs the scenarios it is given and appends them to the shared
history. What a worker printed never reaches the terminal, so each one hands its records and
regressions to the controller when it ends, and the controller prints the one table a run
without `-n` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from drillbook.outcome.gate import Regression
from drillbook.outcome.history import RunRecord
from drillbook.outcome.recorder import Recorder

_KEY = "drillbook"
_GATHERED = pytest.StashKey["Gathered"]()


@dataclass
class Gathered:
    """What the controller got from its workers."""

    records: list[RunRecord] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    history: str = ""
    failed: bool = False  # some worker's gate failed its session


def hand_over(config: pytest.Config, runs: Recorder, *, failed: bool) -> None:
    """On a worker: leave this session's records for the controller (plain data: execnet
    carries only builtins); `failed`: the repeat gate failed the worker's session after its
    tests passed, which the controller must say in its own exit status."""
    output: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
    output[_KEY] = {
        "records": [r.as_json() for r in runs.records],
        "regressions": [(r.scenario, r.message) for r in runs.regressions],
        "history": str(runs.history),
        "failed": failed,
    }


def gather(config: pytest.Config, node: Any) -> None:
    """On the controller: keep what a worker that ended handed over."""
    data = getattr(node, "workeroutput", {}).get(_KEY)
    if not data:
        return
    gathered = config.stash.setdefault(_GATHERED, Gathered())
    gathered.records += [RunRecord(**r) for r in data["records"]]
    gathered.regressions += [
        Regression(scenario, message) for scenario, message in data["regressions"]
    ]
    gathered.history = data["history"]
    gathered.failed = gathered.failed or bool(data.get("failed"))


def gathered(config: pytest.Config) -> Gathered | None:
    """The workers' records, on a controller that had workers; None elsewhere."""
    return config.stash.get(_GATHERED, None)
