"""The alert contract can fail: the redis-down drill with a broken rules file goes red.

Each variant replaces Prometheus' rules for its run only (`expect.alert_rules`); the
stack's own rules are put back afterwards. The remediation itself still works, so the
verdict is the alert's alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from drillbook import Result, Verdict, load_scenario
from drillbook.scenarios.model import Scenario

pytestmark = pytest.mark.chaos

ROOT = Path(__file__).resolve().parents[2]
RULES = Path(__file__).resolve().parent / "alerts"


def variant(name: str, rules: str, respond_after_s: float) -> Scenario:
    scenario = load_scenario(ROOT / "scenarios" / "redis-down.yaml")
    expect = scenario.expect
    return dataclasses.replace(
        scenario,
        name=f"redis-down-{name}",  # its result must not pass for the real one's
        expect=dataclasses.replace(
            expect,
            clock="fault",
            respond_after_s=respond_after_s,  # Redis stays down long enough for any page
            alert=dataclasses.replace(expect.alert, rules=RULES / rules),
        ),
    )


@pytest.mark.parametrize(
    ("name", "rules", "respond_after_s", "verdict", "why"),
    [
        ("wrong-metric", "wrong-metric.yml", 6.0, Verdict.ALERT_NOT_FIRED, "RedisDown did not"),
        ("slow-for", "slow-for.yml", 14.0, Verdict.ALERT_LATE, "RedisDown paged at"),
        ("overreach", "overreach.yml", 6.0, Verdict.UNEXPECTED_ALERT, "DatabaseDown fired too"),
    ],
)
def test_a_broken_rule_breaks_the_alert_contract(
    drillbook_run_scenario: Callable[..., Result],
    name: str,
    rules: str,
    respond_after_s: float,
    verdict: Verdict,
    why: str,
) -> None:
    result = drillbook_run_scenario(variant(name, rules, respond_after_s))
    assert result.verdict is verdict, result.reason
    assert why in result.reason
    assert result.alert is not None and result.alert.rules.endswith(rules)
    assert result.ttr_s is not None  # the runbook still restored the service
