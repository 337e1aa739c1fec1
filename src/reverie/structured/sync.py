"""The sync twins' event loop: a thin wrapper, never a second implementation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T], name: str) -> T:
    """Run ``coro`` on a new event loop (refused inside a running one)."""
    _refuse_running_loop(name, coro)
    return asyncio.run(coro)


def iterate_sync(parts: AsyncGenerator[T, None], name: str) -> Iterator[T]:
    """The items of ``parts`` on one event loop; leaving early closes the generator."""
    _refuse_running_loop(name)
    with asyncio.Runner() as runner:
        try:
            while True:
                try:
                    yield runner.run(parts.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            runner.run(parts.aclose())


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
