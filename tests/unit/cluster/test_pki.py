"""The cluster's certificates, made with the real openssl."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from drillbook.cluster.kubeconfig import CONTEXT, write_kubeconfig
from drillbook.cluster.pki import CLIENTS, ensure_pki


def _text(cert: Path) -> str:
    return subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_every_certificate_is_signed_by_the_cluster_ca(tmp_path: Path) -> None:
    ensure_pki(tmp_path, "10.201.7.1")
    for name in ["apiserver", *(c.name for c in CLIENTS)]:
        verified = subprocess.run(
            ["openssl", "verify", "-CAfile", "ca.crt", f"{name}.crt"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
    apiserver = _text(tmp_path / "apiserver.crt")
    assert "IP Address:127.0.0.1" in apiserver and "IP Address:10.201.7.1" in apiserver
    assert "DNS:kubernetes.default.svc.cluster.local" in apiserver
    kubelet = _text(tmp_path / "kubelet.crt")
    assert "CN = system:node:127.0.0.1" in kubelet and "O = system:nodes" in kubelet
    assert not list(tmp_path.glob("*.csr"))


def test_a_complete_pki_is_left_as_it_is(tmp_path: Path) -> None:
    ensure_pki(tmp_path, "10.201.7.1")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    ensure_pki(tmp_path, "10.201.7.1")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_kubeconfig_points_at_the_server_with_the_component_certificate(tmp_path: Path) -> None:
    path = write_kubeconfig(
        tmp_path / "kubelet.kubeconfig", "https://127.0.0.1:41234", tmp_path, "kubelet"
    )
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == CONTEXT
    assert doc["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:41234"
    assert doc["users"][0]["user"]["client-certificate"] == str(tmp_path / "kubelet.crt")
    assert path.stat().st_mode & 0o077 == 0
