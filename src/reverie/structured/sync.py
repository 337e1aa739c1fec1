"""The sync twins run on the thread's event loop that ``Agent.run_sync`` uses
(``reverie.sync``), so a provider's pooled connection serves every call of a thread
and is closed at exit: a thin wrapper, never a second implementation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T], name: str, model: object) -> T:
    """Run ``coro`` on the thread's loop (refused inside a running one)."""
    from reverie.sync import thread_loop

    _refuse_running_loop(name, coro)
    return thread_loop().run(coro, model)


def iterate_sync(parts: AsyncGenerator[T, None], name: str, model: object) -> Iterator[T]:
    """The items of ``parts`` on the thread's loop; leaving early closes the generator."""
    from reverie.sync import thread_loop

    _refuse_running_loop(name)
    loop = thread_loop()
    try:
        while True:
            try:
                yield loop.run(_next(parts), model)
            except StopAsyncIteration:
                return
    finally:
        loop.run(parts.aclose())


async def _next(parts: AsyncGenerator[T, None]) -> T:
    return await parts.__anext__()


def _refuse_running_loop(name: str, coro: Coroutine[Any, Any, Any] | None = None) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop running: the normal case for a script
    if coro is not None:
        coro.close()  # never awaited: close it so Python does not warn about it
    async_name = name.removesuffix("_sync")
    raise RuntimeError(
        f"{name} cannot run inside a running event loop (async code, Jupyter): "
        f"use `await reverie.{async_name}(...)` there"
    )
