"""Calibration: freeze the api for exactly N seconds; the measured outage must agree.

This is what makes a TTR figure trustworthy: the probe, the clock and the maths together
are checked against an outage of known length.
"""

from __future__ import annotations

import time

import pytest

from drillbook.observe.measurement import measure
from drillbook.observe.probe import Probe
from drillbook.stack import Stack

pytestmark = pytest.mark.selfcheck


@pytest.mark.parametrize("outage_s", [1.0, 3.0])
def test_measured_outage_matches_a_known_freeze(drillbook_stack: Stack, outage_s: float) -> None:
    api = drillbook_stack.service("api")
    with Probe(api.url + "/health", period_s=0.1, timeout_s=0.5) as probe:
        assert probe.wait_steady(1.0, timeout_s=10) is not None
        paused_at = time.monotonic()
        api.pause()
        try:
            time.sleep(outage_s - (time.monotonic() - paused_at))
        finally:
            api.unpause()
            unpaused_at = time.monotonic()
        assert probe.wait_steady(1.0, timeout_s=10, since=unpaused_at) is not None
    m = measure(probe.samples(), paused_at, stability_s=1.0)
    assert m.outage_s is not None and m.ttd_s is not None
    true_outage = unpaused_at - paused_at
    print(f"freeze {true_outage:.3f} s: measured outage {m.outage_s:.3f} s, TTD {m.ttd_s:.3f} s")
    # Two probe periods either way: a sample is sent every 0.1 s.
    assert abs(m.outage_s - true_outage) <= 0.2
    assert 0 <= m.ttd_s <= 0.2
