"""Load: Locust, headless, in a process of its own, with every request streamed to a file.

Locust monkey-patches the interpreter with gevent on import, which breaks pytest and the
Docker client in the same process, so drillbook never imports it: it runs the `locust`
command and reads the request log that the locustfile writes. The process is tethered
(`load.tether`): it dies with drillbook, even one killed with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from drillbook.errors import DrillbookError
from drillbook.load import tether
from drillbook.load.requests import Ack, Request
from drillbook.stack.network import require_loopback


@dataclass(frozen=True)
class LoadProfile:
    users: int = 5
    spawn_rate: float = 5.0
    run_time_s: int = 600


class LoadRun:
    """A running Locust against `host`; stop it (or leave the `with` block) to end it.

    `run_id` (the stack's) marks the process as that run's, so removing the run ends it too.
    """

    def __init__(
        self,
        locustfile: str | Path,
        host: str,
        profile: LoadProfile = LoadProfile(),
        out_dir: str | Path | None = None,
        run_id: str | None = None,
    ) -> None:
        require_loopback(host + "/")
        self.locustfile = Path(locustfile)
        if not self.locustfile.is_file():
            raise DrillbookError(f"locustfile {self.locustfile} not found")
        self.host = host
        self.profile = profile
        self.out_dir = Path(out_dir or tempfile.mkdtemp(prefix="drillbook-load-"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.request_log = self.out_dir / "requests.jsonl"
        self.run_id = run_id
        self._process: subprocess.Popen[bytes] | None = None
        self._offset = 0
        self._requests: list[Request] = []
        self._acks: list[Ack] = []
        # The log is read by the caller and by the observation loop's reader task.
        self._read_lock = threading.Lock()

    def start(self) -> LoadRun:
        p = self.profile
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(self.locustfile),
            "--headless",
            "-u",
            str(p.users),
            "-r",
            str(p.spawn_rate),
            "-t",
            f"{p.run_time_s}s",
            "--host",
            self.host,
            "--csv",
            str(self.out_dir / "locust"),
            "--csv-full-history",
            "--json-file",
            str(self.out_dir / "locust"),
            "--only-summary",
            "--stop-timeout",
            "2",
            "--exit-code-on-error",
            "0",
        ]
        env = {**os.environ, "DRILLBOOK_REQUEST_LOG": str(self.request_log)}
        self.request_log.write_text("")
        self._offset, self._requests, self._acks = 0, [], []
        # Locust writes to its own copy of the descriptor; ours is closed once it has it.
        with (self.out_dir / "locust.log").open("wb") as log:
            self._process = tether.start(command, env=env, stdout=log, run_id=self.run_id)
        return self

    def stop(self) -> int | None:
        """End the load (SIGTERM, then SIGKILL after 15 s); returns Locust's exit code."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return process.returncode

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> LoadRun:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def requests(self, start: int = 0) -> list[Request]:
        """Every request the load has completed so far, in the order they were logged; from
        the `start`-th on (a reader that keeps count gets only what is new)."""
        with self._read_lock:
            self._read()
            return self._requests[start:]

    def acks(self) -> list[Ack]:
        """Every write the service acknowledged so far."""
        with self._read_lock:
            self._read()
            return list(self._acks)

    def _read(self) -> None:
        # Only what was appended since the last call: drills poll many times a second
        # while the log grows.
        if not self.request_log.exists():
            return
        with self.request_log.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
        self._offset += len(complete)
        for line in complete.splitlines():
            record = json.loads(line)
            if record.get("kind") == "request":
                del record["kind"]
                self._requests.append(Request(**record))
            elif record.get("kind") == "ack":
                self._acks.append(Ack(record["t"], record["id"], record["title"]))

    def log_tail(self, lines: int = 20) -> str:
        path = self.out_dir / "locust.log"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )
