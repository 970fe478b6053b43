"""Locust's own distributed mode: one master and N worker processes, all on this machine.

One Locust process runs on one core (gevent): a few hundred users of a cheap endpoint keep
it busy, and its own delays then look like the service's latency. With `workers: N` the
users are spread over N worker processes that a master coordinates over ZeroMQ:

    locust -f F --master --headless --expect-workers N --master-bind-host 127.0.0.1 \\
        --master-bind-port P -u USERS -r RATE -t T --host URL --csv ...
    locust -f F --worker --master-host 127.0.0.1 --master-port P          (N times)

The master makes no request; each worker writes its own request log (`requests-w<i>.jsonl`),
and the master's stats file counts every request the workers reported, which is how a run
checks that its log misses none (`LoadRun.unlogged`).

Stopping without losing the end. A headless master told to quit (SIGTERM, or its run time
over) asks its workers to quit and waits half a second for their last stats, while a worker
reports every 3 s: the last seconds of requests were missing from Locust's own figures (223
counted of 363 logged, seen). So the master runs with `--autostart` and its web API on
loopback instead of `--headless`: drillbook first POSTs `/stop` (the master stops every
worker's users and waits for them), waits one report interval for the last stats, and only
then ends the processes.

Workers on other hosts. The master binds to 127.0.0.1 here, so no other host can join, and
the network rule of drillbook (load only to 127.0.0.1 and the run's own Docker networks) holds.
A team that wants more machines would run the master with `--master-bind-host` on an address
its load hosts reach, and on each host `locust -f F --worker --master-host MASTER`; each
worker's target is still the `--host` the master hands out, so that must be an address every
worker reaches and the rule allows (a port published on loopback is not: each host would need
its own copy of the stack, or a tunnel to this one). Their request logs stay on their hosts,
on their own monotonic clocks: they would have to be shipped back and shifted onto this
machine's clock before a drill could judge with them. drillbook does not do this.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

from drillbook.stack.network import require_loopback

LOOPBACK = "127.0.0.1"
# Locust's WORKER_REPORT_INTERVAL (runners.py): how often a worker sends its stats.
REPORT_INTERVAL_S = 3.0


def locust(locustfile: Path, *args: str) -> list[str]:
    """The `locust` command on `locustfile`, run by this interpreter."""
    return [sys.executable, "-m", "locust", "-f", str(locustfile), *args]


def master_args(workers: int, port: int, web_port: int, wait_s: int = 60) -> list[str]:
    """Flags that make a run the master of `workers` workers on loopback, started at once,
    its web API on loopback `web_port` (for `stop_users`)."""
    return [
        "--master",
        "--autostart",
        "--web-host",
        LOOPBACK,
        "--web-port",
        str(web_port),
        "--master-bind-host",
        LOOPBACK,
        "--master-bind-port",
        str(port),
        "--expect-workers",
        str(workers),
        # A worker that never connects fails the run instead of hanging it.
        "--expect-workers-max-wait",
        str(wait_s),
    ]


def stop_users(web_port: int, timeout_s: float = 90.0) -> None:
    """Stop every worker's users through the master, and wait until it has their last stats.

    The master's `/stop` returns once the workers have stopped their users; their last
    report comes within one report interval after that.
    """
    url = f"http://{LOOPBACK}:{web_port}/stop"
    require_loopback(url)
    httpx.post(url, timeout=timeout_s).raise_for_status()
    time.sleep(REPORT_INTERVAL_S + 1.0)


def worker_command(locustfile: Path, port: int) -> list[str]:
    """One worker of the master listening on loopback port `port`."""
    return locust(locustfile, "--worker", "--master-host", LOOPBACK, "--master-port", str(port))


def worker_logs(out_dir: Path, workers: int) -> list[Path]:
    """The request log of each worker (one file per process: no interleaved lines)."""
    return [out_dir / f"requests-w{i}.jsonl" for i in range(1, workers + 1)]


def stats_count(stats_json: Path) -> tuple[int, int] | None:
    """Requests and failures Locust counted in all, from the stats file it writes as it
    shuts down (`--json-file`); None when there is none (yet).

    Not the stats CSV: Locust rewrites that every few seconds while it runs and its last
    version can miss the final seconds (31 counted of 57 logged, seen).
    """
    import json

    if not stats_json.exists():
        return None
    entries = json.loads(stats_json.read_text(encoding="utf-8") or "null")
    if not isinstance(entries, list):
        return None
    return sum(e["num_requests"] for e in entries), sum(e["num_failures"] for e in entries)
