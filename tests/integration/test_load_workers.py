"""Locust's distributed mode: a master and two workers, every request in the request log.

Against a small HTTP server of the test's own on 127.0.0.1 (no Docker): real Locust
processes, the project's locustfile. The log must hold every request Locust's own stats
counted, and every process must be gone afterwards.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from drillbook.load import LoadProfile, LoadRun
from drillbook.load.distributed import stats_count
from drillbook.stack.labels import read_mark
from tests.processes import alive, gone_within, python

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
        # Each started through the tether: it carries drillbook's mark, this process its owner.
        for p in processes.values():
            mark = read_mark(p.pid, Path(f"/proc/{p.pid}/environ").read_bytes())
            assert mark is not None and mark.owner_pid == os.getpid()
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


def test_master_and_workers_die_with_a_killed_drillbook(service: str, tmp_path: Path) -> None:
    owner = python(
        f"""
        import threading
        from pathlib import Path
        from drillbook.load import LoadProfile, LoadRun
        load = LoadRun(Path({str(ROOT / "load_tests" / "locustfile.py")!r}), {service!r},
                       LoadProfile(users=4, spawn_rate=4, workers=2), out_dir={str(tmp_path)!r})
        load.start()
        print(*(p.pid for p in load.processes().values()), flush=True)
        threading.Event().wait()
        """
    )
    assert owner.stdout is not None
    pids = [int(p) for p in owner.stdout.readline().split()]
    assert len(pids) == 3
    time.sleep(1.0)  # each has asked for its parent-death signal
    assert all(alive(p) for p in pids)
    owner.kill()  # SIGKILL: no finalizer runs
    owner.wait()
    assert gone_within(dict.fromkeys(pids), timeout_s=5) is not None
