"""Explore's pure parts: the space and its pruning, canonical schedules, the degraded-mode
oracle, timing and the scenario a schedule becomes (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from drillbook.explore.drill import TAIL_S, Outcome, breaker_reset_s, with_tail
from drillbook.explore.oracle import Breach, judge_window, must_answer_queries, touched
from drillbook.explore.plan import (
    OVERLAP_S,
    Canonical,
    Hold,
    Inject,
    Remediate,
    Revert,
    Step,
    canonical,
    steps_strategy,
    timed,
)
from drillbook.explore.replay import scenario_document, write_scenario
from drillbook.explore.search import Budget, Search
from drillbook.explore.space import CAPS, Target, build_space, path_of
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
    assert f"drillbook run {path}" in path.read_text().splitlines()[0]
    on_stack = write_scenario(tmp_path / "again.yaml", document, Path("planted/stack.yaml"))
    assert "drillbook run --stack planted/stack.yaml " in on_stack.read_text().splitlines()[0]


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


COVERED = build_space(SPEC, "api", covered=frozenset({"redis", "provider", "provider-fallback"}))


def test_the_targets_the_degraded_modes_cover_come_first_cheapest_kind_first() -> None:
    first = COVERED.targets[: COVERED.early]
    assert {t.where for t in first} == {
        "redis", "api-redis", "provider", "api-provider", "provider-fallback",
        "api-provider-fallback",
    }  # fmt: skip
    assert first[0] == Target("link-down", (("link", "api-redis"),))  # first link, a switch
    rest = {t.where for t in COVERED.targets[COVERED.early :]}
    assert rest == {"api", "postgres", "vectordb", "api-postgres", "api-vectordb"}
    # Kinds the oracle cannot tell apart from a kept one are left out, and say why.
    reasons = dict(COVERED.pruned)
    assert "link-down covers it" in reasons["reset-peer"]
    assert "link-down covers it" in reasons["latency"]
    assert "provider-hang covers it" in reasons["provider-latency"]
    assert {t.kind for t in COVERED.targets} == {
        "link-down", "provider-hang", "provider-errors", "kill", "pause",
    }  # fmt: skip
    assert any("tried first" in line for line in COVERED.summary())


@settings(max_examples=80, deadline=None)
@given(steps_strategy(COVERED, ["redis-down"]))
def test_a_schedule_overlaps_up_to_three_faults_then_holds_them_together(
    steps: list[Step],
) -> None:
    injects = [i for i, s in enumerate(steps) if isinstance(s, Inject)]
    assert 1 <= len(injects) <= 3
    assert injects[0] == 0  # a schedule starts with a fault
    held = steps[injects[-1] + 1]
    assert isinstance(held, Hold) and held.seconds in OVERLAP_S
    assert len(steps) - injects[-1] - 2 <= 2  # then at most two more steps


def test_what_is_still_in_at_the_end_is_held_in_the_last_wait() -> None:
    ends_on_wait = canonical([KILL_REDIS, ERRORS, Hold(2)])
    assert with_tail(ends_on_wait.steps) == [KILL_REDIS, ERRORS, Hold(2 + TAIL_S)]
    assert with_tail(canonical([KILL_REDIS, Hold(2), ERRORS]).steps)[-1] == Hold(TAIL_S)
    reverted = canonical([KILL_REDIS, Hold(2), Revert(0), Hold(1), ERRORS, Hold(1), Revert(0)])
    assert with_tail(reverted.steps) == [*reverted.steps[:-1], Hold(1 + TAIL_S)]
    nothing_left = canonical([KILL_REDIS, Hold(2), Revert(0), Remediate("redis-down")])
    assert with_tail(nothing_left.steps) == list(nothing_left.steps)  # no hold to add


def two_fault_bug(schedule: Canonical) -> Outcome:
    """A stand-in for the planted api: the cache and the primary provider broken together."""
    broken = {touched(f) for f in schedule.faults}
    if {"redis", "provider"} <= broken and must_answer_queries(schedule.faults):
        return Outcome("degraded-mode", "every query failed", 1.0, True, pressure=1.0)
    return Outcome()


def test_the_search_shrinks_to_the_two_faults_and_replays_them_first(tmp_path: Path) -> None:
    first = Search(COVERED, two_fault_bug, Budget(600, 40), database=tmp_path, seed=3).run()
    assert first.minimal is not None and first.first is not None
    faults = first.minimal.schedule.faults
    assert len(faults) == 2 and {touched(f) for f in faults} == {"redis", "provider"}
    assert first.first.drill <= first.minimal.drill <= 40
    # The next search, whatever its seed, replays the kept failure before anything new.
    again = Search(COVERED, two_fault_bug, Budget(600, 40), database=tmp_path, seed=9).run()
    assert again.first is not None and again.first.drill == 1
    assert again.minimal is not None and again.minimal.schedule == first.minimal.schedule


def test_the_search_stops_at_its_budget_of_drills(tmp_path: Path) -> None:
    report = Search(COVERED, lambda _: Outcome(), Budget(600, 5), database=tmp_path, seed=1).run()
    assert report.drills == 5 and report.budget_spent and report.minimal is None
    # It ends at the first schedule past the budget, not after drawing on through
    # equivalents of the drills already run.
    assert report.examples == report.drills + sum(report.skipped.values()) + 1


def test_answers_are_promised_again_once_the_breakers_reset_time_has_passed() -> None:
    assert breaker_reset_s(SPEC.services["api"].env) == 5.0  # the reference stack's setting
    assert breaker_reset_s({}) == 10.0  # the api's default
