"""`drillbook explore` finds a bug that needs two overlapping faults, and shrinks it to them.

The planted api (tests/fixtures/api-two-fault-bug) skips its fallback provider while the
cache is down: Redis down alone is served without cache, the primary provider failing alone
is answered by the fallback, both at once fail every query. The search must find that within
a budget CI can afford, shrink it to those two faults and write a scenario that replays it;
on the reference api the same budget must find nothing (or what it finds is a real finding).

Budget of each search: DRILLBOOK_EXPLORE_MINUTES (default 2) and DRILLBOOK_EXPLORE_DRILLS
(default 20); the seed DRILLBOOK_EXPLORE_SEED (default 1). The whole file takes about six
minutes (two stacks started, two searches, two interrupted ones).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from drillbook.explore.oracle import CACHE, PROVIDERS, touched
from drillbook.explore.search import Budget
from drillbook.explore.session import Explored, explore
from drillbook.faults import find_leftovers
from drillbook.project import Project
from drillbook.scenarios import load_scenario
from drillbook.stack import Stack
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.images import build_image
from drillbook.stack.open import reference_stack
from tests.processes import ctrl_c_raises

pytestmark = [pytest.mark.selfcheck, pytest.mark.explore]

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ROOT / "tests" / "fixtures" / "api-two-fault-bug"
BUDGET = Budget(
    float(os.environ.get("DRILLBOOK_EXPLORE_MINUTES", "2")) * 60,
    int(os.environ.get("DRILLBOOK_EXPLORE_DRILLS", "20")),
)
SEED = int(os.environ.get("DRILLBOOK_EXPLORE_SEED", "1"))


def build_planted_api() -> None:
    """The planted image, FROM the reference api's content-hashed image (built if missing)."""
    spec = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
    client = docker.from_env()
    base = build_image(client, spec.services["api"], spec)
    subprocess.run(
        ["docker", "build", "-q", "--build-arg", f"API_IMAGE={base}", "-t",
         "drillbook/api-two-fault-bug:planted", str(PLANTED)],
        check=True,
        capture_output=True,
    )  # fmt: skip


def say(line: str) -> None:
    print(f"explore: {line}", flush=True)


def run_explore(stack: Stack, tmp_path: Path, budget: Budget = BUDGET) -> Explored:
    project = Project.at(ROOT, results=tmp_path / "results")
    return explore(
        stack, project, budget, seed=SEED, say=say, database=tmp_path / "db", remediate=False
    )


@pytest.fixture(scope="module")
def planted_stack() -> Iterator[Stack]:
    build_planted_api()
    with reference_stack(PLANTED / "stack.yaml", None, say) as stack:
        yield stack


def test_explore_finds_and_shrinks_the_two_fault_bug(planted_stack: Stack, tmp_path: Path) -> None:
    explored = run_explore(planted_stack, tmp_path)
    report = explored.report
    assert report.minimal is not None, "\n".join(report.summary())
    assert report.first is not None
    say(
        f"found after {report.first.drill} drills, {report.first.at_s:.0f} s; minimal first run "
        f"after {report.minimal.drill} drills, {report.minimal.at_s:.0f} s; search ended after "
        f"{report.drills} drills, {report.seconds:.0f} s"
    )
    assert report.minimal.outcome.promise == "degraded-mode"
    faults = report.minimal.schedule.faults
    assert len(faults) == 2, report.minimal.schedule.describe()
    broken = {touched(f) for f in faults}
    assert len(broken & CACHE) == 1 and len(broken & PROVIDERS) == 1, broken
    # The minimal schedule is an ordinary scenario with both faults and the seed.
    assert explored.scenario is not None
    scenario = load_scenario(explored.scenario, planted_stack.spec)
    assert len(scenario.faults) == 2 and scenario.seed == SEED
    assert {touched_kind(f.params) for f in scenario.faults} == broken
    assert find_leftovers(planted_stack) == []


def touched_kind(params: dict[str, object]) -> str:
    from drillbook.explore.plan import Inject

    return touched(Inject("?", tuple(params.items())))


def test_the_same_budget_on_the_reference_stack(drillbook_stack: Stack, tmp_path: Path) -> None:
    explored = run_explore(drillbook_stack, tmp_path)
    report = explored.report
    # A failure here is a real finding of the reference api: its scenario says which.
    assert report.minimal is None, f"{explored.scenario}: " + "\n".join(report.summary())
    assert report.drills > 0
    assert find_leftovers(drillbook_stack) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_explore_leaves_no_fault(
    drillbook_stack: Stack, tmp_path: Path, signum: int
) -> None:
    # Mid-search: the load is up and the first drills' faults are in.
    timer = threading.Timer(20.0, os.kill, (os.getpid(), signum))
    started = time.monotonic()
    with ctrl_c_raises():  # as at a terminal, also when this suite runs as a background job
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                run_explore(drillbook_stack, tmp_path, Budget(600, 100))
        finally:
            timer.cancel()
    assert time.monotonic() - started < 120  # it stopped, it did not run the budget out
    assert find_leftovers(drillbook_stack) == []
