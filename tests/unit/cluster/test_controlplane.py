"""etcd serves only the cluster's own clients: TLS with client certificates of its CA."""

from __future__ import annotations

import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from drillbook.cluster import controlplane, pki
from drillbook.cluster.layout import Layout, Ports, Settings
from drillbook.cluster.readiness import http_ok

SETTINGS = Settings(Ports(*range(40001, 40010)), "10.200.4.0/24", "10.201.4.0/24")


def test_etcd_asks_every_client_and_peer_for_a_certificate(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    argv = controlplane.etcd(layout, SETTINGS)
    assert "--client-cert-auth" in argv and "--peer-client-cert-auth" in argv
    assert f"--trusted-ca-file={layout.pki / 'ca.crt'}" in argv
    urls = [a for a in argv if "://" in a]
    assert urls and all("=https://127.0.0.1:" in a for a in urls)


def test_the_api_server_reaches_etcd_with_its_client_certificate(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    argv = controlplane.apiserver(Path("/bin"), layout, SETTINGS)
    assert "--etcd-servers=https://127.0.0.1:40001" in argv
    assert f"--etcd-certfile={layout.pki / 'apiserver-etcd-client.crt'}" in argv
    assert f"--etcd-cafile={layout.pki / 'ca.crt'}" in argv


@pytest.mark.skipif(not Path(controlplane.ETCD).exists(), reason="no etcd-server installed")
def test_the_real_etcd_refuses_a_client_without_a_certificate(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    settings = Settings(Ports.free(), "10.200.4.0/24", "10.201.4.0/24")
    pki.ensure_pki(layout.pki, settings.kubernetes_service_ip)
    health = f"{controlplane.etcd_url(settings)}/health"
    with (tmp_path / "etcd.log").open("wb") as log:
        etcd = subprocess.Popen(controlplane.etcd(layout, settings), stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while not http_ok(health, layout.pki, "apiserver-etcd-client"):
            assert time.monotonic() < deadline, (tmp_path / "etcd.log").read_text()[-2000:]
            time.sleep(0.2)
        anonymous = ssl.create_default_context(cafile=str(layout.pki / "ca.crt"))
        with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(health, context=anonymous, timeout=2)
        assert not http_ok(health.replace("https:", "http:"))
    finally:
        etcd.terminate()
        etcd.wait(timeout=10)
