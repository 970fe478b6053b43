"""Redis down: kill it under load, restart it, and measure detection and recovery.

The remediation here is the plain call a runbook's "restart Redis" step comes down to.
The second test skips the remediation and must come out red: a drill that cannot fail
would prove nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from drillbook import DrillPlan, Verdict, assert_recovered, run_drill
from drillbook.load import LoadRun
from drillbook.observe.probe import Probe, fully_ready
from drillbook.stack import Stack

pytestmark = pytest.mark.selfcheck

TARGET_S = 30.0  # MTTR target for this drill
STABILITY_S = 5.0


def redis_plan(stack: Stack, *, remediate: bool, target_s: float = TARGET_S) -> DrillPlan:
    redis = stack.service("redis")

    def restart() -> None:
        # "Restart Redis, then check it answers PING."
        redis.start()
        redis.wait_ready()

    def revert() -> None:
        if redis.status() != "running":
            redis.start()
        redis.wait_ready()

    return DrillPlan(
        name="redis-down",
        inject=redis.kill,
        revert=revert,
        remediate=restart if remediate else None,
        target_s=target_s,
        detect_within_s=5.0,
        stability_s=STABILITY_S,
        respond_after_s=2.0,  # the page is acknowledged
    )


@pytest.fixture
def fail_closed_api(drillbook_stack: Stack) -> Iterator[None]:
    """The api with its rate limit failing closed: without Redis it refuses work, so a Redis
    outage is an outage the users see (by default the api degrades and serves on)."""
    drillbook_stack.recreate("api", env={"RATE_LIMIT_FAIL_OPEN": "false"})
    yield
    drillbook_stack.recreate("api")


@pytest.mark.usefixtures("fail_closed_api")
def test_redis_down_recovers_within_target(
    drillbook_stack: Stack, drillbook_load: Callable[..., LoadRun]
) -> None:
    api = drillbook_stack.service("api")
    load = drillbook_load(api.url, users=10)
    with Probe(api.url + "/ready", period_s=0.1, ok=fully_ready) as probe:
        result = run_drill(redis_plan(drillbook_stack, remediate=True), probe)
    print(result.reason())

    assert_recovered(result)
    m = result.measurement
    assert m is not None and m.ttd_s is not None and m.recovered_at is not None
    assert m.ttd_s < 1.0, "a killed Redis should fail /ready within a few probe periods"

    # The load saw the outage and its end, on the same monotonic clock as the probe.
    requests = load.requests()
    assert load.running(), f"Locust died during the drill:\n{load.log_tail()}"
    during = [r for r in requests if r.end >= m.injected_at and r.start <= m.recovered_at]
    after = [r for r in requests if r.start >= m.recovered_at and r.name != "GET /health"]
    failed = [r for r in during if not r.ok]
    print(
        f"load: {len(requests)} requests, {len(failed)} of {len(during)} failed during the "
        f"outage, {len(after)} API requests after recovery"
    )
    assert failed, "the load never saw Redis being down"
    assert after, "the load made no API request after recovery"
    assert all(r.ok for r in after), (
        f"failures after recovery: {[r for r in after if not r.ok][:3]}"
    )


def test_drill_goes_red_without_remediation(
    drillbook_stack: Stack, drillbook_load: Callable[..., LoadRun]
) -> None:
    api = drillbook_stack.service("api")
    drillbook_load(api.url, users=2)
    with Probe(api.url + "/ready", period_s=0.1, ok=fully_ready) as probe:
        result = run_drill(redis_plan(drillbook_stack, remediate=False, target_s=6.0), probe)

    assert result.verdict is Verdict.NOT_RECOVERED, result.reason()
    with pytest.raises(AssertionError, match="not recovered within target"):
        assert_recovered(result)
    # The revert in the drill's finalizer brought Redis back for whatever runs next.
    assert drillbook_stack.service("redis").status() == "running"
