"""Worker threads for sync tools, so a slow one cannot stall the event loop.

A small pool of daemon threads fed from one queue, each ending after ten idle seconds.
Daemon, because a thread cannot be stopped: a sync tool that hangs past its timeout is
abandoned (the run goes on without it) and must not keep the process from exiting, as a
``ThreadPoolExecutor``'s threads would.
Cheaper per call than ``anyio.to_thread`` (about 40 µs of CPU against 70-90 µs), and a tool
call costs one hop there and one back. The caller's context variables go with the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any

#: Sync tools running at once; more calls wait for a free thread.
MAX_THREADS = 40
#: Seconds a thread waits for another call before it ends.
IDLE_SECONDS = 10.0

_Job = tuple[
    asyncio.AbstractEventLoop,
    "asyncio.Future[Any]",
    contextvars.Context,
    Callable[..., Any],
    tuple[Any, ...],
    dict[str, Any],
]


class _Workers:
    """Every queued job has a thread promised to it: an idle one, a new one, or (past the
    limit) the next one to finish its job. Counting promises, not waiting threads, keeps two
    quick submits from both counting on the one thread that is about to wait."""

    __slots__ = ("_idle", "_jobs", "_limit", "_lock", "_owed", "_started")

    def __init__(self, limit: int) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._limit = limit
        self._started = 0
        self._idle = 0  # threads done with their job and promised to no new one
        self._owed = 0  # jobs queued past the limit, each waiting for a thread to finish

    def busy(self) -> int:
        """Threads running a call now (or about to take one promised to them)."""
        with self._lock:
            return self._started - self._idle

    def submit(self, job: _Job) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1
            elif self._started < self._limit:
                self._started += 1
                threading.Thread(target=self._work, name="reverie-tool", daemon=True).start()
            else:
                self._owed += 1
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle:  # no job is promised to an idle thread: this one may go
                        self._idle -= 1
                        self._started -= 1
                        return
                continue  # a job was promised to it meanwhile: it is on its way
            loop, future, context, fn, args, kwargs = job
            outcome = _run(future, context, fn, args, kwargs)
            # Free before the caller hears back: whoever awaited the call and then asks
            # ``busy_threads`` must not count this thread as still running it.
            with self._lock:
                if self._owed:
                    self._owed -= 1
                else:
                    self._idle += 1
            if outcome is not None:
                _settle(loop, future, *outcome)


def _run(
    future: asyncio.Future[Any],
    context: contextvars.Context,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> tuple[Any, BaseException | None] | None:
    """(result, error) of the call; ``None`` when it was given up before it started."""
    if future.cancelled():  # given up before it started: do not run it at all
        return None
    try:
        return context.run(fn, *args, **kwargs), None
    except StopIteration as exc:  # a Future refuses StopIteration itself
        return None, RuntimeError(f"the tool raised StopIteration: {exc}")
    except BaseException as exc:
        return None, exc


def _settle(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    # A closed loop raises RuntimeError: nobody waits for this result any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_resolve, future, result, error)


def _resolve(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled while the thread ran: the run went on without it
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


_workers = _Workers(MAX_THREADS)


def busy_threads() -> int:
    """How many sync tool calls are running in worker threads now."""
    return _workers.busy()


async def run_in_thread(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a worker thread. Cancelling the caller stops the wait at
    once; the function, if it has started, runs on in its thread and its result is dropped."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    _workers.submit((loop, future, contextvars.copy_context(), fn, args, kwargs))
    return await future
