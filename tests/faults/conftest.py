"""The fault suite's harness: a fault server per test, a provider pointed at it with an
instant sleep, and the checks every case ends with (no connection, task or thread left)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import reverie
from reverie import RetryPolicy
from reverie.providers.provider import HttpProvider
from reverie.tools.threads import busy_threads

from .server import FaultServer


@dataclass
class Harness:
    server: FaultServer
    slept: list[float] = field(default_factory=list)
    providers: list[HttpProvider] = field(default_factory=list)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    threads: set[threading.Thread] = field(default_factory=set)

    def provider(self, name: str = "openai", **settings: Any) -> Any:
        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        settings.setdefault("retry", RetryPolicy(sleep=sleep, max_retries=2))
        settings.setdefault("api_key", "sk-fault-test-key")
        settings.setdefault("base_url", self.server.url)
        provider = reverie.provider(name, **settings)
        self.providers.append(provider)
        return provider

    def model(self, name: str = "openai", **settings: Any) -> Any:
        return self.provider(name, **settings).model("gpt-4o")

    async def check_clean(self) -> None:
        """Nothing of ours is left: no answer in progress (every connection we broke off was
        closed), then, once the providers are closed, no connection, task or thread."""
        await _until(lambda: self.server.busy == 0, "a connection is still in use")
        for provider in self.providers:
            await provider.aclose()
        await _until(lambda: self.server.open == 0, "a connection is still open")
        current = asyncio.current_task()

        def others() -> set[asyncio.Task[Any]]:
            return {t for t in asyncio.all_tasks() if t is not current} - self.tasks

        # httpx2's own body generators, left suspended when a stream stops at its terminal
        # event, are closed by finaliser tasks that end within a loop turn or two.
        await _until(lambda: not others(), f"tasks left running: {others()}", timeout=0.5)
        # Sync tools' worker threads stay for reuse and end on their own after 10 s idle;
        # what must not be left is one still running a call.
        await _until(lambda: busy_threads() == 0, f"tool calls left running: {busy_threads()}")
        extra = {
            t
            for t in set(threading.enumerate()) - self.threads
            if t.name not in ("reverie-tool", "AnyIO worker thread")
        }
        assert not extra, f"threads left running: {extra}"


async def _until(condition: Any, message: str, timeout: float = 2.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError(message)
        await asyncio.sleep(0.005)


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    server = FaultServer().start()
    harness = Harness(server)
    harness.tasks = set(asyncio.all_tasks())
    harness.threads = set(threading.enumerate())
    try:
        yield harness
    finally:
        for provider in harness.providers:
            await provider.aclose()
        server.stop()
