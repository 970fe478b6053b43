"""Which local image each image a manifest names runs as, in a cluster with no registry.

A manifest names `drillbook/api` (untagged, `imagePullPolicy: Never`): it means the image the
Docker stack builds from `fixtures/images/api/`, whose tag is the content hash of that build
context (`drillbook.stack.images.image_ref`). Any other image is taken as written, from the
local Docker engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from drillbook.host.progress import Progress, quiet
from drillbook.stack.images import image_ref
from drillbook.stack.spec import StackSpec, read_stack_yaml

REFERENCE_REPOSITORY = "drillbook/"
REFERENCE_STACK = Path(__file__).resolve().parents[4] / "fixtures" / "stack.yaml"


def local_images(written: Iterable[str], reference: StackSpec) -> dict[str, str]:
    """`{image as written: local reference}` for the untagged `drillbook/<context>` images."""
    by_context = {
        s.build.context.name: s for s in reference.services.values() if s.build is not None
    }
    found = {}
    for image in written:
        name = image.removeprefix(REFERENCE_REPOSITORY)
        if image.startswith(REFERENCE_REPOSITORY) and ":" not in name and name in by_context:
            found[image] = image_ref(by_context[name])
    return found


def prepare_images(written: Iterable[str], progress: Progress = quiet) -> dict[str, str]:
    """Build (only what changed) the reference images the manifests name, as the Docker stack
    does, and return their local references (`local_images`)."""
    from drillbook.host import engine
    from drillbook.stack.images import build_image

    reference = read_stack_yaml(REFERENCE_STACK)
    found = local_images(written, reference)
    by_ref = {image_ref(s): s for s in reference.services.values() if s.build is not None}
    client = engine.connect()
    try:
        for ref in dict.fromkeys(found.values()):
            build_image(client, by_ref[ref], reference, progress)
    finally:
        client.close()
    return found
