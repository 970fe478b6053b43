"""A schedule of faults: each injected at its time, reverted at its end or at revert()."""

from __future__ import annotations

import time
from typing import Any

import pytest

from drillbook.drills.schedule import FaultSchedule
from drillbook.errors import DrillbookError


class Recorded:
    """A fault that only records when it was injected and reverted (pure timing logic)."""

    def __init__(self, name: str, log: list[tuple[str, str, float]], t0: float) -> None:
        self.name, self.log, self.t0 = name, log, t0
        self.active = False

    def inject(self) -> None:
        if not self.active:
            self.active = True
            self.log.append(("inject", self.name, time.monotonic() - self.t0))

    def revert(self) -> None:
        if self.active:
            self.active = False
            self.log.append(("revert", self.name, time.monotonic() - self.t0))

    def describe(self) -> str:
        return self.name


def schedule(*timed: tuple[str, float, float | None]) -> tuple[FaultSchedule, list[Any]]:
    log: list[tuple[str, str, float]] = []
    t0 = time.monotonic()
    faults: Any = [(Recorded(n, log, t0), at, lasts) for n, at, lasts in timed]
    return FaultSchedule(faults), log


def test_faults_come_and_go_on_their_schedule() -> None:
    s, log = schedule(("b", 0.3, None), ("a", 0.0, 0.2))
    s.inject()
    assert [e[:2] for e in log] == [("inject", "a")]  # only what is due at 0, at once
    time.sleep(0.5)
    assert [e[:2] for e in log] == [("inject", "a"), ("revert", "a"), ("inject", "b")]
    assert log[1][2] == pytest.approx(0.2, abs=0.1)
    assert log[2][2] == pytest.approx(0.3, abs=0.1)
    s.revert()
    assert log[-1][:2] == ("revert", "b")
    assert s.describe() == "a at 0 s for 0.2 s + b at 0.3 s"


def test_revert_stops_the_timer_and_reverts_newest_first() -> None:
    s, log = schedule(("a", 0.0, None), ("b", 0.0, None), ("c", 5.0, None))
    s.inject()
    s.revert()
    time.sleep(0.1)
    assert [e[:2] for e in log] == [
        ("inject", "a"),
        ("inject", "b"),
        ("revert", "b"),
        ("revert", "a"),
    ]  # c never came: the drill ended first
    s.revert()  # idempotent
    assert len(log) == 4


def test_a_scheduled_fault_that_fails_is_reported_by_revert() -> None:
    s, log = schedule(("a", 0.0, None), ("b", 0.05, None))

    def broken() -> None:
        raise DrillbookError("no such container")

    s.faults[1].inject = broken  # type: ignore[method-assign]
    s.inject()
    time.sleep(0.2)
    with pytest.raises(DrillbookError, match="a scheduled fault failed: no such container"):
        s.revert()
    assert log[-1][:2] == ("revert", "a")  # the others were still reverted
