"""Throughput and latency of the reference api under Locust load.

    python benchmarks/service_load.py [--users 10] [--seconds 30] [--stack fixtures/stack.yaml]

Starts the reference stack, runs the load of load_tests/locustfile.py against the api for the
given time, and prints requests/s and p50/p95/p99 per request type. Images must be built
(`drillbook setup`). The machine is shared and noisy: compare figures of one run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from drillbook.host import engine
from drillbook.load import LoadProfile, LoadRun
from drillbook.observe.stats import summarize
from drillbook.stack import Stack, load_stack_spec
from drillbook.stack.images import ensure_images

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--stack", default=str(ROOT / "fixtures" / "stack.yaml"))
    args = parser.parse_args()
    spec = load_stack_spec(args.stack)
    client = engine.connect()
    ensure_images(client, spec)
    with Stack(spec, client=client) as stack:
        profile = LoadProfile(
            users=args.users, spawn_rate=args.users, run_time_s=args.warmup + args.seconds + 5
        )
        with LoadRun(
            ROOT / "load_tests" / "locustfile.py", stack.service("api").url, profile
        ) as load:
            time.sleep(args.warmup)
            start = time.monotonic()
            time.sleep(args.seconds)
            end = time.monotonic()
        measured = [r for r in load.requests() if start <= r.start and r.end <= end]
    print(f"{args.users} users, {args.seconds} s measured after {args.warmup} s warm-up")
    print(
        f"{'request':34} {'count':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8}"
    )
    for s in summarize(measured, span_s=end - start):
        print(
            f"{s.name:34} {s.count:6d} {s.failures:5d} {s.rps:7.1f} {s.p50_ms:8.1f} "
            f"{s.p95_ms:8.1f} {s.p99_ms:8.1f}"
        )


if __name__ == "__main__":
    main()
