"""Auditing a runbook: which of its resolution steps matter, learned by leaving each one out.

    plan = plan_audit(scenario)                 # as written, each step left out, none
    audit = run_audit(plan, drill=..., budget=Budget(max_drills=5))
    for row in audit.rows: print(row.step.line, row.role.value, row.why)

One drill runs the runbook as written; one drill per resolution step runs it without that
step; one drill runs none of them. Each step is then classified by comparing the drill
without it with the drill as written (`classify`, pure):

- required: without it the service does not recover within the target;
- helpful: without it recovery is slower, or users see more failures or a higher p95;
- harmful: without it recovery is faster, or users see fewer failures or a lower p95;
- no effect: neither, beyond the noise of one drill (`Noise`).

Drills are judged at the machine's pace: leaving a step out always saves a person the time
to read and type it, so the as-written figure would call every step harmful. What a step
does to the *service* is the machine's TTR and the users' requests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drillbook.drills.steprole import DEFAULT_NOISE, Figures, Noise, Role, classify
from drillbook.outcome.result import Result
from drillbook.runbooks.model import Runbook, Section, Step, StepKind
from drillbook.scenarios.model import Scenario

# -- the plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditDrill:
    """One drill of an audit: the runbook with `left_out` steps left out."""

    label: str  # "as written", "without line 23", "none"
    slug: str  # its folder under <results>/audit/<scenario>/
    left_out: tuple[Step, ...] = ()

    def runbook(self, runbook: Runbook) -> Runbook:
        return runbook.without(*self.left_out) if self.left_out else runbook


@dataclass(frozen=True)
class AuditPlan:
    """The drills an audit runs, in order, and the steps it audits."""

    scenario: Scenario
    runbook: Runbook
    target_s: float
    drills: tuple[AuditDrill, ...]
    steps: tuple[Step, ...]  # the resolution steps a drill can leave out
    manual: tuple[Step, ...] = ()  # steps a person carries out: no drill can tell their role


AS_WRITTEN = AuditDrill("as written", "as-written")
# The runbook as written once more, last: two runs as written show how much one drill's
# figures vary on this machine (a first drill on a fresh stack is often the slowest).
AGAIN = AuditDrill("as written again", "as-written-again")


def plan_audit(scenario: Scenario, runbook: Runbook, target_s: float) -> AuditPlan:
    """As written first (every other drill is compared with it), then each resolution step
    left out, then none of them, then as written again (the spread of the two is noise).
    A prose step is not drilled: the executor does not do it,
    so leaving it out changes nothing a drill could see."""
    resolution = runbook.section_steps(Section.RESOLUTION)
    steps = tuple(s for s in resolution if s.kind is not StepKind.MANUAL)
    manual = tuple(s for s in resolution if s.kind is StepKind.MANUAL)
    drills = [AS_WRITTEN]
    drills += [AuditDrill(f"without line {s.line}", f"without-line-{s.line}", (s,)) for s in steps]
    if len(steps) > 1:  # with one step, "none" is the drill without it
        drills.append(AuditDrill("none", "none", steps))
    drills.append(AGAIN)
    return AuditPlan(scenario, runbook, target_s, tuple(drills), steps, manual)


@dataclass(frozen=True)
class Estimate:
    """How long an audit's drills take: likely (recovering as the last run did) and at most
    (every drill waiting out its target)."""

    drills: int
    likely_s: float
    at_most_s: float
    basis: str

    def line(self) -> str:
        return (
            f"{self.drills} drills, about {_minutes(self.likely_s)} ({self.basis}), "
            f"at most {_minutes(self.at_most_s)} if no drill recovers before its target"
        )


# A drill's cost beyond its TTR: load start, steady state held, the stability window, the
# stack's reset; seen at 20-40 s on the reference stack.
DRILL_OVERHEAD_S = 30.0


def estimate(plan: AuditPlan, drills: int, last_ttr_s: float | None) -> Estimate:
    """The time `drills` drills of `plan` take, from the last recorded TTR if there is one."""
    scenario = plan.scenario
    lasts = scenario.duration_s or 0.0
    worst = DRILL_OVERHEAD_S + lasts + plan.target_s + scenario.steady.stability_s
    if last_ttr_s is None:
        likely, basis = worst, "no run in the history: each drill up to its target"
    else:
        likely = DRILL_OVERHEAD_S + last_ttr_s
        basis = f"the last run recovered in {last_ttr_s:.1f} s"
    return Estimate(drills, drills * likely, drills * worst, basis)


def drill_at_most_s(plan: AuditPlan) -> float:
    """The longest one drill of `plan` can take: until the target, and a little more."""
    return estimate(plan, 1, None).at_most_s


# -- running it --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """Caps on an audit: a number of drills, and minutes of wall time."""

    max_drills: int | None = None
    minutes: float | None = None


@dataclass(frozen=True)
class Drilled:
    """One audit drill as it ran: its figures, wall time and result file."""

    drill: AuditDrill
    figures: Figures
    wall_s: float
    path: str = ""


@dataclass(frozen=True)
class StepRole:
    """One resolution step and what the audit found it does."""

    step: Step
    role: Role
    why: str
    without: Figures | None = None


@dataclass(frozen=True)
class Audit:
    """An audit's outcome: each step's role, every drill's figures, what was not drilled."""

    scenario: str
    runbook: str
    target_s: float
    noise: Noise
    drilled: tuple[Drilled, ...]
    rows: tuple[StepRole, ...]
    skipped: tuple[str, ...] = field(default=())  # labels of drills the budget left out

    def figures(self, label: str) -> Figures | None:
        return next((d.figures for d in self.drilled if d.drill.label == label), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "runbook": self.runbook,
            "target_s": self.target_s,
            "noise": {
                "ttr": f"max({self.noise.periods} probe periods of "
                f"{self.noise.probe_period_s:g} s, {self.noise.relative:.0%})",
                "error_rate": f"max({self.noise.error_points:.0%} points, "
                f"{self.noise.relative:.0%})",
                "p95": f"max({self.noise.p95_ms:g} ms, {self.noise.relative:.0%})",
            },
            "drills": [
                {
                    "label": d.drill.label,
                    "left_out": [s.line for s in d.drill.left_out],
                    "wall_s": round(d.wall_s, 1),
                    "result": d.path,
                    **d.figures.as_json(),
                }
                for d in self.drilled
            ],
            "steps": [
                {
                    "line": r.step.line,
                    "text": r.step.text,
                    "kind": r.step.kind.value,
                    "role": r.role.value,
                    "why": r.why,
                }
                for r in self.rows
            ],
            "not_drilled": list(self.skipped),
        }


