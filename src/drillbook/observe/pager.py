"""The pager: drillbook's webhook receiver for Alertmanager, timing each notification.

    with Pager("172.18.0.1", 9095) as pager:
        ...
        pager.pages()  # [Page(t=..., status="firing", names=("RedisDown",)), ...]

It listens on one address only: the host's address on the stack's own Docker network (or
127.0.0.1), never on all interfaces. Arrival times are on the monotonic clock the probes use.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from drillbook.errors import DrillbookError
from drillbook.observe.alerts import Page


def parse_notification(body: bytes, t: float) -> Page:
    """One Alertmanager webhook body (version 4) as a Page arriving at `t`."""
    data = json.loads(body)
    names = sorted({str(a.get("labels", {}).get("alertname", "")) for a in data.get("alerts", [])})
    return Page(t=t, status=str(data.get("status", "")), names=tuple(n for n in names if n))


class Pager:
    """An HTTP server on `host:port` recording every Alertmanager notification it gets."""

    def __init__(self, host: str, port: int) -> None:
        if host in ("", "0.0.0.0", "::"):
            raise DrillbookError(f"the pager listens on one address, not {host!r}")
        self.host, self.port = host, port
        self._pages: list[Page] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def pages(self) -> list[Page]:
        with self._lock:
            return list(self._pages)

    def _record(self, page: Page) -> None:
        with self._lock:
            self._pages.append(page)

    def start(self) -> Pager:
        pager = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                t = time.monotonic()  # arrival: before the body is even read
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    pager._record(parse_notification(body, t))
                except (ValueError, AttributeError):
                    self.send_response(400)
                else:
                    self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # no per-request lines on the drill's terminal

        try:
            self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        except OSError as exc:
            raise DrillbookError(
                f"the pager cannot listen on {self.host}:{self.port}: {exc.strerror}",
                "another drillbook run may hold it; set the alertmanager's "
                "DRILLBOOK_WEBHOOK_PORT to a free port",
            ) from None
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="pager", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Pager:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
