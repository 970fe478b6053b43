"""The probe's send jitter: how late each request goes out after its scheduled time.

    python benchmarks/probe_jitter.py [--seconds 60] [--rounds 12] [--users 0,10,40] [--stack ...]

Starts the reference stack and, for each Locust load (users), probes the api's /ready every
100 ms with two probes in turn: the thread version drillbook had until it moved observation
to one event loop (a scheduler thread and a ThreadPoolExecutor, kept here only, as
`ThreadedProbe`, for this comparison) and `drillbook.Probe` (asyncio tasks on the observation
loop). Meanwhile the main thread does what a drill does: it polls the SLO signal (probe plus
the load's request log) every period. Each probe runs `--seconds` in `--rounds` parts, interleaved
(thread, async, thread, async, ...), so that both see the same noise. Prints p50/p99/max of the
send lag per load and version, and how many sends the schedule skipped (a
scheduler late by more than a period moves on rather than bunch requests: those slots have
no lag to show). Images must be built (`drillbook setup`); the machine is
shared and noisy: compare the figures of one run.
"""

from __future__ import annotations

import argparse
import bisect
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from drillbook.host import engine
from drillbook.load import LoadProfile, LoadRun
from drillbook.observe.measurement import Sample
from drillbook.observe.probe import Probe, answers_200
from drillbook.observe.signal import Signal
from drillbook.observe.slo import Slo, SloSignal
from drillbook.observe.stats import percentile
from drillbook.stack import Stack, load_stack_spec
from drillbook.stack.images import ensure_images

ROOT = Path(__file__).resolve().parents[1]
Sends = list[tuple[float, float]]
PERIOD_S = 0.1


class ThreadedProbe(Signal):
    """drillbook's probe before the event loop (as of commit 0a62084), with its send lags
    recorded: a thread schedules, a pool of threads sends and waits."""

    def __init__(
        self,
        url: str,
        *,
        period_s: float = 0.1,
        timeout_s: float = 1.0,
        ok: Callable[[httpx.Response], bool] = answers_200,
    ) -> None:
        self.url = url
        self.period_s = period_s
        self.timeout_s = timeout_s
        self._ok = ok
        self._samples: list[Sample] = []
        self._times: list[float] = []
        self._sends: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"probe {url}", daemon=True)
        self._pool = ThreadPoolExecutor(
            max_workers=int(timeout_s / period_s) + 2, thread_name_prefix="probe"
        )

    def __enter__(self) -> ThreadedProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.timeout_s + 1)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def samples(self, since: float = -math.inf) -> list[Sample]:
        with self._lock:
            return self._samples[bisect.bisect_left(self._times, since) :]

    def sends(self) -> list[tuple[float, float]]:
        with self._lock:
            return list(self._sends)

    def _run(self) -> None:
        with httpx.Client(
            timeout=self.timeout_s, limits=httpx.Limits(max_keepalive_connections=4)
        ) as client:
            due = time.monotonic()
            while not self._stop.is_set():
                self._pool.submit(self._observe, client, due)
                due += self.period_s
                now = time.monotonic()
                if due < now:
                    due = now
                self._stop.wait(due - now)

    def _observe(self, client: httpx.Client, due: float) -> None:
        start = time.monotonic()
        with self._lock:
            self._sends.append((due, start))
        try:
            response = client.get(self.url)
        except httpx.HTTPError as exc:
            self._record(Sample(start, False, time.monotonic() - start, None, type(exc).__name__))
            return
        end = time.monotonic()
        ok = self._ok(response) and end - start <= self.timeout_s
        self._record(Sample(end if ok else start, ok, end - start, response.status_code))

    def _record(self, sample: Sample) -> None:
        with self._lock:
            at = bisect.bisect_right(self._times, sample.t)
            self._times.insert(at, sample.t)
            self._samples.insert(at, sample)


@dataclass(frozen=True)
class Row:
    users: int
    version: str
    lags: list[float]  # actual - scheduled send, seconds
    missed: int


@contextmanager
def observed(probe: Any, load: LoadRun | None) -> Iterator[Signal]:
    """The probe running, and the signal a drill would poll: the SLO signal under load."""
    with probe:
        if load is None:
            yield probe
            return
        signal = SloSignal(probe, load, Slo())
        # The async probe's signal reads the request log as a task of its loop, as a
        # scenario does; the thread version read it when polled.
        with signal if isinstance(probe, Probe) else nullcontext(signal):
            yield signal


def sends_of(version: str, url: str, load: LoadRun | None, seconds: float) -> Sends:
    """The (scheduled, actual) send times of one probe run of `seconds` while a drill polls."""
    probe = ThreadedProbe(url, period_s=PERIOD_S) if version == "thread" else Probe(url)
    with observed(probe, load) as signal:
        signal.wait_until(lambda samples: None, seconds)  # a drill waiting for a change
    sends: Sends = probe.sends()
    return sends


def missed(sends: Sends) -> int:
    """Slots of the schedule without a send: a scheduler late by more than a period moves
    on (and the schedule slips) rather than bunch requests, so those slots show no lag."""
    if not sends:
        return 0
    span = sends[-1][0] - sends[0][0]
    return round(span / PERIOD_S) + 1 - len(sends)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per version and load")
    parser.add_argument("--rounds", type=int, default=12, help="interleaved parts of it")
    parser.add_argument("--users", default="0,10,40")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--stack", default=str(ROOT / "fixtures" / "stack.yaml"))
    args = parser.parse_args()
    spec = load_stack_spec(args.stack)
    client = engine.connect()
    ensure_images(client, spec)
    rows: list[Row] = []
    with Stack(spec, client=client) as stack:
        api = stack.service("api").url
        for users in (int(u) for u in args.users.split(",")):
            rows += run_level(api, users, args.seconds, args.rounds, args.warmup)
    print(
        f"\nsend lag (actual - scheduled send), period {PERIOD_S * 1000:.0f} ms, "
        f"{args.seconds:g} s per version and load"
    )
    print(
        f"{'users':>5} {'version':8} {'sends':>6} {'missed':>6} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7}"
    )
    for row in rows:
        lags = row.lags
        print(
            f"{row.users:5d} {row.version:8} {len(lags):6d} {row.missed:6d} "
            f"{percentile(lags, 50) * 1000:7.2f} {percentile(lags, 99) * 1000:7.2f} "
            f"{max(lags) * 1000:7.2f}"
        )


def run_level(api: str, users: int, seconds: float, rounds: int, warmup: float) -> list[Row]:
    runs: dict[str, list[Sends]] = {"thread": [], "async": []}
    load = None
    if users:
        profile = LoadProfile(users=users, spawn_rate=users, run_time_s=int(warmup + seconds * 3))
        load = LoadRun(ROOT / "load_tests" / "locustfile.py", api, profile).start()
    try:
        time.sleep(warmup if users else 0)
        for i in range(rounds):
            for version, done in runs.items():
                done.append(sends_of(version, api + "/ready", load, seconds / rounds))
            print(f"{users} users: round {i + 1} of {rounds}", flush=True)
    finally:
        if load is not None:
            load.stop()
    return [
        Row(
            users,
            version,
            [sent - due for run in done for due, sent in run],
            sum(missed(run) for run in done),
        )
        for version, done in runs.items()
    ]


if __name__ == "__main__":
    main()
