"""Locust's distributed mode: a master and two workers, every request in the request log.

Against a small HTTP server of the test's own on 127.0.0.1 (no Docker): real Locust
processes, the project's locustfile. The log must hold every request Locust's own stats
counted, and every process must be gone afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from drillbook.load import LoadProfile, LoadRun
from drillbook.load.distributed import stats_count

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


class _Answer(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"id": 1, "status": "ok"}).encode()
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_two_workers_log_every_request_locust_counted(service: str, tmp_path: Path) -> None:
    profile = LoadProfile(users=20, spawn_rate=20, run_time_s=60, workers=2)
    load = LoadRun(ROOT / "load_tests" / "locustfile.py", service, profile, out_dir=tmp_path)
    with load:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(load.requests()) < 300:
            time.sleep(0.5)
        processes = load.processes()
        assert sorted(processes) == ["master", "worker 1", "worker 2"]
        assert all(p.poll() is None for p in processes.values())
    assert all(p.poll() is not None for p in processes.values())  # all stopped
    assert load.processes() == {}
    logs = sorted(p.name for p in tmp_path.glob("requests-w*.jsonl"))
    assert logs == ["requests-w1.jsonl", "requests-w2.jsonl"]
    per_worker = [(tmp_path / name).read_text().count('"kind":"request"') for name in logs]
    assert all(n > 0 for n in per_worker), per_worker  # both workers made requests
    counted = stats_count(tmp_path / "locust.json")
    assert counted is not None
    assert len(load.requests()) >= 300
    assert counted[0] == len(load.requests()), (counted, per_worker)
    assert load.unlogged() == 0


def test_one_process_still_logs_to_one_file(service: str, tmp_path: Path) -> None:
    profile = LoadProfile(users=5, spawn_rate=5, run_time_s=30)
    load = LoadRun(ROOT / "load_tests" / "locustfile.py", service, profile, out_dir=tmp_path)
    with load:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(load.requests()) < 50:
            time.sleep(0.5)
    assert not list(tmp_path.glob("requests-w*.jsonl"))
    assert load.unlogged() == 0
