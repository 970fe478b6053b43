"""The search: Hypothesis draws schedules, runs each as a drill, and shrinks what breaks.

    report = Search(space, driller, budget, database=dir, seed=1).run()

Hypothesis generates schedules (`plan.steps_strategy`), each is run on the live stack as one
drill (`drill.Driller`), and a drill that breaks a promise fails the example; Hypothesis then
shrinks it (fewer steps, simpler parameters), running each candidate as a drill, and its
example database keeps the failure so that the next search replays it first.

Two schedules with the same canonical form are one drill: the second is skipped and given
the first one's outcome (which also keeps shrinking consistent on a live stack). The budget
(wall clock and drills) is checked before each new drill; past it, Hypothesis' `reject()`
turns the remaining examples away and the search ends with what it has.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, seed, settings, target
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Unsatisfiable

from drillbook.explore.drill import Outcome
from drillbook.explore.plan import Canonical, Step, canonical, steps_strategy
from drillbook.explore.space import Space


@dataclass(frozen=True)
class Budget:
    seconds: float
    drills: int


@dataclass
class Found:
    """A schedule that broke a promise, and when the search saw it."""

    schedule: Canonical
    outcome: Outcome
    drill: int  # how many drills had run when it was found
    at_s: float  # seconds into the search


@dataclass
class Report:
    """What a search did: drills, skips and why, the first and the minimal failure."""

    drills: int = 0
    examples: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    first: Found | None = None
    minimal: Found | None = None
    seconds: float = 0.0
    budget_spent: bool = False

    def summary(self) -> list[str]:
        lines = [f"{self.drills} drills in {self.seconds:.0f} s ({self.examples} schedules drawn)"]
        skipped = sum(self.skipped.values())
        if skipped:
            why = ", ".join(f"{n} {reason}" for reason, n in self.skipped.most_common())
            lines.append(f"{skipped} schedules skipped: {why}")
        if self.budget_spent:
            lines.append("the budget ran out: the search stopped there")
        if self.first is not None:
            lines.append(
                f"first failure after {self.first.drill} drills, {self.first.at_s:.0f} s: "
                f"{self.first.schedule.describe()}"
            )
        if self.minimal is not None:
            m = self.minimal
            lines.append(
                f"minimal first run after {m.drill} drills, {m.at_s:.0f} s (then Hypothesis "
                f"tried simpler ones until {self.seconds:.0f} s): {m.schedule.describe()}"
            )
            lines.append(f"  broke {m.outcome.promise}: {m.outcome.detail}")
        else:
            lines.append("no promise broken")
        return lines


PRESSURE = "share of queries failed while the degraded modes promised answers"


class BudgetSpent(BaseException):
    """The budget is spent and nothing failed: the search ends. A BaseException, as
    KeyboardInterrupt is, so that Hypothesis passes it through rather than shrink it."""


class PromiseBroken(AssertionError):
    """A drill of the search broke one of drillbook's promises."""


def _fail(outcome: Outcome) -> None:
    # One raise per promise: Hypothesis tells failures apart by where they are raised, and
    # must not shrink a broken degraded mode into some other broken promise.
    message = f"{outcome.promise}: {outcome.detail}"
    if outcome.promise == "degraded-mode":
        raise PromiseBroken(message)
    if outcome.promise == "recovery":
        raise PromiseBroken(message)
    if outcome.promise == "leftovers":
        raise PromiseBroken(message)
    if outcome.promise == "writes":
        raise PromiseBroken(message)
    raise PromiseBroken(message)


