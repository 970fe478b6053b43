"""Explore's pure parts: the space and its pruning, canonical schedules, the degraded-mode
oracle, timing and the scenario a schedule becomes (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from drillbook.explore.drill import Outcome
from drillbook.explore.oracle import Breach, judge_window, must_answer_queries
from drillbook.explore.plan import (
    Hold,
    Inject,
    Remediate,
    Revert,
    canonical,
    steps_strategy,
    timed,
)
from drillbook.explore.replay import scenario_document, write_scenario
from drillbook.explore.space import CAPS, build_space, path_of
from drillbook.faults.base import parse
from drillbook.load import Request
from drillbook.scenarios import load_scenario
from drillbook.stack.definition import load_stack_spec

ROOT = Path(__file__).resolve().parents[3]
SPEC = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
SPACE = build_space(SPEC, "api")

KILL_REDIS = Inject("kill", (("service", "redis"),))
STOP_REDIS = Inject("stop", (("service", "redis"),))
ERRORS = Inject("provider-errors", (("rate", 1.0), ("service", "provider")))
FALLBACK_HANGS = Inject("provider-hang", (("service", "provider-fallback"),))
VECTORDB_DOWN = Inject("link-down", (("link", "api-vectordb"),))


def test_the_path_is_the_load_service_and_what_its_links_reach() -> None:
    assert path_of(SPEC, "api") == (
        "api", "postgres", "redis", "vectordb", "provider", "provider-fallback",
    )  # fmt: skip
    assert path_of(SPEC, "worker") == ("worker",)  # the worker has no links


def test_the_space_faults_only_the_path_and_says_what_it_skipped() -> None:
    where = {t.where for t in SPACE.targets}
    assert "worker" not in where and "toxiproxy" not in where
    assert {"redis", "api-redis", "provider", "provider-fallback"} <= where
    # Provider faults only on the provider simulators.
    assert {t.where for t in SPACE.targets if t.kind.startswith("provider-")} == {
        "provider", "provider-fallback",
    }  # fmt: skip
    reasons = dict(SPACE.pruned)
    assert reasons["service worker"] == "no request of the load reaches it"
    assert "table-drop" in reasons
    assert any("skipped service toxiproxy" in line for line in SPACE.summary())


@settings(max_examples=60, deadline=None)
@given(steps_strategy(SPACE, ["redis-down"]))
def test_every_drawn_fault_is_within_its_declared_bounds(steps: list[object]) -> None:
    for step in steps:
        if isinstance(step, Inject):
            params = dict(step.params)
            parse(step.kind, params)  # raises on a parameter out of its declared bounds
            for name, cap in CAPS.items():
                assert params.get(name, 0) <= cap


def test_no_op_steps_are_dropped_and_equivalent_schedules_meet() -> None:
    a = canonical([Hold(2), KILL_REDIS, STOP_REDIS, Hold(1), Hold(2), ERRORS, Hold(1), Revert(3)])
    b = canonical([KILL_REDIS, Hold(3), Revert(0), Revert(0), KILL_REDIS, Hold(0)])
    assert a.steps == (KILL_REDIS, Hold(3), ERRORS, Hold(1))  # stop on a killed redis: no-op
    assert canonical([KILL_REDIS, Hold(3), ERRORS, Hold(1)]) == a
    assert b.steps == (KILL_REDIS, Hold(3), ("revert", KILL_REDIS), KILL_REDIS)
    assert canonical([Revert(1), Hold(4)]).faults == []
    assert a.describe() == (
        "kill(service=redis) → wait 3 s → provider-errors(rate=1.0, service=provider) → wait 1 s"
    )


def test_the_degraded_modes_promise_answers_only_when_the_api_documents_them() -> None:
    assert must_answer_queries([KILL_REDIS])  # served without cache
    assert must_answer_queries([ERRORS])  # the fallback answers
    assert must_answer_queries([KILL_REDIS, ERRORS])  # both modes at once: still answered
    assert not must_answer_queries([ERRORS, FALLBACK_HANGS])  # no provider left
    assert not must_answer_queries([VECTORDB_DOWN])  # 503/504 is the documented answer
    assert must_answer_queries([Inject("latency", (("latency_ms", 900), ("link", "api-redis")))])


def query(start: float, ok: bool, name: str = "POST /v1/query") -> Request:
    return Request(start, start + 0.05, "POST", name, 200 if ok else 503, ok, 50.0)


def test_a_window_breaks_the_promise_when_more_than_a_tenth_of_queries_fail() -> None:
    failing = [query(10 + i / 10, ok=i % 2 == 0) for i in range(10)]
    failing += [query(10.02, ok=False, name="POST /v1/documents")]  # not a query: not judged
    breach = judge_window(failing, 10.0, 12.0, [KILL_REDIS, ERRORS])
    assert isinstance(breach, Breach) and (breach.failed, breach.judged) == (5, 10)
    assert "5 of 10 queries failed while only kill(service=redis) + " in breach.describe()
    assert judge_window(failing, 10.0, 12.0, [ERRORS, FALLBACK_HANGS]) is None  # no promise
    one_bad = [query(10 + i / 10, ok=i != 3) for i in range(10)]
    assert judge_window(one_bad, 10.0, 12.0, [KILL_REDIS]) is None  # noise
    assert judge_window(failing, 20.0, 22.0, [KILL_REDIS]) is None  # nothing in the window


def test_a_schedule_on_the_clock() -> None:
    schedule = canonical([Hold(1), KILL_REDIS, Hold(2), ERRORS, Hold(3), Revert(0), Hold(1)])
    faults, runbooks = timed(schedule, tail_s=1.0)
    assert [(t.fault, t.at_s, t.for_s) for t in faults] == [
        (KILL_REDIS, 0.0, 5.0),  # reverted after the waits of 2 and 3 s
        (ERRORS, 2.0, 5.0),  # in until the end: 3 + 1 s of waits, then the 1 s tail
    ]
    assert runbooks == []
    _, ran = timed(canonical([KILL_REDIS, Remediate("redis-down"), Hold(1)]))
    assert ran == ["redis-down"]


@pytest.mark.parametrize("with_runbook", [False, True])
def test_the_minimal_schedule_is_a_scenario_drillbook_run_loads(
    tmp_path: Path, with_runbook: bool
) -> None:
    steps = [KILL_REDIS, Hold(2), ERRORS, Hold(3)]
    if with_runbook:
        steps.append(Remediate("redis-down"))
    outcome = Outcome("degraded-mode", "12 of 14 queries failed", 9.0, True)
    document = scenario_document(
        canonical(steps),
        outcome,
        seed=7,
        target_s=30.0,
        runbooks={"redis-down": "runbooks/redis-down.md"},
    )
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "redis-down.md").write_text(
        (ROOT / "runbooks" / "redis-down.md").read_text()
    )
    path = write_scenario(tmp_path / "results" / "explore" / "found.yaml", document)
    scenario = load_scenario(path, SPEC)
    assert [(f.kind, f.params, f.at_s, f.for_s) for f in scenario.faults] == [
        ("kill", {"service": "redis"}, 0.0, 7.0),  # 2 + 3 s of holds, 2 s held at the end
        ("provider-errors", {"rate": 1.0, "service": "provider"}, 2.0, 5.0),
    ]
    assert scenario.seed == 7 and scenario.duration_s == 7.0
    assert scenario.expect.degraded is not None
    assert scenario.expect.degraded.requests == "POST /v1/query"
    assert scenario.expect.degraded.max_error_rate == 0.1
    assert scenario.runbook_id == ("redis-down" if with_runbook else None)
    assert "drillbook run" in path.read_text().splitlines()[0]


def test_no_degraded_bound_when_the_faults_together_promise_nothing() -> None:
    schedule = canonical([KILL_REDIS, Hold(2), VECTORDB_DOWN, Hold(1)])
    document = scenario_document(
        schedule, Outcome("degraded-mode", "x", 1.0, True), seed=1, target_s=30.0
    )
    assert "degraded" not in document["expect"]


def test_the_explore_command_refuses_a_budget_of_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from drillbook.cli import main

    assert main(["explore", "--minutes", "0"]) == 1
    assert "--minutes must be above 0" in capsys.readouterr().err
