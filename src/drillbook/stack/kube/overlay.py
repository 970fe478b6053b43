"""The user's manifests as drillbook applies them: in the drill's namespace, labelled, with
images from the local engine. The files are never written; this is a copy, sent to kubectl.

    docs = overlay(manifests, namespace="drillbook-ab12cd", labels={...}, images={...})

What changes, and only this: every object's `metadata.namespace` becomes the drill's (a
Namespace object is left out: the drill creates its own); drillbook's labels are added to
every object and to each workload's pod template (never to selectors, which stay the
user's); an image named in `images` is replaced by the local reference it maps to (an
untagged `drillbook/api` becomes the content-hashed `drillbook/api:<hash>` the Docker stack
builds).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from drillbook.stack.kube.manifests import WORKLOAD_KINDS, Manifests


def overlay(
    manifests: Manifests,
    *,
    namespace: str,
    labels: Mapping[str, str],
    images: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The objects to apply, as plain dicts; the user's documents are left untouched."""
    out = []
    for m in manifests.objects:
        if m.kind == "Namespace":
            continue
        doc: dict[str, Any] = json.loads(json.dumps(m.doc))  # plain data, a copy
        meta = doc.setdefault("metadata", {})
        meta["namespace"] = namespace
        meta["labels"] = {**(meta.get("labels") or {}), **labels}
        if m.kind in WORKLOAD_KINDS:
            _pods(doc["spec"]["template"], labels, images)
        out.append(doc)
    return out


def _pods(template: dict[str, Any], labels: Mapping[str, str], images: Mapping[str, str]) -> None:
    meta = template.setdefault("metadata", {})
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    spec = template.get("spec") or {}
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        image = container.get("image")
        if image in images:
            container["image"] = images[image]


def workload_images(manifests: Manifests) -> list[str]:
    """Every image the workloads' containers name, once each, in order."""
    found: dict[str, None] = {}
    for m in manifests.objects:
        if m.kind not in WORKLOAD_KINDS:
            continue
        spec = m.doc["spec"]["template"].get("spec") or {}
        for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            if container.get("image"):
                found[str(container["image"])] = None
    return list(found)
