"""Starting scenario files, written from guessed faults (`drillbook init`); pure text.

Each file says where its incident was read and how its fault was guessed, in comments, so a
person checks the guess before trusting a verdict. A runbook without an MTTR target gets a
generous placeholder target, said as such.
"""

from __future__ import annotations

import json
from pathlib import Path

from drillbook.scenarios.guess import Guess

PLACEHOLDER_TARGET_S = 600  # for runbooks that give no MTTR: a drill still needs a target


def _flow(params: dict[str, object]) -> str:
    """A YAML flow mapping (JSON values are YAML); keys as written."""
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in params.items()) + "}"


def scenario_text(guess: Guess, runbook_path: str) -> str:
    """The YAML of a starting scenario for `guess` (which must have a fault)."""
    assert guess.fault is not None
    runbook = guess.runbook
    kind, params = guess.fault
    lines = [
        f"# Written by `drillbook init` from {runbook_path}:{runbook.line} ({runbook.title!r}).",
        f"# The fault is a guess: {guess.why}. Check it before you trust a verdict.",
        f"description: {json.dumps(runbook.title)}",
        f"fault: {_flow({'type': kind, **params})}",
        f"runbook: {_flow({'path': runbook_path, 'incident': runbook.id})}",
        "load: {users: 5}",
        "expect:",
        "  detect_within: 15",
    ]
    if runbook.mttr_s is None:
        lines.append(
            f"  recover_within: {PLACEHOLDER_TARGET_S}   # the runbook gives no MTTR target: "
            "set the one you promise"
        )
    return "\n".join(lines) + "\n"


def file_name(guess: Guess) -> str:
    """`<incident id>.yaml`, the id made safe for a file name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in guess.runbook.id).strip("-")
    return f"{safe or 'incident'}.yaml"


def relative(path: Path, root: Path) -> str:
    """`path` as the scenario names it: from the project root when under it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
