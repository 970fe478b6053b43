"""Set-up that needs nobody: engine, base image and the stack's images, each only if missing.

    spec, client = prepare("fixtures/stack.yaml", None, print)

The definition is read first, so that bad input fails before Docker is touched.
"""

from __future__ import annotations

import time
from pathlib import Path

import docker

from drillbook.host import engine
from drillbook.host.progress import Progress
from drillbook.stack import reaper
from drillbook.stack.compose.plugin import ensure_compose_plugin
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.images import ensure_images, image_ref
from drillbook.stack.kube.spec import refuse_manifests
from drillbook.stack.spec import StackSpec


def prepare(
    stack_path: str | Path,
    profile: str | None,
    progress: Progress,
    *,
    install_engine: bool | None = None,
) -> tuple[StackSpec, docker.DockerClient]:
    """The stack definition and a client of an engine ready to start it.

    With `install_engine` (True or False) the engine is started first, installed only if
    True. Leftovers of killed runs are removed and the images that changed are built.
    """
    spec = load_stack_spec(stack_path, profile)
    refuse_manifests(spec)
    if install_engine is not None:
        engine.ensure_engine(progress, install=install_engine)
    client = engine.connect()
    try:
        reaped = reaper.reap_dead_runs(client)
        if reaped:
            progress(f"removed {reaped} objects left by a killed run")
        ensure_images(client, spec, progress)
    except BaseException:
        client.close()
        raise
    return spec, client


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
    return {
        service.name: image_ref(service)
        for service in spec.services.values()
        if service.build is not None or service.image  # else Compose builds it itself
    }
