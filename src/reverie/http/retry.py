"""Retrying requests that failed for a passing reason (rate limits, overload, dropped
connections), with exponential backoff and the server's ``Retry-After`` when it gives one.

No jitter and an injectable ``sleep``, so a retried run is as reproducible as any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from reverie.errors import ProviderError

Sleep = Callable[[float], Awaitable[None]]

# Failures where the request may not have reached the model, or the server asked to retry.
# Not every TransportError: a replay mismatch in tests is one and would only repeat itself.
_TRANSIENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.PoolTimeout,
    httpx.RemoteProtocolError,
)


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

    def should_retry(self, error: Exception, attempt: int) -> bool:
        if attempt >= self.max_retries:
            return False
        if isinstance(error, ProviderError):
            return error.retryable
        return isinstance(error, _TRANSIENT)

    def delay(self, error: Exception, attempt: int) -> float:
        after = error.retry_after if isinstance(error, ProviderError) else None
        if after is not None and after >= 0:
            return min(after, self.max_delay)
        return min(self.initial_delay * 2.0**attempt, self.max_delay)


NO_RETRY = RetryPolicy(max_retries=0)


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from a ``Retry-After`` (or ``retry-after-ms``) header, when it holds a number."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None  # an HTTP date: rare from model APIs; the backoff applies
