"""Alerts and severities as prose writes them; ordinary words are neither."""

from __future__ import annotations

import pytest

from drillbook.runbooks.facts import alert_in, severity_in, severity_in_title
from drillbook.runbooks.parser import parse_text


@pytest.mark.parametrize(
    ("line", "alert"),
    [
        ("- PagerDuty Alert: _HighRailsErrorRate_", "HighRailsErrorRate"),
        ("The [`RegistryPoolFull`](rules/registry.yml) alert fires when", "RegistryPoolFull"),
        ("This alert (WalSenderLagTooHigh) fires when the lag grows", "WalSenderLagTooHigh"),
        ("`pg_xid_wraparound` Saturation Alert", "pg_xid_wraparound"),
        ("the `disk` alert is noisy", None),  # a word, not a rule's name
        ("Check the alert dashboard", None),
    ],
)
def test_an_alert_is_named_by_a_label_or_an_identifier_next_to_the_word(
    line: str, alert: str | None
) -> None:
    assert alert_in(line) == alert


@pytest.mark.parametrize(
    ("line", "severity"),
    [
        ("**Urgency**: high", "high"),
        ("This is a critical alert.", "critical"),
        ("It fires a `warning` level alert at 70% and a `critical` level alert at 90%", "critical"),
        ("**Critical** - the cluster is down", "critical"),
        ("A critical threat to the cluster", None),
        ("system-node-critical pods", None),
    ],
)
def test_a_severity_is_a_label_or_a_level_given_to_the_alert(
    line: str, severity: str | None
) -> None:
    assert severity_in(line) == severity


def test_a_title_carries_its_priority() -> None:
    assert severity_in_title("P0: Database down") == "p0"
    assert severity_in_title("Signup broken (P1, customer-blocking)") == "p1"
    assert severity_in_title("Upgrade to P100 hardware") is None


def test_a_heading_that_is_a_level_gives_the_alert_its_severity() -> None:
    doc = parse_text("# KubeAPIDown\n\n## Critical\n\nThe API is down.\n", "KubeAPIDown.md")
    assert [(r.alert, r.severity) for r in doc.runbooks] == [("KubeAPIDown", "critical")]
