"""Timeouts of one HTTP attempt: the documented defaults, and the total deadline, kept with
one timer per attempt rather than a timeout scope around every read of a streamed body.

The idle timeout needs no code of ours: it is httpx2's read timeout (the longest wait for
any byte), set per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds a streamed response may stay silent (no byte at all) before it is given up as hung
#: and retried. Longer than the longest silence of a healthy stream: a reasoning model that
#: thinks for minutes before its first token on an endpoint that sends no keep-alive
#: (servers that think longer send comments or pings, which count as bytes); far shorter
#: than the hours a dead keep-alive connection can otherwise hang.
DEFAULT_IDLE_TIMEOUT = 300.0
#: Seconds one attempt may last in all, body included: a backstop against a server that
#: trickles bytes forever. An hour lets the longest real generations finish (128k tokens at
#: 40 tokens/s take 53 minutes); a plain (unstreamed) answer waits up to this long too.
DEFAULT_TOTAL_TIMEOUT = 3600.0
CONNECT_TIMEOUT = 10.0


class Expired(Exception):
    """The attempt's total timeout passed (the caller turns it into its own error)."""


class Deadline:
    """One attempt's total timeout: a single timer for the whole request, which cancels the
    read in progress when it fires. A timeout scope around every read of the body would cost
    a timer per read on the hot path; this costs a few attribute writes per read (~0.3 µs)."""

    __slots__ = ("_handle", "error", "expired", "reader")

    def __init__(self, seconds: float | None, error: Callable[[], Exception] = Expired) -> None:
        self.error = error  # what a read past the deadline raises
        self.expired = False
        self.reader: asyncio.Task[Any] | None = None
        self._handle = (
            None if seconds is None else asyncio.get_running_loop().call_later(seconds, self._fire)
        )

    def _fire(self) -> None:
        self.expired = True
        if self.reader is not None:
            self.reader.cancel()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def interrupted(self, task: asyncio.Task[Any]) -> bool:
        """After a CancelledError: was it ours (and no one else's)?"""
        return self.expired and task.uncancel() == 0

    async def wait(self, awaitable: Awaitable[T]) -> T:
        """``await awaitable``, raising ``Expired`` (and cancelling the timer) past the
        deadline; the timer goes on otherwise."""
        task = asyncio.current_task()
        assert task is not None
        self.reader = task
        try:
            return await awaitable
        except asyncio.CancelledError:
            if self.interrupted(task):
                raise Expired from None
            self.cancel()
            raise
        finally:
            self.reader = None
