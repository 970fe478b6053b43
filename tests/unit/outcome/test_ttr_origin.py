"""The TTR a target is judged on and where it counts from travel with the result: reports,
the trend and the gate compare like with like (a page-clocked TTR with its target, never a
TTR from the fault with a target counted from the page)."""

from __future__ import annotations

import dataclasses

from drillbook.outcome.gate import check
from drillbook.outcome.history import Identity, record_from_result
from drillbook.outcome.schema import from_json, to_json
from drillbook.report.summary import build_rows, judged_ttr
from tests.unit.outcome.results import record, result_json


def paged_result_json() -> dict:
    # the page came 40 s after the fault; recovery 50 s after the fault, 10 s after the page
    return {**result_json(ttr=50.0), "schema": 5, "judged_ttr_s": 10.0, "ttr_origin": "page"}


def test_the_judged_ttr_and_its_origin_survive_the_schema() -> None:
    result = from_json(paged_result_json())
    assert (result.ttr_s, result.judged_ttr_s, result.ttr_origin) == (50.0, 10.0, "page")
    assert result.target_ttr_s == 10.0
    back = from_json(to_json(result))
    assert (back.judged_ttr_s, back.ttr_origin) == (10.0, "page")


def test_an_older_result_was_judged_from_the_fault() -> None:
    result = from_json(result_json(ttr=4.5))  # schema 2: no judged TTR written
    assert result.ttr_origin == "fault" and result.target_ttr_s == 4.5


def test_the_report_compares_the_page_clocked_ttr_with_the_target() -> None:
    result = from_json(paged_result_json())
    current = record_from_result(result, Identity("v", "sha"))
    (row,) = build_rows([result], {result.scenario: current}, [current])
    assert row.target_used_pct == 10.0 / 120.0 * 100  # not 50 / 120
    assert judged_ttr(current) == "10.00 s from the page"


def test_the_gate_compares_like_with_like() -> None:
    paged = record(ttr=50.0, judged_ttr_s=10.0, ttr_origin="page")
    slower = dataclasses.replace(paged, ttr_s=80.0, judged_ttr_s=30.0)
    regression = check(slower, paged, max_regression_pct=50)
    assert regression is not None and "TTR from the page 30.00 s" in regression.message
    # against a baseline counted from another origin (no page that time, or recorded before
    # origins were), both are compared from the fault, never the page's with the fault's
    from_fault = record(ttr=45.0)
    assert check(paged, from_fault, max_regression_pct=50) is None  # 50 s vs 45 s
    regression = check(paged, record(ttr=5.0), max_regression_pct=50)
    assert regression is not None and "TTR 50.00 s" in regression.message


def test_an_older_transient_result_was_judged_from_the_faults_end() -> None:
    old = {**result_json(ttr=30.0), "recovery_after_end_s": 6.0}
    result = from_json(old)
    assert (result.ttr_origin, result.judged_ttr_s) == ("fault end", 6.0)
