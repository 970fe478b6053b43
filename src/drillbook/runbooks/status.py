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


class Verdict(enum.StrEnum):
    """What may be done with a command: run it, or why not."""

    RUN = "run"
    REFUSED = "refused"
    NOT_EXECUTABLE = "not executable"

    @property
    def step_status(self) -> StepStatus | None:
        """The step status of a command that is not run; None for RUN."""
        return None if self is Verdict.RUN else StepStatus(self.value)
