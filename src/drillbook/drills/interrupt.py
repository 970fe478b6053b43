"""How a drillbook process is stopped: the one place that handles signals, for the CLI and the
pytest plugin.

- SIGTERM (`kill`, a CI runner's cancel) unwinds like Ctrl-C: raised as KeyboardInterrupt, it
  runs the `finally`s and finalizers that revert faults and remove containers, where the
  default action would end the process on the spot.
- SIGINT keeps Python's own handling (KeyboardInterrupt) where the process got it at its
  default; where it was started ignoring SIGINT (a background job of a script: `cmd &`,
  `nohup`), it stays ignored, as the shell asked, and SIGTERM is how such a run is stopped.
- What was there before is put back when the command or the test session ends.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType


def unwind_on_sigterm() -> Callable[[], None]:
    """Make SIGTERM raise KeyboardInterrupt, unless someone already handles it; returns the
    function that puts back what was there.

    Call it from the main thread (as `signal.signal` requires).
    """
    before = signal.getsignal(signal.SIGTERM)
    if before is not signal.SIG_DFL:
        return lambda: None  # someone else's handler (or an ignore): theirs to keep

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is _interrupt:
            signal.signal(signal.SIGTERM, before)

    signal.signal(signal.SIGTERM, _interrupt)
    return restore


@contextlib.contextmanager
def unwinding() -> Iterator[None]:
    """`unwind_on_sigterm()` for the duration of the block."""
    restore = unwind_on_sigterm()
    try:
        yield
    finally:
        restore()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
