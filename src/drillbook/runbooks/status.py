"""The status words of a step and of a command's translation, as enums.

Both are StrEnums whose values are the words written in result JSON and reports ("ok",
"not executable", ...): a status compares equal to its word and serialises as it.
"""

from __future__ import annotations

import enum


class StepStatus(enum.StrEnum):
    """How one runbook step went."""

    OK = "ok"
    FAILED = "failed"
    WAITED = "waited"
    MANUAL = "manual"
    SKIPPED = "skipped"
    REFUSED = "refused"
    NOT_EXECUTABLE = "not executable"


class Admission(enum.StrEnum):
    """Whether a command is admitted to run on the stack: run it, or why not.

    (A drill's outcome is `drillbook.outcome.result.Verdict`; this is one command's.)
    """

    RUN = "run"
    REFUSED = "refused"
    NOT_EXECUTABLE = "not executable"

    @property
    def step_status(self) -> StepStatus | None:
        """The step status of a command that is not run; None for RUN."""
        return None if self is Admission.RUN else StepStatus(self.value)
