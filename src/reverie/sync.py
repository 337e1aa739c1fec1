"""The sync facade, written once: ``Agent.run_sync``/``stream_sync`` and the structured
output's sync twins all run through :func:`run_sync` and :func:`iterate_sync`, on one event
loop per thread, kept between calls.

An ``httpx2`` client belongs to the event loop it first ran on, so a fresh loop per call (what
``asyncio.run`` gives) made each call open, and never close, its own connections. Reusing
the thread's loop lets a provider's client serve every call of that thread over one pooled
connection. At interpreter exit (or when a new loop finds its thread gone) the models used
on a loop are closed on it, then the loop itself.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
import weakref
from collections.abc import AsyncGenerator, Coroutine, Iterator
from contextlib import suppress
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T], model: object, name: str, instead: str) -> T:
    """Run ``coro`` on the thread's loop; refused inside a running loop, where ``instead``
    (the async spelling) is what to use."""
    try:
        refuse_running_loop(name, instead)
    except RuntimeError:
        coro.close()  # never awaited: close it so Python does not warn about it
        raise
    return thread_loop().run(coro, model)


def iterate_sync(
    events: AsyncGenerator[T, None], model: object, name: str, instead: str
) -> Iterator[T]:
    """The items of ``events`` on the thread's loop; leaving early closes the generator."""
    refuse_running_loop(name, instead)
    loop = thread_loop()
    try:
        while True:
            try:
                yield loop.run(_next(events), model)
            except StopAsyncIteration:
                return
    finally:
        loop.run(events.aclose())


async def _next(events: AsyncGenerator[T, None]) -> T:
    return await events.__anext__()


def refuse_running_loop(name: str, instead: str) -> None:
    """The sync facade starts its own event loop, which cannot run inside another."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop running: the normal case for a script
    raise RuntimeError(
        f"{name} cannot run inside a running event loop (async code, Jupyter): "
        f"use `{instead}` there"
    )


class ThreadLoop:
    """A thread's ``asyncio.Runner`` and the models that ran on it (weakly held).

    A model dropped between calls (``Agent("openai:gpt-4o").run_sync(...)`` in a function)
    leaves its HTTP client, with a pooled connection, on this loop: the client is kept
    until the next call on the loop (or exit) closes it there.
    """

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        self.thread = threading.current_thread()
        self.models: weakref.WeakSet[Any] = weakref.WeakSet()
        self.orphans: list[Any] = []  # HTTP clients of models that were dropped

    def run(self, coro: Coroutine[Any, Any, T], model: object = None) -> T:
        if self.orphans:
            orphans, self.orphans = self.orphans, []
            self.runner.run(_close_all(orphans))
        if model is not None:
            self._track(model)
        return self.runner.run(coro)

    def _track(self, model: object) -> None:
        try:
            if model in self.models:
                return
            self.models.add(model)
        except TypeError:  # a model type without weak references: its user closes it
            return
        http = getattr(model, "http", None)
        if callable(getattr(http, "aclose", None)):
            # Holds the client, not the model; list.append is safe from any thread's GC.
            weakref.finalize(model, self.orphans.append, http).atexit = False

    def close(self) -> None:
        """Close the models' own clients on this loop (where their connections live),
        then the loop."""
        try:
            owners = [*self.models, *self.orphans]
            self.orphans = []
            if owners:
                self.runner.run(_close_all(owners))
        finally:
            self.runner.close()


async def _close_all(owners: list[Any]) -> None:
    for owner in owners:
        aclose = getattr(owner, "aclose", None)
        if aclose is None:
            continue
        with suppress(Exception):  # closing must not hide the program's own outcome
            await aclose()


_local = threading.local()
_loops: list[ThreadLoop] = []
_lock = threading.Lock()


def thread_loop() -> ThreadLoop:
    """This thread's loop, made on first use."""
    loop: ThreadLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = ThreadLoop()
        with _lock:
            gone = [t for t in _loops if not t.thread.is_alive()]
            _loops[:] = [t for t in _loops if t.thread.is_alive()]
            _loops.append(loop)
        for old in gone:  # loops of finished threads: nothing can run on them any more
            _close_quietly(old)
        _local.loop = loop
    return loop


def close_all() -> None:
    """Close every thread's loop that is not running (registered to run at exit)."""
    with _lock:
        loops, _loops[:] = list(_loops), []
    for loop in loops:
        _close_quietly(loop)


def _close_quietly(loop: ThreadLoop) -> None:
    with suppress(Exception):  # still running in a daemon thread at exit: left to the OS
        loop.close()


def _forget_after_fork() -> None:
    # A forked child must not drive its parent's loops; keep them referenced, never used.
    global _local
    _forked.extend(_loops)
    _loops.clear()
    _local = threading.local()


_forked: list[ThreadLoop] = []
atexit.register(close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
