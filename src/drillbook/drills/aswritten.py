"""The as-written timeline: how long recovery takes when a person follows the runbook.

A drill measures the machine: the executor runs each step as fast as the stack answers, and a
written wait ("wait 3 minutes for Redis to load its AOF") becomes a readiness poll. An MTTR
target is a promise about people at 3 a.m., so beside the machine's TTR each drill projects
the TTR of a person following the runbook as written:

    person's step = what the machine took, or the written wait if longer
                    + the time to read and act on the step (the operator model)

The page acknowledgement (`respond_after`) is already in the machine's timeline. The person's
remediation starts where the machine's did and ends `shift` later. The incident is resolved
when the service is steady again and the person has finished the runbook (its verification
included): recovery that came after the steps began moves by the shift, and is never earlier
than the person's last step. Recovery that did not wait for the steps — a transient fault that
ends by itself, a service that healed before anyone acted — is not moved.

Pure: no clock, no Docker.
"""

from __future__ import annotations

from collections.abc import Sequence

from drillbook.outcome.result import AsWritten, StepCost
from drillbook.runbooks.executor import StepResult
from drillbook.runbooks.pace import OperatorModel


def step_cost(result: StepResult, model: OperatorModel) -> StepCost:
    """A person's time for one executed step."""
    step = result.step
    overhead, why = model.overhead(step.kind, step.text)
    waited = result.duration_s
    if step.wait_s is not None and step.wait_s > waited:
        waited = step.wait_s
        why = f"written wait {step.wait_s:g} s, {why}"
    return StepCost(step.line, step.text, result.duration_s, waited + overhead, why)


def project(
    steps: Sequence[StepResult],
    model: OperatorModel,
    *,
    injected_at: float,
    remediation: tuple[float, float] | None,
    recovered_at: float | None,
    transient: bool,
) -> AsWritten:
    """The as-written projection of a drill whose runbook steps ran as `steps`, between the
    (start, end) of `remediation` on the monotonic clock (None: nobody remediated)."""
    costs = tuple(step_cost(r, model) for r in steps)
    shift = round(sum(c.person_s - c.machine_s for c in costs), 3)
    if recovered_at is None:
        return AsWritten(None, shift, costs)
    recovered = recovered_at
    if remediation is not None and not transient:
        started, finished = remediation
        if recovered_at >= started:
            recovered = max(recovered_at, finished) + shift
    return AsWritten(round(recovered - injected_at, 3), shift, costs)
