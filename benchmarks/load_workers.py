"""Request rate of the load with 1 and 2 Locust worker processes, and what limited it.

    python benchmarks/load_workers.py [--users 100] [--seconds 20] [--stack fixtures/stack.yaml]

Starts the reference stack and drives the cheapest endpoint (`GET /health`, no dependency)
with users that never wait, first from one Locust worker under a master, then from two. For
each it prints the requests per second, the CPU of every Locust process and of the api
container (in % of one core), and names the limit: the generator when a Locust worker is
near a full core (gevent runs a process on one core), the service when the api is (one
uvicorn process), the machine when the two together use every core it has. Images must be
built (`drillbook setup`). The machine is shared and noisy: compare figures of one run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillbook.host import engine
from drillbook.load import LoadProfile, LoadRun
from drillbook.stack import Stack, load_stack_spec
from drillbook.stack.images import ensure_images

ROOT = Path(__file__).resolve().parents[1]
BUSY = 85.0  # % of one core: a process this busy is the limit

# Users that ask /health and never wait, logging each request as the project's locustfile
# does (the request log is how the rate is counted).
LOCUSTFILE = """\
import json, os, time
from locust import HttpUser, constant, events, task

_path = os.environ.get("DRILLBOOK_REQUEST_LOG")  # a master makes no request: it has none
_log = open(_path, "a", buffering=1) if _path else None

@events.request.add_listener
def _record(request_type, name, response_time, response=None, exception=None, **_):
    end = time.monotonic()
    if _log is None:
        return
    _log.write(json.dumps({"kind": "request", "start": end - response_time / 1000,
        "end": end, "method": request_type, "name": name,
        "status": getattr(response, "status_code", 0) or 0, "ok": exception is None,
        "ms": response_time}) + "\\n")

class HealthUser(HttpUser):
    wait_time = constant(0)

    @task
    def health(self):
        self.client.get("/health", name="GET /health")
"""


@dataclass(frozen=True)
class Measured:
    workers: int
    rps: float
    locust_cpu: dict[str, float]  # process -> % of one core
    api_cpu: float
    host_busy: float  # % of all the machine's cores busy, whoever used them
    unlogged: int | None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its reaped children), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def host_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def container_cpu_s(container: Any) -> float:
    stats = container.stats(stream=False)
    return float(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9


def measure(stack: Stack, locustfile: Path, workers: int, users: int, seconds: int) -> Measured:
    api = stack.service("api")
    profile = LoadProfile(users=users, spawn_rate=users, run_time_s=seconds + 60, workers=workers)
    with LoadRun(locustfile, api.url, profile) as load:
        time.sleep(8)  # workers connect, users spawn
        processes = {
            "master": load._process,
            **{f"worker {i + 1}": w for i, w in enumerate(load._workers)},
        }
        pids = {name: p.pid for name, p in processes.items() if p is not None}
        cpu0 = {name: cpu_seconds(pid) for name, pid in pids.items()}
        api0, t0, host0 = container_cpu_s(api.docker), time.monotonic(), host_ticks()
        time.sleep(seconds)
        api1, t1, host1 = container_cpu_s(api.docker), time.monotonic(), host_ticks()
        cpu1 = {name: cpu_seconds(pid) for name, pid in pids.items()}
    counted = [r for r in load.requests() if t0 <= r.end <= t1]
    if not counted:
        raise SystemExit(f"no request in the measured window; Locust said:\n{load.log_tail()}")
    span = t1 - t0
    return Measured(
        workers,
        len(counted) / span,
        {name: (cpu1[name] - cpu0[name]) / span * 100 for name in pids},
        (api1 - api0) / span * 100,
        (host1[0] - host0[0]) / max(1, host1[1] - host0[1]) * 100,
        load.unlogged(),
    )


def limit(m: Measured) -> str:
    busiest = max(v for k, v in m.locust_cpu.items() if k != "master")
    ours = sum(m.locust_cpu.values()) + m.api_cpu
    cores = os.cpu_count() or 1
    if busiest >= BUSY:
        return f"the generator: a Locust worker at {busiest:.0f} % of a core"
    if m.api_cpu >= BUSY:
        return f"the service: the api at {m.api_cpu:.0f} % of a core (one uvicorn process)"
    if m.host_busy >= BUSY:
        # Every core busy, most of it not ours: our processes wait for a core.
        return (
            f"the machine: {m.host_busy:.0f} % of its {cores} cores busy, "
            f"{ours / cores:.0f} % of them Locust and the api"
        )
    return "neither is CPU-bound: the limit is latency (users x round trips) or the network"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--stack", default=str(ROOT / "fixtures" / "stack.yaml"))
    args = parser.parse_args()
    spec = load_stack_spec(args.stack)
    client = engine.connect()
    ensure_images(client, spec)
    with tempfile.TemporaryDirectory(prefix="drillbook-bench-") as tmp:
        locustfile = Path(tmp) / "health_locustfile.py"
        locustfile.write_text(LOCUSTFILE)
        with Stack(spec, client=client) as stack:
            results = [measure(stack, locustfile, w, args.users, args.seconds) for w in (1, 2)]
    load = subprocess.run(["cat", "/proc/loadavg"], capture_output=True, text=True).stdout.split()
    print(f"GET /health, {args.users} users that never wait, {args.seconds} s measured")
    print(f"{os.cpu_count()} cores; load average {load[0]} (other work on the machine counts)")
    for m in results:
        locust = ", ".join(f"{k} {v:.0f} %" for k, v in m.locust_cpu.items())
        print(
            f"{m.workers} worker(s): {m.rps:7.1f} req/s | CPU: {locust}; api {m.api_cpu:.0f} % "
            f"| machine {m.host_busy:.0f} % busy | requests missing from the log: {m.unlogged}"
        )
        print(f"    limit: {limit(m)}")
    gain = results[1].rps / results[0].rps if results[0].rps else float("nan")
    print(f"2 workers / 1 worker: x{gain:.2f}")


if __name__ == "__main__":
    main()
