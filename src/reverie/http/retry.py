"""The one retry owner: requests that failed for a passing reason (rate limits, overload,
dropped connections, streams cut before any part reached the caller) are tried again with
exponential backoff, or after the server's ``Retry-After``.

Every failure reaches the policy as a :class:`ProviderError` whose ``retryable`` flag was set
where it was understood (an HTTP status, a transport error, an in-band stream error), so the
policy itself has one question to answer: is there an attempt left.

No jitter and an injectable ``sleep``, so a retried run is as reproducible as any other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from reverie.errors import ProviderError

Sleep = Callable[[float], Awaitable[None]]
OnRetry = Callable[[ProviderError, int, float], None]
"""Called before each retry with the error, the attempt number (1 for the first retry) and
the delay in seconds."""

# Failures where the request may not have reached the model, or the connection dropped.
# Not every TransportError: a replay mismatch in tests is one and would only repeat itself.
_TRANSIENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def is_transient(error: BaseException) -> bool:
    """A transport failure worth another attempt."""
    return isinstance(error, _TRANSIENT)


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

    def should_retry(self, error: Exception, attempt: int) -> bool:
        if attempt >= self.max_retries:
            return False
        if isinstance(error, ProviderError):
            return error.retryable
        return is_transient(error)

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


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return _seconds_until(value)


def _seconds_until(http_date: str) -> float | None:
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    from datetime import datetime

    # The clock is read here, at the transport edge, never inside the agent loop.
    return max((when - datetime.now(when.tzinfo)).total_seconds(), 0.0)
