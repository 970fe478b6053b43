"""Load: Locust, headless, in processes of its own, with every request streamed to a file.

Locust monkey-patches the interpreter with gevent on import, which breaks pytest and the
Docker client in the same process, so drillbook never imports it: it runs the `locust`
command and reads the request log that the locustfile writes. The process is tethered
(`load.tether`): it dies with drillbook, even one killed with SIGKILL. With `workers: N` the
users run in N worker processes under a master (`load.distributed`), each tethered alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from drillbook.errors import DrillbookError
from drillbook.load import distributed, tether
from drillbook.load.requests import Ack, Request
from drillbook.stack.network import free_port, require_loopback


@dataclass(frozen=True)
class LoadProfile:
    """How many users, started how fast, for how long; `workers` > 0: Locust's distributed
    mode, the users spread over that many worker processes (0: one process does it all)."""

    users: int = 5
    spawn_rate: float = 5.0
    run_time_s: int = 600
    workers: int = 0


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
        self.request_logs = (
            distributed.worker_logs(self.out_dir, profile.workers)
            if profile.workers
            else [self.request_log]
        )
        self.run_id = run_id
        self._process: subprocess.Popen[bytes] | None = None
        self._workers: list[subprocess.Popen[bytes]] = []
        self._web_port = 0
        self._offsets: dict[Path, int] = {}
        self._requests: list[Request] = []
        self._acks: list[Ack] = []
        # The log is read by the caller and by the observation loop's reader task.
        self._read_lock = threading.Lock()

    def start(self) -> LoadRun:
        p = self.profile
        port, self._web_port = (free_port(), free_port()) if p.workers else (0, 0)
        command = distributed.locust(
            self.locustfile,
            # A master runs with --autostart instead: stopped through its web API, it loses
            # no stats (see `load.distributed`).
            *(() if p.workers else ("--headless",)),
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
            *(distributed.master_args(p.workers, port, self._web_port) if p.workers else ()),
        )
        for log in self.request_logs:
            log.write_text("")
        self._offsets, self._requests, self._acks = {}, [], []
        env = dict(os.environ)
        env.pop("DRILLBOOK_REQUEST_LOG", None)  # a master makes no request: it logs none
        if not p.workers:
            env["DRILLBOOK_REQUEST_LOG"] = str(self.request_log)
        self._process = self._spawn(command, env, self.out_dir / "locust.log")
        for i, log in enumerate(self.request_logs[: p.workers], 1):
            self._workers.append(
                self._spawn(
                    distributed.worker_command(self.locustfile, port),
                    {**env, "DRILLBOOK_REQUEST_LOG": str(log)},
                    self.out_dir / f"locust-w{i}.log",
                )
            )
        return self

    def _spawn(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        # Locust writes to its own copy of the descriptor; ours is closed once it has it.
        with log.open("wb") as out:
            return tether.start(command, env=env, stdout=out, run_id=self.run_id)

    def stop(self) -> int | None:
        """End the load; returns Locust's exit code (the master's, when distributed).

        SIGTERM, then SIGKILL after 15 s. A master is stopped first: it tells its workers to
        stop and collects their last stats; the workers are then given time to leave.
        """
        process, self._process = self._process, None
        workers, self._workers = self._workers, []
        if process is None:
            return None
        if workers and process.poll() is None:
            # A master gone or stuck: its stats will say what it missed.
            with contextlib.suppress(httpx.HTTPError):
                distributed.stop_users(self._web_port)
        _end(process, timeout_s=15)
        for worker in workers:
            _end(worker, timeout_s=15, grace_s=10)
        return process.returncode

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        """The Locust processes running: "locust" alone, or "master" and "worker 1".. N."""
        if self._process is None:
            return {}
        first = "master" if self._workers else "locust"
        workers = {f"worker {i}": w for i, w in enumerate(self._workers, 1)}
        return {first: self._process, **workers}

    def unlogged(self) -> int | None:
        """Requests Locust counted (its stats file, written when it stops) that are not in the
        request log: 0 when the log is complete; None before Locust has written its stats."""
        counted = distributed.stats_count(self.out_dir / "locust.json")
        if counted is None:
            return None
        return counted[0] - len(self.requests())

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
        for log in self.request_logs:
            self._read_log(log)

    def _read_log(self, log: Path) -> None:
        # Only what was appended since the last call: drills poll many times a second
        # while the log grows.
        if not log.exists():
            return
        with log.open("rb") as f:
            f.seek(self._offsets.get(log, 0))
            chunk = f.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
        self._offsets[log] = self._offsets.get(log, 0) + len(complete)
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


def _end(process: subprocess.Popen[bytes], *, timeout_s: float, grace_s: float = 0.0) -> None:
    """Let `process` leave by itself for `grace_s`, then SIGTERM, then SIGKILL its group."""
    if grace_s:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace_s)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
