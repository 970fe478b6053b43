"""Alert maths, rule files and the pager (no Docker: the pager is a real server on loopback)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from drillbook.errors import DrillbookError, SourceError
from drillbook.observe.alertrules import prometheus_duration, read_rule_files
from drillbook.observe.alerts import (
    ActiveAlert,
    AlertBound,
    Page,
    Poll,
    active_before,
    alert_times,
    fired,
)
from drillbook.observe.pager import Pager, parse_notification
from drillbook.stack.network import free_port

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "fixtures" / "images" / "prometheus" / "rules" / "alerts.yml"
T0 = 100.0


def poll(t: float, **states: str) -> Poll:
    return Poll(t, tuple(ActiveAlert(name, state) for name, state in states.items()))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2s", 2.0), ("1m30s", 90.0), ("500ms", 0.5), ("0", 0.0), ("1h", 3600.0), ("2x", None)],
)
def test_prometheus_durations(text: str, seconds: float | None) -> None:
    assert prometheus_duration(text) == seconds


def test_the_reference_rules_cover_the_runbooks_alerts() -> None:
    rules = read_rule_files([RULES])
    for name in ("APIDown", "DatabaseDown", "RedisDown", "HighErrorRate", "HighLatencyP95"):
        rule = rules.alert(name)
        assert rule is not None, name
        assert 0 < rule.for_s <= 5, f"{name}: for: must be short for drills but not zero"
        assert RULES.read_text().splitlines()[rule.line - 1].strip() == f"- alert: {name}"


def test_a_bad_for_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.yml"
    path.write_text(
        "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: soon\n"
    )
    with pytest.raises(SourceError, match=r"r.yml:6: for: 'soon' is not a Prometheus duration"):
        read_rule_files([path])


def test_the_bound_adds_scrape_evaluation_for_and_group_wait() -> None:
    bound = AlertBound(scrape_s=1, evaluation_s=1, for_s=2, group_wait_s=1)
    assert bound.total_s == 5
    assert bound.describe() == "scrape 1 + evaluation 1 + for 2 + group_wait 1 = 5 s"
    slow = AlertBound(1, 1, 3, 1, delay_s=3)
    assert slow.describe() == "scrape 1 + evaluation 1 + for 3 + group_wait 1 + delay 3 = 9 s"
    # A dead target's address may hang: its failed scrape lands when the timeout ends.
    hanging = AlertBound(1, 1, 2, 1, timeout_s=1)
    assert hanging.total_s == 6
    assert hanging.describe() == (
        "scrape 1 + timeout 1 + evaluation 1 + for 2 + group_wait 1 = 6 s"
    )


def test_times_of_one_episode() -> None:
    polls = [
        poll(T0 - 1),
        Poll(T0 + 1, (ActiveAlert("RedisDown", "pending", active_at=T0 + 0.8),)),
        poll(T0 + 3, RedisDown="firing"),
        poll(T0 + 9, RedisDown="firing"),
        poll(T0 + 10),
    ]
    pages = [Page(T0 + 3.5, "firing", ("RedisDown",)), Page(T0 + 11, "resolved", ("RedisDown",))]
    times = alert_times(polls, pages, "RedisDown", T0)
    assert (times.pending_at, times.firing_at, times.notified_at) == (T0 + 0.8, T0 + 3, T0 + 3.5)
    assert (times.resolved_at, times.resolved_paged_at) == (T0 + 10, T0 + 11)


def test_a_pending_alert_that_went_away_never_fired() -> None:
    polls = [poll(T0 + 1, RedisDown="pending"), poll(T0 + 2), poll(T0 + 3)]
    times = alert_times(polls, [], "RedisDown", T0)
    assert (times.pending_at, times.firing_at, times.resolved_at) == (None, None, None)


def test_pages_before_the_fault_do_not_count() -> None:
    pages = [Page(T0 - 5, "firing", ("RedisDown",))]
    assert alert_times([], pages, "RedisDown", T0).notified_at is None


def test_what_fired_in_a_window_and_what_was_there_before() -> None:
    polls = [poll(T0 - 1, LowCacheHitRate="firing"), poll(T0 + 2, HighErrorRate="pending")]
    pages = [Page(T0 + 4, "firing", ("RedisDown", "HighErrorRate"))]
    assert fired(polls, pages, T0, T0 + 10) == {"RedisDown", "HighErrorRate"}
    assert active_before(polls, T0) == {"LowCacheHitRate"}


def test_an_alertmanager_notification_is_read() -> None:
    body = json.dumps(
        {
            "version": "4",
            "status": "firing",
            "alerts": [{"labels": {"alertname": "RedisDown"}}, {"labels": {"alertname": "A"}}],
        }
    ).encode()
    assert parse_notification(body, 5.0) == Page(5.0, "firing", ("A", "RedisDown"))


def test_the_pager_times_each_notification_on_the_monotonic_clock() -> None:
    port = free_port()
    with Pager("127.0.0.1", port) as pager:
        before = time.monotonic()
        body = {"status": "resolved", "alerts": [{"labels": {"alertname": "DiskFull"}}]}
        assert httpx.post(f"http://127.0.0.1:{port}/alerts", json=body).status_code == 200
        assert httpx.post(f"http://127.0.0.1:{port}/alerts", content=b"nope").status_code == 400
        (page,) = pager.pages()
    assert page.status == "resolved" and page.names == ("DiskFull",)
    assert before <= page.t <= time.monotonic()


def test_the_pager_never_listens_on_every_interface() -> None:
    with pytest.raises(DrillbookError, match="one address"):
        Pager("0.0.0.0", 9095)
