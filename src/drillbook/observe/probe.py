"""Probe: polls an HTTP endpoint at a fixed period and records every answer as a Sample."""

from __future__ import annotations

import asyncio
import bisect
import math
import threading
import time
from collections.abc import Callable

import httpx

from drillbook.observe.loop import Watcher
from drillbook.observe.measurement import Sample
from drillbook.observe.signal import Signal
from drillbook.stack.network import require_loopback

# The loop waits in epoll, whose timeout is whole milliseconds (`selectors` rounds it up), so
# a timer fires up to 1 ms after its time. A send's timer is set this much before it, and the
# callback sleeps what is left (under a millisecond of the loop's time per send): the request
# starts on its schedule rather than up to a millisecond behind it.
EARLY_S = 0.001


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


class Probe(Signal, Watcher):
    """GET `url` every `period_s` and record every answer as a Sample; ok when `ok(response)`.

    Requests are sent on schedule whether or not earlier ones have answered, so a hung
    service does not blind the probe: the period stays the resolution of the measurement.
    A request that fails or takes longer than `timeout_s` is a failing sample, dated when it
    was sent (the service was not serving then). A passing sample is dated when its answer
    came (the service was serving by then): a request that waited out an outage and then
    succeeded cannot make the outage look shorter.

    Each request is a task of one asyncio loop (`drillbook.observe.loop`): `with Probe(...)`
    runs it on drillbook's observation loop, `async with Probe(...)` on the caller's.
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
        self._sends: list[tuple[float, float]] = []
        # Samples are recorded on the loop's thread and read from the caller's.
        self._lock = threading.Lock()

    def task_name(self) -> str:
        return f"probe {self.url}"

    def samples(self, since: float = -math.inf) -> list[Sample]:
        """The samples at or after `since` (every one by default), in time order."""
        with self._lock:
            return self._samples[bisect.bisect_left(self._times, since) :]

    def sends(self) -> list[tuple[float, float]]:
        """(scheduled, actual) monotonic time of every request sent: the probe's own timing.

        A loop late by more than a period skips the sends it missed rather than bunch them:
        a scheduled time then comes more than a period after the previous one.
        """
        with self._lock:
            return list(self._sends)

    def send_lags(self) -> list[float]:
        """How late each request went out after its scheduled time (s): the probe's jitter."""
        return [sent - scheduled for scheduled, sent in self.sends()]

    async def watch(self) -> None:
        loop = asyncio.get_running_loop()
        limits = httpx.Limits(max_keepalive_connections=4)
        # Leaving the group cancels every request still in flight, then the client closes.
        async with (
            httpx.AsyncClient(timeout=self.timeout_s, limits=limits) as client,
            asyncio.TaskGroup() as requests,
        ):
            timer: asyncio.TimerHandle | None = None

            # Each send is a timer callback that starts the request's task and sets the next
            # timer: no scheduler task to wake in between, one loop iteration less of delay.
            def send(due: float) -> None:
                nonlocal timer
                early = due - loop.time()
                if early > 0:  # see EARLY_S: less than a millisecond
                    time.sleep(early)
                requests.create_task(self._observe(client, due), name=self.task_name())
                # A late loop sends the next request now, not a burst of the missed ones.
                due = max(due + self.period_s, loop.time())
                timer = loop.call_at(due - EARLY_S, send, due)

            now = loop.time()
            timer = loop.call_at(now, send, now)
            try:
                await loop.create_future()  # until cancelled
            finally:
                timer.cancel()  # the last one set

    async def _observe(self, client: httpx.AsyncClient, due: float) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()  # the loop's clock is time.monotonic
        with self._lock:
            self._sends.append((due, start))
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await client.get(self.url)
        except (httpx.HTTPError, TimeoutError) as exc:
            self._record(Sample(start, False, loop.time() - start, None, type(exc).__name__))
            return
        end = loop.time()
        try:
            ok = self._ok(response)
        except Exception as exc:  # a broken judge fails the sample, not the probe
            self._record(Sample(start, False, end - start, response.status_code, repr(exc)))
            return
        self._record(Sample(end if ok else start, ok, end - start, response.status_code))

    def _record(self, sample: Sample) -> None:
        # Kept in time order as recorded: answers come back out of order (a failure is
        # dated at its send, a pass at its answer).
        with self._lock:
            at = bisect.bisect_right(self._times, sample.t)
            self._times.insert(at, sample.t)
            self._samples.insert(at, sample)
