"""A step's role in recovery: the drill without it against the drills as written (pure).

    role, why = classify([as_written, as_written_again], without_step, Noise())

See `drillbook.drills.audit` for the drills that produce these figures.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from drillbook.outcome.result import Result, Verdict

# Verdicts of a drill that never got to judge recovery: the audit can learn nothing from it.
_NO_INCIDENT = (Verdict.NO_STEADY_STATE, Verdict.NOT_DETECTED)
# Verdicts of a drill that recovered but hurt its users beyond a promise of the scenario.
_USERS_HURT = frozenset(
    v.value
    for v in (Verdict.DEGRADED_BEYOND_BOUNDS, Verdict.IMPACT_BEYOND_BOUNDS, Verdict.DATA_LOST)
)


class Role(enum.Enum):
    """What one resolution step does for recovery, as the audit found it."""

    REQUIRED = "required"
    HELPFUL = "helpful"
    NO_EFFECT = "no effect"
    HARMFUL = "harmful"
    INCONCLUSIVE = "inconclusive"  # a drill had no incident to judge (no steady state, ...)
    NOT_DRILLED = "not drilled"  # the budget ran out, or a person's step a drill cannot do


@dataclass(frozen=True)
class Noise:
    """How far apart two drills' figures must be before the audit calls it a difference.

    One drill's TTR varies by a few probe periods (when the probe happens to look) and, on a
    shared machine, by tens of percent: a difference counts when it exceeds
    max(`periods` probe periods, `relative` of the as-written figure), and likewise for the
    error rate of the incident (at least `error_points`) and its p95 latency (at least
    `p95_ms`). The error rate, not the count of failures: a step that makes the service
    slower also makes the users send fewer requests, and so fewer that fail.
    """

    probe_period_s: float = 0.1
    periods: int = 2
    relative: float = 0.20
    error_points: float = 0.02
    p95_ms: float = 200.0

    def ttr_margin(self, ttr_s: float) -> float:
        return max(self.periods * self.probe_period_s, self.relative * ttr_s)

    def error_margin(self, rate: float) -> float:
        return max(self.error_points, self.relative * rate)

    def p95_margin(self, p95_ms: float) -> float:
        return max(self.p95_ms, self.relative * p95_ms)


@dataclass(frozen=True)
class Figures:
    """What one audit drill established, as the classifier compares it."""

    verdict: str
    recovered: bool  # within the target, at the machine's pace
    ttr_s: float | None
    failed: int  # load requests that failed from the fault to recovery
    total: int
    p95_during_ms: float | None
    as_written_ttr_s: float | None = None
    incident: bool = True  # False: no steady state or no detection, nothing to compare

    @property
    def error_rate(self) -> float:
        """The share of the incident's requests that failed (0 without requests)."""
        return self.failed / self.total if self.total else 0.0

    @classmethod
    def of(cls, result: Result) -> Figures:
        verdict = result.verdict
        recovered = verdict not in (*_NO_INCIDENT, Verdict.NOT_RECOVERED) and (
            result.ttr_s is not None
        )
        return cls(
            verdict=verdict.value,
            recovered=recovered,
            ttr_s=result.ttr_s,
            failed=result.error_budget.failed,
            total=result.error_budget.total,
            p95_during_ms=result.p95_ms.during,
            as_written_ttr_s=result.as_written.ttr_s if result.as_written else None,
            incident=verdict not in _NO_INCIDENT,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "recovered": self.recovered,
            "ttr_s": self.ttr_s,
            "failed": self.failed,
            "total": self.total,
            "p95_during_ms": self.p95_during_ms,
            "as_written_ttr_s": self.as_written_ttr_s,
        }


DEFAULT_NOISE = Noise()


