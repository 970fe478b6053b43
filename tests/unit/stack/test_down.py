"""`drillbook stack down [--stack FILE]`: what it keeps (pure: labels in, decision out)."""

from __future__ import annotations

import os
import socket

from drillbook.stack import labels
from drillbook.stack.reaper import kept_by_down

HOST = socket.gethostname()


def of(stack: str, mode: str, pid: int) -> dict[str, str]:
    return {
        labels.STACK: stack,
        labels.MODE: mode,
        labels.OWNER_PID: str(pid),
        labels.OWNER_HOST: HOST,
    }


DEAD = 2**22 + 1  # above pid_max's default: no such process


def test_down_removes_detached_stacks_and_dead_runs_and_keeps_live_test_runs() -> None:
    keep = kept_by_down(None)
    assert not keep(of("shop", "detached", os.getpid()))
    assert not keep(of("shop", "session", DEAD))
    assert keep(of("shop", "session", os.getpid()))


def test_down_with_a_stack_touches_that_stack_only() -> None:
    keep = kept_by_down("shop")
    assert not keep(of("shop", "detached", os.getpid()))
    assert keep(of("reference", "detached", os.getpid()))  # another stack's `stack up`
    assert keep(of("reference", "session", DEAD))
    assert keep(of("shop", "session", os.getpid()))
