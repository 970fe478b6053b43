"""Regression tests from drills: metric names of a rule, series replayed, the promtool file."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.observe.alertrules import read_rule_files
from drillbook.observe.ruletest import Series, metric_names, rule_test

RULES = Path(__file__).resolve().parents[3] / "fixtures/images/prometheus/rules/alerts.yml"


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("redis_up == 0", ["redis_up"]),
        (
            'sum(rate(http_requests_total{job="api",status=~"5.."}[10s])) / '
            'sum(rate(http_requests_total{job="api"}[10s])) > 0.05',
            ["http_requests_total"],
        ),
        (
            "histogram_quantile(0.95, sum by (le) (rate(x_bucket[10s]))) > 1e3",
            ["x_bucket"],
        ),
        ("absent(documents_tables) and on() pg_up == 1", ["documents_tables", "pg_up"]),
    ],
)
def test_metric_names(expr: str, names: list[str]) -> None:
    assert metric_names(expr) == names


def test_every_reference_rule_reads_some_metric() -> None:
    for rule in read_rule_files([RULES]):
        assert metric_names(rule.expr), rule.name


def test_values_hold_the_last_sample_and_mark_gaps() -> None:
    s = Series({"__name__": "redis_up", "job": "redis"}, [(101.0, 1.0), (103.0, 0.0)])
    assert s.selector() == 'redis_up{job="redis"}'
    assert s.values(100.0, 5) == "_ 1 1 0 0"


def test_the_test_expects_quiet_at_the_fault_and_the_alert_after_it_fired() -> None:
    test = rule_test(
        rule_files=["/rules/alerts.yml"],
        alert="RedisDown",
        series=[Series({"__name__": "redis_up"}, [(100.0, 1.0), (130.0, 0.0)])],
        start=100.0,
        injected=130.2,
        fired=133.4,
        labels={
            "__name__": "ALERTS",
            "alertname": "RedisDown",
            "alertstate": "firing",
            "job": "redis",
            "severity": "critical",
        },
        end=138.0,
    )
    (case,) = test["tests"]
    assert case["input_series"][0]["values"].split()[29:32] == ["1", "0", "0"]
    quiet, firing = case["alert_rule_test"]
    assert (quiet["eval_time"], quiet["exp_alerts"]) == ("30s", [])
    assert firing["eval_time"] == "35s"
    assert firing["exp_alerts"] == [
        {"exp_labels": {"job": "redis", "severity": "critical"}, "exp_annotations": {}}
    ]
