"""Scenario options of the alert contract: which alert, who may co-fire, rules, the clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.errors import SourceError
from drillbook.scenarios.loader import load_scenario

HEAD = "fault: {type: kill, service: redis}\nexpect:\n  recover_within: 60\n"


def scenario_file(tmp_path: Path, expect: str) -> Path:
    path = tmp_path / "redis-down.yaml"
    path.write_text(HEAD + expect)
    return path


def test_alert_options_are_read(tmp_path: Path) -> None:
    (tmp_path / "wrong.yml").write_text("groups: []\n")
    s = load_scenario(
        scenario_file(
            tmp_path,
            "  alert: RedisDown\n  alert_allow: [HighErrorRate]\n"
            "  alert_rules: wrong.yml\n  alert_delay: 2\n  clock: page\n",
        )
    )
    assert s.expected_alert == "RedisDown" and s.expect.clock == "page"
    assert s.expect.alert.allow == ("HighErrorRate",)
    assert s.expect.alert.rules == tmp_path / "wrong.yml" and s.expect.alert.delay_s == 2


def test_alert_none_checks_no_alert(tmp_path: Path) -> None:
    assert load_scenario(scenario_file(tmp_path, "  alert: none\n")).expected_alert is None


def test_the_runbooks_alert_is_the_default() -> None:
    root = Path(__file__).resolve().parents[3]
    s = load_scenario(root / "scenarios" / "redis-down.yaml")
    assert s.runbook is not None and s.expected_alert == s.runbook.alert == "RedisDown"


def test_the_degraded_window_is_read(tmp_path: Path) -> None:
    def window(said: str) -> str:
        path = tmp_path / "slow.yaml"
        path.write_text(
            "fault: {type: latency, link: api-vectordb, latency_ms: 3000}\nduration: 30\n"
            f"expect:\n  recover_within: 60\n  degraded: {{max_p95_ms: 900{said}}}\n"
        )
        degraded = load_scenario(path).expect.degraded
        assert degraded is not None
        return degraded.window

    assert window("") == "fault"
    with pytest.raises(SourceError, match=r"slow\.yaml:3: degraded\.window: remediated needs a"):
        window(", window: remediated")  # no runbook: nothing would ever remediate
    root = Path(__file__).resolve().parents[3]
    degraded = load_scenario(root / "scenarios" / "vectordb-slow.yaml").expect.degraded
    assert degraded is not None and degraded.window == "remediated"


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("  clock: later\n", r"redis-down.yaml:4: clock must be fault or page, got 'later'"),
        (
            "  degraded: {max_p95_ms: 900, window: responder}\n",
            r"redis-down.yaml:4: window must be fault or remediated, got 'responder'",
        ),
        ("  alert_allow: HighErrorRate\n", r"redis-down.yaml:4: alert_allow must be a list"),
        ("  alert_rules: missing.yml\n", r"redis-down.yaml:4: alert_rules: no file"),
    ],
)
def test_bad_alert_options_are_refused_at_their_line(
    tmp_path: Path, expect: str, message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        load_scenario(scenario_file(tmp_path, expect))
