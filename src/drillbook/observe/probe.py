"""Probe: polls an HTTP endpoint at a fixed period and records every answer as a Sample."""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

import httpx

from drillbook.observe.measurement import Sample
from drillbook.observe.signal import Signal
from drillbook.stack.network import require_loopback


def answers_200(response: httpx.Response) -> bool:
    return response.status_code == 200


def fully_ready(response: httpx.Response) -> bool:
    """A readiness answer of 200 whose JSON says every dependency is fine (not degraded)."""
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("status") == "ready"


class Probe(Signal):
    """GET `url` every `period_s` and record every answer as a Sample; ok when `ok(response)`.

    Requests are sent on schedule whether or not earlier ones have answered, so a hung
    service does not blind the probe: the period stays the resolution of the measurement.
    A request that fails or takes longer than `timeout_s` is a failing sample, dated when it
    was sent (the service was not serving then). A passing sample is dated when its answer
    came (the service was serving by then): a request that waited out an outage and then
    succeeded cannot make the outage look shorter.
    """

    def __init__(
        self,
        url: str,
        *,
        period_s: float = 0.1,
        timeout_s: float = 1.0,
        ok: Callable[[httpx.Response], bool] = answers_200,
    ) -> None:
        require_loopback(url)
        self.url = url
        self.period_s = period_s
        self.timeout_s = timeout_s
        self._ok = ok
        self._samples: list[Sample] = []
        self._times: list[float] = []  # the samples' times, for bisect
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"probe {url}", daemon=True)
        # Enough workers for every request that can be in flight within one timeout.
        self._pool = ThreadPoolExecutor(
            max_workers=int(timeout_s / period_s) + 2, thread_name_prefix="probe"
        )

    def start(self) -> Probe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.timeout_s + 1)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Probe:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def samples(self, since: float = -math.inf) -> list[Sample]:
        """The samples at or after `since` (every one by default), in time order."""
        with self._lock:
            return self._samples[bisect.bisect_left(self._times, since) :]

    def _run(self) -> None:
        with httpx.Client(
            timeout=self.timeout_s, limits=httpx.Limits(max_keepalive_connections=4)
        ) as client:
            due = time.monotonic()
            while not self._stop.is_set():
                self._pool.submit(self._observe, client)
                due += self.period_s
                now = time.monotonic()
                if due < now:
                    due = now
                self._stop.wait(due - now)

    def _observe(self, client: httpx.Client) -> None:
        start = time.monotonic()
        try:
            response = client.get(self.url)
        except httpx.HTTPError as exc:
            self._record(Sample(start, False, time.monotonic() - start, None, type(exc).__name__))
            return
        end = time.monotonic()
        ok = self._ok(response) and end - start <= self.timeout_s
        self._record(Sample(end if ok else start, ok, end - start, response.status_code))

    def _record(self, sample: Sample) -> None:
        # Kept in time order as recorded: answers come back out of order (a failure is
        # dated at its send, a pass at its answer).
        with self._lock:
            at = bisect.bisect_right(self._times, sample.t)
            self._times.insert(at, sample.t)
            self._samples.insert(at, sample)
