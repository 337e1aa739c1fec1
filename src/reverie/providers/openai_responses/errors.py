"""Responses API errors → our errors: the family's one classifier, on the plain and the
streamed path alike (OpenAI's vocabulary, :mod:`reverie.providers.openai_errors`).

A failed response carries ``error: {code, message}``, in the plain answer or in a
``response.failed`` event; an ``error`` event carries it whole. Codes that say the failure
is passing are retryable.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError, StreamError
from reverie.http.client import error_message
from reverie.providers import openai_errors as openai
from reverie.providers.classify import ErrorKinds

# Error codes OpenAI uses for failures that a new attempt may not meet.
TRANSIENT = (
    openai.RATE_LIMIT_CODES
    | openai.OVERLOADED_CODES
    | {"server_error", "internal_error", "timeout"}
)


def wire_error(
    error: dict[str, Any], provider: str, fallback: str = "error", *, stream: bool = False
) -> ProviderError:
    """The error a failed response or an ``error`` event holds."""
    code = error.get("code") or error.get("type")
    message = error.get("message") or fallback
    return (StreamError if stream else ProviderError)(
        f"{provider}: {message} ({code})" if code else f"{provider}: {message}",
        provider=provider,
        body=json.dumps(error)[:2000],
        code=code if isinstance(code, str) else None,
        retryable=isinstance(code, str) and code in TRANSIENT,
    )


def in_body(body: Any, provider: str) -> ProviderError | None:
    """The error a 200 answer holds (a failed response), or None."""
    if not isinstance(body, dict) or not body.get("error"):
        return None
    error = body["error"]
    if isinstance(error, dict):
        return wire_error(error, provider)
    message = error_message(body) or str(error)[:500]
    return ProviderError(f"{provider}: {message}", provider=provider, body=str(error)[:2000])


ERRORS = ErrorKinds(
    overflow_codes=openai.OVERFLOW_CODES,
    overflow_words=openai.OVERFLOW_WORDS,
    overflow_counts=openai.OVERFLOW_COUNTS,
    auth_codes=openai.AUTH_CODES,
    rate_limit_codes=openai.RATE_LIMIT_CODES,
    quota_codes=openai.QUOTA_CODES,
    overloaded_codes=openai.OVERLOADED_CODES,
    in_body=in_body,
)
