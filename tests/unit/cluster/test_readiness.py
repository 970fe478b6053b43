"""Health checks go straight to the cluster's address, never through an HTTP proxy."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from drillbook.cluster.readiness import http_ok


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/healthz"
    httpd.shutdown()
    httpd.server_close()


def test_a_proxy_in_the_environment_is_not_used(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a proxy that does not exist: going through it would fail
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert http_ok(server)


def test_nothing_listening_is_not_ok() -> None:
    assert not http_ok("http://127.0.0.1:9/healthz")
