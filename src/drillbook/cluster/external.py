"""A cluster the user already has, named by kubeconfig and context, used instead of ours.

drillbook starts and stops nothing there. Its `ClusterInfo` has no `ctr` (an empty tuple):
images cannot be imported into someone else's nodes, they must come from a registry the
cluster can pull from.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from drillbook.cluster.build import binaries_dir
from drillbook.cluster.cluster import ClusterInfo
from drillbook.errors import DrillbookError, SourceError


def external_cluster(kubeconfig: Path, context: str | None = None) -> ClusterInfo:
    """The cluster of `context` (default: the current one) in `kubeconfig`."""
    doc = _read(kubeconfig)
    name = context or doc.get("current-context")
    contexts = {c.get("name"): c.get("context", {}) for c in doc.get("contexts") or []}
    if not name or name not in contexts:
        known = ", ".join(sorted(str(c) for c in contexts)) or "none"
        raise SourceError(
            str(kubeconfig),
            None,
            f"no context {name!r} (contexts: {known})",
            "name one of them with --context",
        )
    cluster_name = contexts[name].get("cluster")
    clusters = {c.get("name"): c.get("cluster", {}) for c in doc.get("clusters") or []}
    server = clusters.get(cluster_name, {}).get("server")
    if not server:
        raise SourceError(
            str(kubeconfig),
            None,
            f"context {name!r} names cluster {cluster_name!r}, which has no server",
            "check the kubeconfig with `kubectl config view`",
        )
    return ClusterInfo(kubeconfig, name, _kubectl(), str(server), ())


def _read(kubeconfig: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(
            str(kubeconfig),
            None,
            f"cannot read it ({exc.strerror})",
            "give the path of an existing kubeconfig",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SourceError(
            str(kubeconfig),
            line,
            "not valid YAML",
            "check the kubeconfig with `kubectl config view`",
        ) from None
    if not isinstance(doc, dict):
        raise SourceError(
            str(kubeconfig),
            None,
            "not a kubeconfig (no mapping at the top)",
            "give the path of a kubeconfig",
        )
    return doc


def _kubectl() -> Path:
    """drillbook's built kubectl when there is one, else the one on the PATH."""
    built = binaries_dir() / "kubectl"
    if built.is_file():
        return built
    found = shutil.which("kubectl")
    if found is None:
        raise DrillbookError(
            "no kubectl: neither drillbook's build nor one on the PATH",
            "install kubectl, or run `drillbook cluster up` once, which builds one",
        )
    return Path(found)
