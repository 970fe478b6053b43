"""Set-up that needs nobody: engine, base image and the stack's images, each only if missing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from drillbook.stack import engine, load_stack_spec
from drillbook.stack.images import ensure_images

Progress = Callable[[str], None]


def provision(
    stack_path: str | Path,
    progress: Progress,
    install_engine: bool = True,
    profile: str | None = None,
) -> dict[str, str]:
    """Make everything a drill needs exist; returns service -> image.

    Idempotent, and quick when everything is already there.
    """
    start = time.monotonic()
    spec = load_stack_spec(stack_path, profile)  # bad input fails before anything is installed
    engine.ensure_engine(progress, install=install_engine)
    client = engine.connect()
    try:
        refs = ensure_images(client, spec, progress)
    finally:
        client.close()
    progress(f"set-up complete in {time.monotonic() - start:.1f} s")
    return refs
