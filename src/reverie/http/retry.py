"""The transport's half of retrying: which httpx2 failures are transient, and how long a
server asks us to wait (``Retry-After``, ``retry-after-ms``). The policy itself is
:class:`reverie.retry.RetryPolicy`; :class:`~reverie.http.client.HttpClient` owns the loop.
"""

from __future__ import annotations

import httpx2

from reverie.retry import NO_RETRY as NO_RETRY, OnRetry as OnRetry, RetryPolicy as RetryPolicy

# Failures where the request may not have reached the model, or the connection dropped.
# Not every TransportError: a replay mismatch in tests is one and would only repeat itself.
_TRANSIENT = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.ReadTimeout,
    httpx2.WriteTimeout,
    httpx2.PoolTimeout,
    httpx2.ReadError,
    httpx2.WriteError,
    httpx2.RemoteProtocolError,
)


def is_transient(error: BaseException) -> bool:
    """A transport failure worth another attempt."""
    return isinstance(error, _TRANSIENT)


def retry_after(headers: httpx2.Headers) -> float | None:
    """Seconds from ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP date.

    A value that is no delay (negative, NaN, words) is ignored, so our own backoff applies;
    a date already past is 0. A huge value is returned as it is: the policy caps it at its
    ``max_delay``."""
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    return _seconds_until(value)


def _number(value: str | None) -> float | None:
    """A header's delay as a number of seconds (or ms), or None when it is not one."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number >= 0 else None  # NaN and negatives are no delay


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
