"""The labels drillbook puts on everything it creates, and the filters that find them.

Only objects carrying MANAGED are ever touched, removed or faulted by drillbook.
"""

from __future__ import annotations

import os
import socket

MANAGED = "io.drillbook.managed"
RUN = "io.drillbook.run"
SERVICE = "io.drillbook.service"
REPLICA = "io.drillbook.replica"
MODE = "io.drillbook.mode"  # "session": owned by a live process; "detached": `stack up`
OWNER_PID = "io.drillbook.owner-pid"
OWNER_HOST = "io.drillbook.owner-host"
STACK = "io.drillbook.stack"
IMAGE_HASH = "io.drillbook.content-hash"


def run_labels(run_id: str, stack: str, mode: str) -> dict[str, str]:
    return {
        MANAGED: "true",
        RUN: run_id,
        STACK: stack,
        MODE: mode,
        OWNER_PID: str(os.getpid()),
        OWNER_HOST: socket.gethostname(),
    }


def managed_filter(**extra: str) -> dict[str, str | list[str] | bool]:
    return {"label": [f"{MANAGED}=true", *(f"{k}={v}" for k, v in extra.items())]}


def owner_alive(labels: dict[str, str]) -> bool:
    """Whether the process that created an object is still running on this host."""
    if labels.get(OWNER_HOST) != socket.gethostname():
        return True  # another host's run: not ours to judge
    try:
        pid = int(labels.get(OWNER_PID, ""))
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
