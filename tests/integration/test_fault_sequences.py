"""Any sequence of inject and revert, over fault types drawn at random, ends with a clean stack.

Hypothesis drives a state machine against the real reference stack: it injects and reverts
faults in any order (twice in a row, revert before inject, several at once), then reverts
whatever is still in, as a finalizer would, and checks that no trace of any fault remains and
the api is fully ready again.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from drillbook.faults import Fault, find_leftovers, make_fault
from drillbook.stack import Stack

pytestmark = pytest.mark.integration

# (kind, parameters, what it occupies). Two faults on the same thing are not injected at once:
# e.g. cache-flush needs a Redis that kill has just taken away.
POOL: list[tuple[str, dict[str, Any], str]] = [
    ("latency", {"link": "api-redis", "latency_ms": 200}, "link-redis"),
    ("reset-peer", {"link": "api-postgres"}, "link-postgres"),
    ("link-down", {"link": "api-vectordb"}, "link-vectordb"),
    ("provider-errors", {"rate": 0.5}, "provider"),
    ("provider-hang", {"service": "provider-fallback"}, "provider-fallback"),
    ("pause", {"service": "vectordb"}, "vectordb"),
    ("kill", {"service": "redis"}, "redis"),
    ("partition", {"service": "redis", "peer": "toxiproxy"}, "redis"),
    ("cache-flush", {}, "redis"),
    ("cpu-stress", {"service": "worker", "workers": 1}, "worker"),
    ("memory-hog", {"service": "api", "mb": 40}, "api"),
    ("table-drop", {}, "postgres"),
]


def fully_ready(url: str) -> bool:
    try:
        return bool(httpx.get(f"{url}/ready", timeout=15).json()["status"] == "ready")
    except httpx.HTTPError:
        return False


class FaultSequences(RuleBasedStateMachine):
    stack: Stack

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[Fault[Any]] = [make_fault(self.stack, k, **p) for k, p, _ in POOL]

    def _free(self, index: int) -> bool:
        target = POOL[index][2]
        return not any(
            f.active and POOL[i][2] == target and i != index for i, f in enumerate(self.faults)
        )

    @rule(index=st.integers(0, len(POOL) - 1))
    def inject(self, index: int) -> None:
        if self._free(index):
            self.faults[index].inject()
            assert self.faults[index].active

    @precondition(lambda self: any(f.active for f in self.faults))
    @rule(data=st.data())
    def revert_one(self, data: st.DataObject) -> None:
        active = [f for f in self.faults if f.active]
        chosen = data.draw(st.sampled_from(active))
        chosen.revert()
        assert not chosen.active

    @rule(index=st.integers(0, len(POOL) - 1))
    def revert_any(self, index: int) -> None:
        self.faults[index].revert()  # whether or not it is in

    def teardown(self) -> None:
        for f in reversed(self.faults):
            f.revert()
        url = self.stack.service("api").url
        deadline = time.monotonic() + 30
        while not fully_ready(url):
            assert time.monotonic() < deadline, "api not fully ready after every revert"
            time.sleep(0.2)
        assert find_leftovers(self.stack) == []


def test_any_sequence_of_faults_ends_clean(drillbook_stack: Stack) -> None:
    FaultSequences.stack = drillbook_stack
    run_state_machine_as_test(
        FaultSequences,
        settings=settings(
            max_examples=8,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
