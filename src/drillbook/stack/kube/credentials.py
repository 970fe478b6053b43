"""The credentials a runbook's kubectl lines run with: a ServiceAccount of the drill's namespace.

drillbook's own calls (namespace, images, manifests, rollouts) use the cluster's kubeconfig.
A runbook's lines never do: they run with a kubeconfig of the run holding a token of the
ServiceAccount `drillbook-runbook` of the drill's namespace, bound to the ClusterRole `admin`
by a RoleBinding in that namespace only. Whatever a line spells — another namespace, `-A`, a
node, a cluster-scoped object — the API server's RBAC answers Forbidden; taking the where
options out (`pin`) only makes the lines written for production act on the drill.

The kubeconfig is a file of the run, readable by its owner alone, deleted at the end; its
token dies with the ServiceAccount when the namespace is deleted.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from drillbook.errors import DrillbookError

ACCOUNT = "drillbook-runbook"
CONTEXT = "drillbook-runbook"
ROLE = "admin"  # Kubernetes' own ClusterRole: read and write most objects of one namespace
TOKEN_DURATION = "12h"  # a session of drills; the token dies earlier with the namespace


def account_manifests(namespace: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The ServiceAccount and its RoleBinding to `admin`, in `namespace` only."""
    meta = {"name": ACCOUNT, "namespace": namespace, "labels": dict(labels)}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(meta)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": dict(meta),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": ROLE,
            },
            "subjects": [{"kind": "ServiceAccount", "name": ACCOUNT, "namespace": namespace}],
        },
    ]


def token_args() -> list[str]:
    """kubectl's arguments (after the namespaced prefix) that print a token of the account."""
    return ["create", "token", ACCOUNT, f"--duration={TOKEN_DURATION}"]


def runbook_kubeconfig(
    admin: Mapping[str, Any], admin_path: Path, context: str, token: str, namespace: str
) -> dict[str, Any]:
    """A kubeconfig reaching the same API server as `admin`'s `context`, with `token`.

    Only the cluster entry (server, CA) is taken from the admin kubeconfig; a relative CA
    path is made absolute, as kubectl resolves it against the file it was read from.
    """
    cluster = _entry(admin, "clusters", _entry(admin, "contexts", context)["cluster"])
    ca = cluster.get("certificate-authority")
    if ca and not Path(ca).is_absolute():
        cluster = {**cluster, "certificate-authority": str(admin_path.parent / ca)}
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": ACCOUNT, "user": {"token": token}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": ACCOUNT, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
    }


def write_runbook_kubeconfig(doc: Mapping[str, Any], namespace: str) -> Path:
    """`doc` written to a new file of its own (mode 0600, in a 0700 folder); the path."""
    folder = Path(tempfile.mkdtemp(prefix=f"{namespace}-"))
    path = folder / "kubeconfig"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        yaml.safe_dump(dict(doc), out, sort_keys=False)
    return path


def remove_runbook_kubeconfig(path: Path) -> None:
    """Delete the file `write_runbook_kubeconfig` wrote and its folder."""
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # gone already, or not ours to empty
        path.parent.rmdir()


def _entry(doc: Mapping[str, Any], section: str, name: str) -> dict[str, Any]:
    """`doc[section]`'s entry called `name` (its body: the `cluster`, `context` mapping)."""
    body = section[:-1]
    for item in doc.get(section) or []:
        if isinstance(item, dict) and item.get("name") == name and isinstance(item.get(body), dict):
            return dict(item[body])
    raise DrillbookError(
        f"the cluster's kubeconfig has no {body} {name!r}",
        "name a context of the kubeconfig (`kubectl config get-contexts`)",
    )
