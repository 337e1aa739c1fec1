"""The one retry policy: requests that failed for a passing reason (rate limits, overload,
dropped connections, streams cut before any part reached the caller) are tried again with
exponential backoff, or after the server's ``Retry-After``.

Every failure reaches the policy as a :class:`ProviderError` whose ``retryable`` flag was set
where it was understood (an HTTP status, a transport error, an in-band stream error), so the
policy itself has one question to answer: is there an attempt left. The loop that asks it is
:class:`reverie.http.client.HttpClient`'s.

No jitter and an injectable ``sleep``, so a retried run is as reproducible as any other.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from reverie.errors import ConfigurationError, ProviderError

Sleep = Callable[[float], Awaitable[None]]
OnRetry = Callable[[ProviderError, int, float], None]
"""Called before each retry with the error, the attempt number (1 for the first retry) and
the delay in seconds."""


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """``max_retries`` further attempts after the first, waiting ``initial_delay`` doubled each
    time up to ``max_delay`` (or what ``Retry-After`` says, capped the same way)."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 20.0
    sleep: Sleep = _asyncio_sleep
    on_retry: OnRetry | None = None

    def __post_init__(self) -> None:
        count = self.max_retries
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f"max_retries must be an int, not {type(count).__name__}")
        if count < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, not {count}")
        for name in ("initial_delay", "max_delay"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
            if not (math.isfinite(value) and value >= 0):
                raise ConfigurationError(f"{name} must be a finite number of seconds, 0 or more")
        if not callable(self.sleep):
            raise TypeError("sleep must be an async function taking seconds")
        if self.on_retry is not None and not callable(self.on_retry):
            raise TypeError("on_retry must be a function or None")

    def should_retry(self, error: Exception, attempt: int) -> bool:
        if attempt >= self.max_retries:
            return False
        # The transport turns its failures into ProviderErrors marked retryable or not.
        return isinstance(error, ProviderError) and error.retryable

    def delay(self, error: Exception, attempt: int) -> float:
        after = error.retry_after if isinstance(error, ProviderError) else None
        if after is not None and after >= 0:
            return min(after, self.max_delay)
        return min(self.initial_delay * 2.0**attempt, self.max_delay)

    async def wait(self, error: ProviderError, attempt: int) -> None:
        """Sleeps before retry number ``attempt + 1``, telling ``on_retry`` first."""
        seconds = self.delay(error, attempt)
        if self.on_retry is not None:
            self.on_retry(error, attempt + 1, seconds)
        await self.sleep(seconds)


NO_RETRY = RetryPolicy(max_retries=0)
