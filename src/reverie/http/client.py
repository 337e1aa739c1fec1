"""Building the shared httpx client and turning HTTP failures into ProviderError."""

from __future__ import annotations

import httpx

from reverie.errors import ProviderError

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)


def default_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)


_RETRYABLE = {408, 409, 429, 500, 502, 503, 504}


def status_error(
    provider: str, status: int, body: str, headers: httpx.Headers | None = None
) -> ProviderError:
    """An error for a non-2xx answer. Only the response body is quoted, never the request,
    so credentials cannot leak into the message."""
    from reverie.http.retry import retry_after

    detail = _error_message(body) or body[:500]
    return ProviderError(
        f"{provider}: HTTP {status}: {detail}",
        provider=provider,
        status=status,
        body=body,
        retryable=status in _RETRYABLE,
        retry_after=retry_after(headers) if headers is not None else None,
    )


def _error_message(body: str) -> str | None:
    import json

    try:
        value = json.loads(body)
    except ValueError:
        return None
    if isinstance(value, dict):
        err = value.get("error", value)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(err, str):
            return err
    return None