class Search:
    """A Hypothesis search over schedules of `space`, each run by `drill`."""

    def __init__(
        self,
        space: Space,
        drill: Callable[[Canonical], Outcome],
        budget: Budget,
        *,
        database: Path,
        seed: int,
        runbooks: Sequence[str] = (),
        max_faults: int = 3,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.space = space
        self.drill = drill
        self.budget = budget
        self.database = database
        self.seed = seed
        self.runbooks = tuple(runbooks)
        self.max_faults = max_faults
        self.say = say
        self.report = Report()
        self._memo: dict[Canonical, Outcome] = {}
        self._failures: dict[Canonical, Found] = {}  # each failing schedule, when first run
        self._start = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def _spent(self) -> bool:
        return self.report.drills >= self.budget.drills or self.elapsed() >= self.budget.seconds

    def outcome(self, steps: Sequence[Step]) -> Outcome:
        """The outcome of a schedule: from the memo when an equivalent one ran, else a drill."""
        self.report.examples += 1
        schedule = canonical(steps)
        if not schedule.faults:
            self.report.skipped["inject nothing (no-op steps only)"] += 1
            return Outcome()
        if schedule in self._memo:
            self.report.skipped["equivalent to one already run (no-op steps dropped)"] += 1
            return self._memo[schedule]
        if self._spent():
            self.report.budget_spent = True
            if self.report.first is None:
                # Nothing to shrink: end the run now. Turned away one by one, Hypothesis
                # would draw on for minutes (equivalents of drills already run count as
                # valid examples, and its patience for invalid ones grows with them).
                raise BudgetSpent
            reject()  # shrinking goes on through the schedules already run
        outcome = self.drill(schedule)
        self.report.drills += 1
        self._memo[schedule] = outcome
        if outcome.failed:
            self._found(schedule, outcome)
        self._progress(schedule, outcome)
        return outcome

    def _found(self, schedule: Canonical, outcome: Outcome) -> None:
        found = Found(schedule, outcome, self.report.drills, round(self.elapsed(), 1))
        self._failures[schedule] = found
        self.report.first = self.report.first or found
        best = self.report.minimal
        # Hypothesis decides what is smaller; this is only the progress line's "best so far".
        if best is None or len(schedule.steps) <= len(best.schedule.steps):
            self.report.minimal = found

    def _progress(self, schedule: Canonical, outcome: Outcome) -> None:
        left = max(0.0, self.budget.seconds - self.elapsed())
        verdict = f"broke {outcome.promise}" if outcome.failed else "kept every promise"
        best = self.report.minimal
        line = (
            f"drill {self.report.drills}/{self.budget.drills} ({outcome.seconds:.0f} s, "
            f"{left:.0f} s left, {sum(self.report.skipped.values())} skipped): "
            f"{schedule.describe()}: {verdict}"
        )
        if best is not None:
            faults = len(best.schedule.faults)
            line += f" · best failure so far: {faults} faults, {best.schedule.describe()}"
        self.say(line)

    def run(self) -> Report:
        """Search until the budget is spent or Hypothesis is done; shrink what failed."""
        self._start = time.monotonic()
        last_failure: list[Canonical] = []

        @settings(
            max_examples=max(1, self.budget.drills * 3),
            deadline=None,
            database=DirectoryBasedExampleDatabase(str(self.database)),
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            # reuse: a failure kept in the database is replayed before anything new is drawn;
            # target: hill-climbs on the failed queries' share (see `schedules`).
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        # The seed under the settings: `@seed` drops the database from the settings it finds
        # (to reproduce one run exactly), and these settings bring it back.
        @seed(self.seed)
        @given(steps_strategy(self.space, self.runbooks, self.max_faults))
        def schedules(steps: list[Step]) -> None:
            outcome = self.outcome(steps)
            # A schedule that failed some queries where answers were promised, without
            # breaking the promise yet, is nearer to one that does.
            target(outcome.pressure, label=PRESSURE)
            if outcome.failed:
                last_failure[:] = [canonical(steps)]
                _fail(outcome)

        # Another space (stack, pool), other examples in the database.
        inner: Any = schedules.hypothesis.inner_test  # type: ignore[attr-defined]
        inner._hypothesis_internal_add_digest = self.space.digest()
        try:
            schedules()
        except PromiseBroken:
            # Hypothesis replays the minimal example last: it is the last failure seen.
            schedule = last_failure[0]
            self.report.minimal = self._failures[schedule]
        except BudgetSpent:
            pass
        except Unsatisfiable:
            pass  # every example turned away: the budget was spent before any drill
        self.report.seconds = round(self.elapsed(), 1)
        return self.report
