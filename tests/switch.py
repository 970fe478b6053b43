"""A tiny loopback HTTP service whose /ready answers as told: for tests of probes and drills."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from drillbook import DrillPlan


class Switch:
    """`/ready` answers 200 while `healthy`, 503 otherwise, after `delay_s`; while `hanging`,
    it answers nothing until `hanging` is cleared (or the switch is closed)."""

    def __init__(self) -> None:
        self.healthy = True
        self.delay_s = 0.0
        self.hanging = threading.Event()
        self.arrivals: list[float] = []  # monotonic, the clock of the probes
        self._closed = threading.Event()
        switch = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                switch.arrivals.append(time.monotonic())
                while switch.hanging.is_set() and not switch._closed.is_set():
                    time.sleep(0.01)
                time.sleep(switch.delay_s)
                self.send_response(200 if switch.healthy else 503)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/ready"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self._closed.set()
        self.server.shutdown()
        self.server.server_close()


def switch_plan(switch: Switch, *, fix: bool, reverted: list[str]) -> DrillPlan:
    """Switch /ready off; the fix (0.3 s) or the revert switches it back on."""

    def inject() -> None:
        switch.healthy = False

    def remediate() -> None:
        time.sleep(0.3)
        switch.healthy = True

    def revert() -> None:
        reverted.append("yes")
        switch.healthy = True

    return DrillPlan(
        "switch-off",
        inject,
        revert,
        remediate if fix else None,
        target_s=2.0,
        detect_within_s=1.0,
        stability_s=0.5,
        steady_timeout_s=5.0,
    )
