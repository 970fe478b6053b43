"""A person's pace through a runbook: the seconds each kind of step costs beyond the machine.

Used by the as-written timeline of a drill (`drillbook.drills.aswritten`); a scenario sets its
own with `operator: {command_s: 30, prose_s: 45, dashboard_s: 90, wait_s: 5}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drillbook.runbooks.model import StepKind

# A prose step that sends the reader to look at something takes longer than one that says
# what to do.
_LOOK = re.compile(r"\b(dashboards?|grafana|graphs?|panels?|kibana|logs?|traces?)\b", re.I)


@dataclass(frozen=True)
class OperatorModel:
    """Seconds a person spends on a step beyond what the machine took.

    The defaults are deliberately modest (a practised on-call engineer, runbook open, shell
    ready); a scenario sets its own with `operator: {command_s: 30, ...}`.
    """

    command_s: float = 20.0  # read a command, paste or type it, read what it printed
    prose_s: float = 30.0  # read a prose step and carry it out
    dashboard_s: float = 60.0  # find and read a dashboard, graph or log the step names
    wait_s: float = 5.0  # read a written wait (the wait itself is honoured in full)
    read_s: float = 5.0  # read a line that only introduces the next step ("Restart it:")

    def overhead(self, kind: StepKind, text: str) -> tuple[float, str]:
        """A person's extra seconds for one step, and what they are for."""
        if kind is StepKind.WAIT:
            return self.wait_s, "read the wait"
        if kind is StepKind.MANUAL:
            if text.rstrip().endswith(":"):
                return self.read_s, "read"
            if _LOOK.search(text):
                return self.dashboard_s, "look at a dashboard or logs"
            return self.prose_s, "read and act"
        return self.command_s, "type and read"
