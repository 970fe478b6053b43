"""The drill's namespace: its name, its manifest, and the ones killed runs left behind."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from drillbook.stack import labels

POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/enforce-version": "latest",
}  # see namespace_manifest


def namespace_for(stack: str, run_id: str) -> str:
    """`drillbook-<stack>-<run>`, a valid namespace name (lowercase, ≤ 63 characters)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", stack.lower()).strip("-")[:40] or "stack"
    return f"drillbook-{slug}-{run_id}"


def namespace_manifest(namespace: str, run_labels: dict[str, str]) -> dict[str, Any]:
    """The drill's namespace: labelled as the run's, and enforcing Pod Security `baseline`,
    so that no pod of it — applied, or made by a runbook's line (`kubectl run`, `kubectl
    debug`) — reaches the host (host namespaces, hostPath, privileged, host ports): the
    cluster's kubelet runs on this machine as root."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": {**run_labels, **POD_SECURITY}},
    }


def dead_run_namespaces(items: Sequence[dict[str, Any]]) -> list[str]:
    """The namespaces among `items` that a killed drillbook run left: its owner is gone, and
    the name is the one drillbook gives the run's namespace, `drillbook-<stack>-<run>` (a
    label alone is anyone's to set: a namespace of someone else's labelled so is not ours)."""
    dead = []
    for item in items:
        meta = item.get("metadata") or {}
        found = meta.get("labels") or {}
        name, run = str(meta.get("name", "")), str(found.get(labels.RUN, ""))
        ours = bool(run) and re.fullmatch(rf"drillbook-[a-z0-9-]+-{re.escape(run)}", name)
        if ours and not labels.owner_alive(found):
            dead.append(name)
    return dead
