"""kubeconfig files: how the admin, each component and the kubelet reach the API server."""

from __future__ import annotations

from pathlib import Path

import yaml

CONTEXT = "drillbook"


def kubeconfig(server: str, pki: Path, who: str) -> str:
    """A kubeconfig for the client certificate `pki/<who>.crt`, its one context `drillbook`."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CONTEXT,
                "cluster": {"server": server, "certificate-authority": str(pki / "ca.crt")},
            }
        ],
        "users": [
            {
                "name": who,
                "user": {
                    "client-certificate": str(pki / f"{who}.crt"),
                    "client-key": str(pki / f"{who}.key"),
                },
            }
        ],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": who}}],
        "current-context": CONTEXT,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def write_kubeconfig(path: Path, server: str, pki: Path, who: str) -> Path:
    path.write_text(kubeconfig(server, pki, who), encoding="utf-8")
    path.chmod(0o600)
    return path
