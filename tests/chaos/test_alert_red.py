"""The alert contract can fail: the redis-down drill with a broken rules file goes red.

Each variant replaces Prometheus' rules for its run only (`expect.alert_rules`); the
stack's own rules are put back afterwards. The remediation itself still works, so the
verdict is the alert's alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import docker
import pytest

from drillbook import Result, Verdict, load_scenario
from drillbook.pytest_plugin.session import project
from drillbook.scenarios.model import Scenario
from drillbook.stack import labels, load_stack_spec
from drillbook.stack.images import build_image

pytestmark = pytest.mark.selfcheck

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


def promtool_test(test: Path, rules_dir: Path) -> tuple[int, str]:
    """`promtool test rules` in the Prometheus image, the files mounted where the test names
    them (read-only)."""
    client = docker.from_env()
    spec = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
    image = build_image(client, spec.services["prometheus"], spec)
    container = client.containers.run(
        image,
        ["promtool", "test", "rules", str(test)],
        volumes={
            str(test.parent): {"bind": str(test.parent), "mode": "ro"},
            str(rules_dir): {"bind": str(rules_dir), "mode": "ro"},
        },
        labels={labels.MANAGED: "true"},
        user="root",  # pytest's tmp_path is private to root
        detach=True,
    )
    try:
        code = int(container.wait(timeout=60)["StatusCode"])
        return code, bytes(container.logs()).decode()
    finally:
        container.remove(force=True)


def test_a_drill_writes_a_promtool_test_that_pins_its_alert(
    drillbook_run_scenario: Callable[..., Result], pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "redis-down.yaml")
    pinned = dataclasses.replace(
        scenario,
        name="redis-down-pinned",
        expect=dataclasses.replace(scenario.expect, clock="fault", respond_after_s=6.0),
    )
    result = drillbook_run_scenario(pinned)
    assert result.passed, result.reason
    test = project(pytestconfig).results / "redis-down-pinned.alert-test.yml"
    rules = ROOT / "fixtures" / "images" / "prometheus" / "rules"
    code, output = promtool_test(test, rules)
    assert code == 0 and "SUCCESS" in output, output
    # The same replay against the rule with a wrong metric name: the pinned test fails.
    broken = tmp_path / "rules"
    broken.mkdir()
    (broken / "alerts.yml").write_text((RULES / "wrong-metric.yml").read_text())
    moved = tmp_path / "pinned.yml"
    moved.write_text(
        test.read_text().replace(str(rules / "alerts.yml"), str(broken / "alerts.yml"))
    )
    code, output = promtool_test(moved, broken)
    assert code != 0 and "FAILED" in output, output
