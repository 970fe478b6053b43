"""Observation on one event loop: watchers are asyncio tasks, started from sync or async code.

A watcher (a probe, the reader of the load's request log) is a coroutine that observes until
it is cancelled. From async code it runs on the caller's loop:

    async with Probe(url) as probe: ...

From sync code it runs on the observation loop, one asyncio loop in one daemon thread, shared
by every watcher of the process, so that they keep their schedule while the caller blocks on
Docker calls or sleeps:

    with Probe(url) as probe: ...

One loop, one clock: asyncio's clock is `time.monotonic`, which samples, drill events and the
load's request log all use. Leaving the block cancels the task and waits until it has
unwound (its in-flight requests cancelled, its client closed), whatever ended the block: an
exception, a failing test, Ctrl-C, or SIGTERM once it unwinds like Ctrl-C
(`drillbook.drills.interrupt`). Tasks still running at interpreter exit are cancelled too.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

from drillbook.errors import DrillbookError

T = TypeVar("T")

STOP_TIMEOUT_S = 10.0  # unwinding is a cancellation: it takes milliseconds, not seconds


class ObservationLoop:
    """An asyncio loop in a daemon thread; `spawn` starts a task there, `cancel` ends it."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="drillbook observation", daemon=True
        )
        self._thread.start()

    def call(self, coro: Coroutine[Any, Any, T], timeout_s: float = STOP_TIMEOUT_S) -> T:
        """Run `coro` on the loop and wait for its result (from any thread but the loop's)."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise DrillbookError("the observation loop cannot wait for itself")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout_s)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Start `coro` as a task of the loop; it runs until it ends or is cancelled."""

        async def create() -> asyncio.Task[None]:
            task = asyncio.get_running_loop().create_task(coro, name=name)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return task

        return self.call(create())

    def cancel(self, task: asyncio.Task[None]) -> None:
        """Cancel `task` and wait until it has unwound; its own error, if any, is raised."""
        self.call(cancelled(task))

    def running(self) -> list[str]:
        """The names of the tasks still running on the loop."""

        async def names() -> list[str]:
            return sorted(t.get_name() for t in self._tasks if not t.done())

        return self.call(names())

    def close(self) -> None:
        """Cancel every task, wait for them, and stop the loop and its thread."""
        if self._loop.is_closed():
            return
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self.call(_cancel_all(self._tasks))
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(STOP_TIMEOUT_S)
        if not self._thread.is_alive():
            self._loop.close()


async def cancelled(task: asyncio.Task[None]) -> None:
    """Cancel `task` and wait for it to unwind; raise what it raised other than its cancel."""
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        # The task's own cancellation is expected; the caller's (it is being cancelled too,
        # while it waited) must go on.
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise


async def _cancel_all(tasks: set[asyncio.Task[None]]) -> None:
    for task in list(tasks):
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


_shared: ObservationLoop | None = None
_shared_lock = threading.Lock()


def observation_loop() -> ObservationLoop:
    """The process's observation loop, started on first use and closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ObservationLoop()
            atexit.register(_shared.close)
        return _shared


class Watcher(ABC):
    """Something that observes until stopped, run as one task: `with` it or `async with` it."""

    _task: asyncio.Task[None] | None = None
    _on_observation_loop = False

    @abstractmethod
    async def watch(self) -> None:
        """Observe until cancelled (clean up in `finally` or `async with`)."""

    def task_name(self) -> str:
        return type(self).__name__

    def start(self) -> Self:
        """Start watching on the observation loop (for sync callers)."""
        self._task = observation_loop().spawn(self.watch(), self.task_name())
        self._on_observation_loop = True
        return self

    def stop(self) -> None:
        """Stop watching and wait until the task has unwound (it may be called twice)."""
        task, self._task = self._task, None
        if task is None:
            return
        if not self._on_observation_loop:
            self._task = task
            raise DrillbookError(
                f"{self.task_name()} was started with `async with` (or `await start_async()`): "
                "stop it with `await stop_async()`"
            )
        observation_loop().cancel(task)

    async def start_async(self) -> Self:
        """Start watching as a task of the running loop (for async callers)."""
        self._task = asyncio.get_running_loop().create_task(self.watch(), name=self.task_name())
        self._on_observation_loop = False
        return self

    async def stop_async(self) -> None:
        """Stop watching and wait until the task has unwound."""
        task, self._task = self._task, None
        if task is None:
            return
        if self._on_observation_loop:
            await asyncio.to_thread(observation_loop().cancel, task)
        else:
            await cancelled(task)

    @property
    def watching(self) -> bool:
        """Whether the task runs (started and not yet ended)."""
        return self._task is not None and not self._task.done()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.start_async()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_async()