DrillFn = Callable[[AuditDrill], tuple[Result, str]]


def run_audit(
    plan: AuditPlan,
    drill: DrillFn,
    budget: Budget = Budget(),
    noise: Noise = DEFAULT_NOISE,
    progress: Callable[[str], None] = lambda _: None,
    clock: Callable[[], float] = time.monotonic,
) -> Audit:
    """Run the plan's drills through `drill` (which runs one and returns its Result and
    result file) within `budget`, and classify each step. A drill starts only if the budget
    still has room for its longest possible run."""
    drills = plan.drills[: budget.max_drills] if budget.max_drills is not None else plan.drills
    start = clock()
    done: list[Drilled] = []
    skipped = [d.label for d in plan.drills[len(drills) :]]
    longest = drill_at_most_s(plan)
    for i, d in enumerate(drills, 1):
        spent = clock() - start
        if budget.minutes is not None and spent + longest > budget.minutes * 60:
            skipped = [x.label for x in drills[i - 1 :]] + skipped
            progress(
                f"budget: {_minutes(spent)} spent, a drill may take {_minutes(longest)}: "
                f"{len(skipped)} drill(s) left out"
            )
            break
        what = ", ".join(f"`{s.text}`" for s in d.left_out[:1]) if len(d.left_out) == 1 else ""
        progress(f"drill {i}/{len(drills)}: {d.label}" + (f" ({what})" if what else ""))
        began = clock()
        result, path = drill(d)
        figures = Figures.of(result)
        done.append(Drilled(d, figures, clock() - began, path))
        progress(f"  {_summary(figures)}; {clock() - began:.0f} s")
    rows = _roles(plan, done, noise)
    return Audit(
        plan.scenario.name,
        f"{plan.runbook.path}#{plan.runbook.id}",
        plan.target_s,
        noise,
        tuple(done),
        rows,
        tuple(skipped),
    )


def _roles(plan: AuditPlan, done: Sequence[Drilled], noise: Noise) -> tuple[StepRole, ...]:
    by_label = {d.drill.label: d.figures for d in done}
    full = [by_label[d.label] for d in (AS_WRITTEN, AGAIN) if d.label in by_label]
    rows = []
    for step in plan.runbook.section_steps(Section.RESOLUTION):
        if step in plan.manual:
            rows.append(StepRole(step, Role.NOT_DRILLED, "a person's step: no drill can do it"))
            continue
        label = f"without line {step.line}"
        without = by_label.get(label)
        if len(plan.steps) == 1 and without is None:
            without = by_label.get("none")
        if not full or without is None:
            rows.append(StepRole(step, Role.NOT_DRILLED, "left out by the budget"))
            continue
        role, why = classify(full, without, noise)
        rows.append(StepRole(step, role, why, without))
    return tuple(rows)


def _summary(f: Figures) -> str:
    ttr = "-" if f.ttr_s is None else f"{f.ttr_s:.1f} s"
    p95 = "-" if f.p95_during_ms is None else f"{f.p95_during_ms:.0f} ms"
    return f"{f.verdict}: TTR {ttr}, {f.failed}/{f.total} requests failed, p95 {p95}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


# -- the table ---------------------------------------------------------------------------------


def table(audit: Audit) -> list[str]:
    """The audit as aligned text: each drill's figures, then each step's role."""
    rows = [("drill", "verdict", "TTR", "failed", "p95 during", "wall")]
    for d in audit.drilled:
        f = d.figures
        rows.append(
            (
                d.drill.label,
                f.verdict,
                "-" if f.ttr_s is None else f"{f.ttr_s:.1f} s",
                f"{f.failed}/{f.total}",
                "-" if f.p95_during_ms is None else f"{f.p95_during_ms:.0f} ms",
                f"{d.wall_s:.0f} s",
            )
        )
    lines = _aligned(rows)
    lines.append("")
    steps = [("line", "step", "role", "why")]
    for r in audit.rows:
        text = r.step.text if len(r.step.text) <= 48 else r.step.text[:45] + "..."
        steps.append((str(r.step.line), text, r.role.value, r.why))
    lines += _aligned(steps)
    if audit.skipped:
        lines.append(f"not drilled (budget): {', '.join(audit.skipped)}")
    return lines


def _aligned(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=False)), row[-1]])
        for row in rows
    ]
