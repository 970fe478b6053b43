"""Schedules: the steps a search draws (inject, revert, wait, remediate), their canonical form,
and the scenario a schedule becomes.

Two schedules with the same canonical form do the same to the stack, so only one is run:
a no-op step (a second fault on a service or link that already has one, a revert with no
fault in, a wait with nothing broken, a revert at the very end that the drill's own
finalizer does anyway) is dropped, and waits in a row are one wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from drillbook.explore.space import Space, Target, as_fields, param_strategy, params_of


@dataclass(frozen=True)
class Inject:
    kind: str
    params: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> tuple[str, str]:
        """What the fault occupies: one fault per service, one per link."""
        return next(((k, str(v)) for k, v in self.params if k in ("service", "link")), ("", ""))

    def mapping(self) -> dict[str, Any]:
        return {"type": self.kind, **dict(self.params)}

    def describe(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.kind}({args})"


@dataclass(frozen=True)
class Revert:
    index: int  # which of the faults in, counted modulo how many there are


@dataclass(frozen=True)
class Hold:
    """Keep the faults in (or the stack as it is) for `seconds`."""

    seconds: float


@dataclass(frozen=True)
class Remediate:
    runbook: str  # a runbook id of the project


Step = Inject | Revert | Hold | Remediate


@dataclass(frozen=True)
class Canonical:
    """A schedule as it acts: every revert names its fault; no-op steps are gone."""

    steps: tuple[Inject | tuple[str, Inject] | Hold | Remediate, ...]

    @property
    def faults(self) -> list[Inject]:
        return [s for s in self.steps if isinstance(s, Inject)]

    def describe(self) -> str:
        parts = []
        for s in self.steps:
            if isinstance(s, Inject):
                parts.append(s.describe())
            elif isinstance(s, tuple):
                parts.append(f"revert {s[1].describe()}")
            elif isinstance(s, Hold):
                parts.append(f"wait {s.seconds:g} s")
            else:
                parts.append(f"runbook {s.runbook}")
        return " → ".join(parts) or "nothing"


def canonical(steps: Sequence[Step]) -> Canonical:
    """The schedule without its no-op steps (see the module's docstring)."""
    active: list[Inject] = []
    out: list[Inject | tuple[str, Inject] | Hold | Remediate] = []
    for step in steps:
        if isinstance(step, Inject):
            if any(a.key == step.key for a in active):
                continue  # the service or link already has a fault
            active.append(step)
            out.append(step)
        elif isinstance(step, Revert):
            if active:
                out.append(("revert", active.pop(step.index % len(active))))
        elif isinstance(step, Hold):
            if not active or step.seconds <= 0:
                continue  # nothing broken (or no time): only lets the stack settle
            if out and isinstance(out[-1], Hold):
                out[-1] = Hold(out[-1].seconds + step.seconds)
            else:
                out.append(step)
        else:
            out.append(step)
    while out and isinstance(out[-1], tuple):
        out.pop()  # the drill reverts whatever is left anyway
    return Canonical(tuple(out))


def steps_strategy(
    space: Space, runbooks: Sequence[str] = (), max_steps: int = 6
) -> st.SearchStrategy[list[Step]]:
    """Schedules of 1..max_steps steps, injects most often (they are what the search is for)."""

    def inject(target: Target) -> st.SearchStrategy[Step]:
        return param_strategy(target.kind).map(
            lambda drawn: Inject(target.kind, as_fields(params_of(target, drawn)))
        )

    injects = st.sampled_from(space.targets).flatmap(inject)
    choices: list[st.SearchStrategy[Step]] = [
        injects,
        st.integers(1, 4).map(lambda s: Hold(float(s))),
        injects,
        st.integers(0, 3).map(Revert),
    ]
    if runbooks:
        choices.append(st.sampled_from(list(runbooks)).map(Remediate))
    return st.lists(st.one_of(choices), min_size=1, max_size=max_steps)


@dataclass(frozen=True)
class Timed:
    """One fault of a schedule on the clock: injected at `at_s`, reverted `for_s` later."""

    fault: Inject
    at_s: float
    for_s: float


def timed(schedule: Canonical, tail_s: float = 2.0) -> tuple[list[Timed], list[str]]:
    """The faults with their times (the clock runs only in waits), and the runbooks run.

    A fault still in at the end lasts until the end, which is `tail_s` after the last step
    (the drill holds what is still in that long); a fault never waited on lasts 1 s.
    """
    clock, start = 0.0, None
    opened: dict[Inject, float] = {}
    out: list[Timed] = []
    runbooks: list[str] = []
    for step in schedule.steps:
        if isinstance(step, Inject):
            start = clock if start is None else start
            opened[step] = clock
        elif isinstance(step, tuple):
            at = opened.pop(step[1])
            out.append(Timed(step[1], at, clock - at))
        elif isinstance(step, Hold):
            clock += step.seconds
        else:
            runbooks.append(step.runbook)
    end = clock + tail_s
    out += [Timed(f, at, end - at) for f, at in opened.items()]
    origin = start or 0.0
    fixed = [Timed(t.fault, t.at_s - origin, max(1.0, t.for_s)) for t in out]
    return sorted(fixed, key=lambda t: t.at_s), runbooks
