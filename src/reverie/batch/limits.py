"""Rate limits for a batch: requests per second and tokens per minute, for every request the
batch's runs make, shared by every worker of a Ray batch.

A limit gates model requests, not runs: a tool loop's second request waits like any first
one. Requests are spaced evenly (``1 / requests_per_second`` apart, no bursts); tokens are
counted after each reply (the model's own usage), and a request waits while the tokens of the
last minute exceed the budget, as the provider's own limiter would make it. The clock and the
sleep are injectable, so a test runs with neither.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reverie.errors import ConfigurationError

if TYPE_CHECKING:
    from reverie.model import Call, LanguageModel, Response, StreamPart


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimit:
    """A provider's limits as a batch should respect them; ``None`` is no limit."""

    requests_per_second: float | None = None
    tokens_per_minute: float | None = None

    def __post_init__(self) -> None:
        for name in ("requests_per_second", "tokens_per_minute"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name} must be a number, not {type(value).__name__}")
            if not (math.isfinite(value) and value > 0):
                raise ConfigurationError(f"{name} must be a finite number above 0")


class Limiter:
    """The one account of a batch's requests and tokens: ``reserve`` says how long the next
    request waits, ``spend`` records a reply's tokens. Pure arithmetic on the clock it is
    given, so it runs the same inside a Ray actor and in this process."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self.next_slot = -math.inf
        self.tokens = 0.0  # spent and not yet refilled, refilled at tokens_per_minute / 60
        self.counted_at = clock()

    def _refill(self, now: float) -> None:
        per_minute = self.limit.tokens_per_minute
        if per_minute is not None:
            self.tokens = max(0.0, self.tokens - (now - self.counted_at) * per_minute / 60)
        self.counted_at = now

    def reserve(self) -> float:
        """Seconds the caller waits before sending; its slot is taken now."""
        now = self.clock()
        self._refill(now)
        wait = 0.0
        per_minute = self.limit.tokens_per_minute
        if per_minute is not None and self.tokens > per_minute:
            wait = (self.tokens - per_minute) * 60 / per_minute
        rate = self.limit.requests_per_second
        if rate is not None:
            slot = max(now + wait, self.next_slot + 1 / rate)
            self.next_slot = slot
            wait = slot - now
        return wait

    def spend(self, tokens: int) -> None:
        self._refill(self.clock())
        self.tokens += max(tokens, 0)


Reserve = Callable[[], Awaitable[float]]
Spend = Callable[[int], Awaitable[None]]


class LimitedModel:
    """``model`` with each request waiting its turn under a shared :class:`Limiter`."""

    def __init__(
        self,
        model: LanguageModel,
        reserve: Reserve,
        spend: Spend,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.model = model
        self._reserve = reserve
        self._spend = spend
        self._sleep = sleep

    @property
    def provider(self) -> str:
        return self.model.provider

    @property
    def model_id(self) -> str:
        return self.model.model_id

    def __getattr__(self, name: str) -> Any:  # object_mode, http, aclose...
        return getattr(self.model, name)

    async def _wait(self) -> None:
        wait = await self._reserve()
        if wait > 0:
            await (self._sleep or asyncio.sleep)(wait)

    async def generate(self, call: Call) -> Response:
        await self._wait()
        response = await self.model.generate(call)
        await self._spend(response.usage.total_tokens)
        return response

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        from reverie.model import Finish, stream_parts

        await self._wait()
        parts = stream_parts(self.model, call)
        try:
            async for part in parts:
                if isinstance(part, Finish):
                    await self._spend(part.usage.total_tokens)
                yield part
        finally:
            await parts.aclose()


def local_limit(limiter: Limiter) -> tuple[Reserve, Spend]:
    async def reserve() -> float:
        return limiter.reserve()

    async def spend(tokens: int) -> None:
        limiter.spend(tokens)

    return reserve, spend
