"""Which local image each image a manifest names runs as, in a cluster with no registry.

A manifest names `drillbook/api` (untagged, `imagePullPolicy: Never`): it means the image the
Docker stack builds from `fixtures/images/api/`, whose tag is the content hash of that build
context (`drillbook.stack.images.image_ref`). Any other image is taken as written, from the
local Docker engine.
"""

from __future__ import annotations

from collections.abc import Iterable

from drillbook.stack.images import image_ref
from drillbook.stack.spec import StackSpec

REFERENCE_REPOSITORY = "drillbook/"


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
