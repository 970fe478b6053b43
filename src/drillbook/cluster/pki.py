"""The cluster's own certificate authority and the certificates of its parts, made with openssl.

One CA per cluster (made at its first `up`, removed by `down`), a serving certificate for the
API server (127.0.0.1 and the `kubernetes` Service's names and address), a client certificate
per component (its user name and group are what RBAC authorizes), and the service-account
signing key pair.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from drillbook.errors import DrillbookError

DAYS = "3650"


@dataclass(frozen=True)
class Identity:
    """A certificate to make: file name, common name (user), organization (group)."""

    name: str
    cn: str
    org: str = ""
    serving: bool = False


NODE_NAME = "127.0.0.1"  # the kubelet registers under the address it listens on

CLIENTS = (
    Identity("admin", "kubernetes-admin", "system:masters"),
    Identity("controller-manager", "system:kube-controller-manager"),
    Identity("scheduler", "system:kube-scheduler"),
    Identity("kubelet", f"system:node:{NODE_NAME}", "system:nodes"),
    Identity("kube-proxy", "system:kube-proxy"),
    Identity("apiserver-kubelet-client", "kube-apiserver-kubelet-client", "system:masters"),
)


def apiserver_names(service_ip: str) -> str:
    """subjectAltName of the API server: where clients reach it, by address and by name."""
    names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc"]
    names.append("kubernetes.default.svc.cluster.local")
    return ",".join(
        ["IP:127.0.0.1", f"IP:{service_ip}", "DNS:localhost"] + [f"DNS:{n}" for n in names]
    )


def extensions(identity: Identity, san: str) -> str:
    """The openssl extension file of a leaf certificate."""
    lines = ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment"]
    if identity.serving:
        lines += ["extendedKeyUsage=serverAuth,clientAuth", f"subjectAltName={san}"]
    else:
        lines.append("extendedKeyUsage=clientAuth")
    return "\n".join(lines) + "\n"


def subject(identity: Identity) -> str:
    return f"/CN={identity.cn}" + (f"/O={identity.org}" if identity.org else "")


def ensure_pki(pki: Path, service_ip: str) -> None:
    """Make what is missing of the cluster's PKI under `pki` (nothing when complete)."""
    if shutil.which("openssl") is None:
        raise DrillbookError(
            "the cluster's certificates are made with openssl, not found",
            "install it: `apt-get install openssl`",
        )
    pki.mkdir(parents=True, exist_ok=True)
    pki.chmod(0o700)
    if not (pki / "ca.crt").is_file():
        _openssl(pki, "genrsa", "-out", "ca.key", "2048")
        _openssl(
            pki,
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=drillbook-cluster-ca",
            "-days",
            DAYS,
            "-out",
            "ca.crt",
        )
    serving = Identity("apiserver", "kube-apiserver", serving=True)
    for identity in (serving, *CLIENTS):
        _leaf(pki, identity, apiserver_names(service_ip))
    if not (pki / "sa.pub").is_file():
        _openssl(pki, "genrsa", "-out", "sa.key", "2048")
        _openssl(pki, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub")


def _leaf(pki: Path, identity: Identity, san: str) -> None:
    name = identity.name
    if (pki / f"{name}.crt").is_file():
        return
    (pki / f"{name}.ext").write_text(extensions(identity, san), encoding="utf-8")
    _openssl(pki, "genrsa", "-out", f"{name}.key", "2048")
    _openssl(
        pki, "req", "-new", "-key", f"{name}.key", "-subj", subject(identity), "-out", f"{name}.csr"
    )
    _openssl(
        pki,
        "x509",
        "-req",
        "-in",
        f"{name}.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        DAYS,
        "-extfile",
        f"{name}.ext",
        "-out",
        f"{name}.crt",
    )
    for scrap in (f"{name}.csr", f"{name}.ext"):
        (pki / scrap).unlink()


def _openssl(pki: Path, *args: str) -> None:
    result = subprocess.run(
        ["openssl", *args], cwd=pki, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DrillbookError(
            f"`openssl {' '.join(args[:2])} ...` failed: {result.stderr.strip()[-300:]}",
            "check that openssl works on this machine (`openssl version`)",
        )