def classify(
    full: Figures | Sequence[Figures], without: Figures, noise: Noise = DEFAULT_NOISE
) -> tuple[Role, str]:
    """The role of a step: the drill without it (`without`) against the drills as written.

    Pure. With several drills as written, their spread is part of the noise: a drill without
    the step must fall outside the range they span, by the margin, to count as different.
    Recovery first (required), then the scenario's promises to users (a step whose drills
    break one only with it, or only without it), then time and user impact; where leaving
    the step out is better on one and worse on the other, the recovery time decides and the
    reason says what it costs.
    """
    runs = [full] if isinstance(full, Figures) else list(full)
    if not runs or not all(f.incident for f in runs) or not without.incident:
        return Role.INCONCLUSIVE, "a drill saw no incident to judge (no steady state or detection)"
    recovered = [f for f in runs if f.recovered]
    if not without.recovered:
        if recovered:
            return Role.REQUIRED, f"without it: {without.verdict}"
        return Role.NO_EFFECT, "the service recovers neither with it nor without it"
    if not recovered:
        return Role.HARMFUL, f"without it the service recovers (TTR {without.ttr_s:.1f} s)"
    promises = _promises(recovered, without)
    if promises is not None:
        return promises
    better: list[str] = []
    worse: list[str] = []
    ttrs = [f.ttr_s for f in recovered if f.ttr_s is not None]
    assert without.ttr_s is not None  # recovered
    faster = _compare(
        ttrs, without.ttr_s, noise.ttr_margin, "TTR {} -> {} s without it", better, worse, 1
    )
    rates = [f.error_rate * 100 for f in recovered]
    _compare(
        rates,
        without.error_rate * 100,
        lambda x: noise.error_margin(x / 100) * 100,
        "error rate {} -> {} %",
        better,
        worse,
    )
    p95s = [f.p95_during_ms for f in recovered if f.p95_during_ms is not None]
    if p95s and without.p95_during_ms is not None:
        _compare(p95s, without.p95_during_ms, noise.p95_margin, "p95 {} -> {} ms", better, worse)
    if better and worse:
        # A trade-off: the recovery time decides; where it does not differ, neither way wins.
        role = {True: Role.HARMFUL, False: Role.HELPFUL, None: Role.NO_EFFECT}[faster]
        return role, "; ".join([*better, *worse]) + " (a trade-off: recovery time decides)"
    if better:
        return Role.HARMFUL, "; ".join(better)
    if worse:
        return Role.HELPFUL, "; ".join(worse)
    return Role.NO_EFFECT, "within the noise of the drills as written"


def _promises(recovered: Sequence[Figures], without: Figures) -> tuple[Role, str] | None:
    """The role where the scenario's promises to users (degraded bounds, impact, writes)
    tell it: broken in every drill as written and kept without the step, or the reverse.
    A promise is the scenario's own line between fine and not, so it decides before any
    figure compared within the noise; where the drills as written disagree, it cannot."""
    hurt = [f.verdict in _USERS_HURT for f in recovered]
    if all(hurt) and without.verdict not in _USERS_HURT:
        return Role.HARMFUL, f"as written: {recovered[0].verdict}; without it: {without.verdict}"
    if not any(hurt) and without.verdict in _USERS_HURT:
        return Role.HELPFUL, f"without it: {without.verdict}"
    return None


def _compare(
    reference: Sequence[float],
    value: float,
    margin: Callable[[float], float],
    message: str,
    better: list[str],
    worse: list[str],
    digits: int = 0,
) -> bool | None:
    """Whether `value` is below (True) or above (False) the range of `reference` by more
    than the margin of its mean (None: within); the finding goes to `better` or `worse`."""
    low, high = min(reference), max(reference)
    slack = margin(sum(reference) / len(reference))
    low_s, high_s, value_s = (f"{x:.{digits}f}" for x in (low, high, value))
    shown = low_s if low_s == high_s else f"{low_s}-{high_s}"
    if value < low - slack:
        better.append(message.format(shown, value_s))
        return True
    if value > high + slack:
        worse.append(message.format(shown, value_s))
        return False
    return None
