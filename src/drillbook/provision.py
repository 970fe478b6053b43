"""Set-up that needs nobody: engine, base image and the stack's images, each only if missing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from drillbook.runner import prepare
from drillbook.stack.compose.plugin import ensure_compose_plugin
from drillbook.stack.images import image_ref

Progress = Callable[[str], None]


def provision(
    stack_path: str | Path,
    progress: Progress,
    install_engine: bool = True,
    profile: str | None = None,
) -> dict[str, str]:
    """Make everything a drill needs exist; returns service -> image.

    Idempotent, and quick when everything is already there. Bad input fails before anything
    is installed.
    """
    start = time.monotonic()
    spec, client = prepare(stack_path, profile, progress, install_engine=install_engine)
    client.close()
    # Runbooks say `docker compose ...`, and Compose stacks are run by it.
    ensure_compose_plugin(progress)
    progress(f"set-up complete in {time.monotonic() - start:.1f} s")
    return {service.name: image_ref(service) for service in spec.services.values()}
