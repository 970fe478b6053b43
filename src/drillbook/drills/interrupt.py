"""A SIGTERM (`kill`, a CI job's timeout) unwinds like Ctrl-C, for the CLI and the pytest plugin.

The default action would end the process on the spot; raised as KeyboardInterrupt, it runs
the `finally`s and finalizers that revert faults and remove containers.
"""

from __future__ import annotations

import signal
from types import FrameType


def unwind_on_sigterm() -> None:
    """Make SIGTERM raise KeyboardInterrupt, unless someone already handles it.

    Call it from the main thread (as `signal.signal` requires).
    """
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
