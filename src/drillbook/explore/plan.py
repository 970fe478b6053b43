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
Act = Inject | tuple[str, Inject] | Hold | Remediate  # a step as run: a revert names its fault


@dataclass(frozen=True)
class Canonical:
    """A schedule as it acts: every revert names its fault; no-op steps are gone."""

    steps: tuple[Act, ...]

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
    out: list[Act] = []
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


# How many faults overlap: drawn first, two most often (the bugs a one-fault catalogue misses
# need overlapping faults); the first is the simplest, so shrinking tries one fault first.
OVERLAPS = (1, 2, 2, 2, 3)
STAGGERS = (0.0, 1.0, 2.0)  # seconds between two injections; 0: injected together
OVERLAP_S = (2, 4)  # seconds every fault is in at once (the drill holds 2 s more at the end)


def target_strategy(
    space: Space, broken: frozenset[str] = frozenset()
) -> st.SearchStrategy[Target]:
    """A target on a service not `broken` yet: half the time from the targets tried first
    (`space.early`), else from all of them.

    A second fault on a service already broken (pause redis, then its link down) breaks
    nothing more for the degraded-mode judge, so it is not drawn. Each draw's simplest choice
    is the first target left, so Hypothesis' early examples (a random start, completed with
    the simplest choices) and its shrinking lean on the targets tried first.
    """
    left = [t for t in space.targets if space.breaks[t] not in broken]
    early = [t for t in space.targets[: space.early] if space.breaks[t] not in broken]
    targets = st.sampled_from(left)
    if 0 < len(early) < len(left):
        targets = st.one_of(st.sampled_from(early), targets)
    return targets


def inject_strategy(target: Target) -> st.SearchStrategy[Inject]:
    """The fault of `target`, its parameters drawn within their bounds."""
    return param_strategy(target.kind).map(
        lambda drawn: Inject(target.kind, as_fields(params_of(target, drawn)))
    )


def steps_strategy(
    space: Space, runbooks: Sequence[str] = (), max_faults: int = 3
) -> st.SearchStrategy[list[Step]]:
    """Schedules: how many faults overlap, the faults (each on another service), injected
    in turn a few seconds apart and held together; then, maybe, one reverted and the others
    held alone, or a runbook's resolution run."""
    services = {space.breaks[t] for t in space.targets}
    overlaps = [n for n in OVERLAPS if n <= min(max_faults, len(services))] or [1]
    after: list[st.SearchStrategy[list[Step]]] = [
        st.tuples(st.integers(0, 2), st.sampled_from(OVERLAP_S)).map(
            lambda r: [Revert(r[0]), Hold(float(r[1]))]
        )
    ]
    if runbooks:
        after.append(st.sampled_from(list(runbooks)).map(lambda rid: [Remediate(rid)]))

    @st.composite
    def schedule(draw: st.DrawFn) -> list[Step]:
        n = draw(st.sampled_from(overlaps))
        steps: list[Step] = []
        broken: set[str] = set()
        for i in range(n):
            if i:
                steps.append(Hold(draw(st.sampled_from(STAGGERS))))
            target = draw(target_strategy(space, frozenset(broken)))
            broken.add(space.breaks[target])
            steps.append(draw(inject_strategy(target)))
        steps.append(Hold(float(draw(st.sampled_from(OVERLAP_S)))))
        then: list[Step] = draw(st.one_of(st.just([]), *after))
        return steps + then

    return schedule()


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
