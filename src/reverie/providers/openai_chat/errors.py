"""Chat-completions errors → our errors: the family's one classifier, for OpenAI and every
provider speaking its wire (Azure, OpenRouter, Vercel, OpenAI-compatible servers), on the
plain and the streamed path alike (see :mod:`reverie.providers.openai_errors`).

An error can come inside a 200 answer too: OpenRouter reports a failure after the model
started as ``{"error": {"code": <status>, "message"}}`` in the body or a stream chunk.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError, StreamError
from reverie.http.client import error_message
from reverie.providers import openai_errors as openai
from reverie.providers.classify import ErrorKinds

_RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})


def wire_error(error: Any, provider: str, *, stream: bool = False) -> ProviderError:
    """The error an ``error`` field holds (an object, or a message)."""
    code = error.get("code") if isinstance(error, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and not isinstance(code, bool) else None
    name = code if isinstance(code, str) else kind if isinstance(kind, str) else None
    message = error_message({"error": error}) or str(error)[:500]
    return (StreamError if stream else ProviderError)(
        f"{provider}: stream error: {message}" if stream else f"{provider}: {message}",
        provider=provider,
        body=json.dumps(error)[:2000],
        code=name,
        status=None if stream else status,
        retryable=status in _RETRYABLE_STATUS
        or name in openai.RATE_LIMIT_CODES | openai.OVERLOADED_CODES | {"server_error"},
    )


def in_body(body: Any, provider: str) -> ProviderError | None:
    """The error a 200 answer holds instead of choices, or None."""
    if isinstance(body, dict) and body.get("error") and not body.get("choices"):
        return wire_error(body["error"], provider)
    return None


ERRORS = ErrorKinds(
    overflow_codes=openai.OVERFLOW_CODES,
    overflow_words=openai.OVERFLOW_WORDS,
    overflow_counts=openai.OVERFLOW_COUNTS,
    auth_codes=openai.AUTH_CODES,
    rate_limit_codes=openai.RATE_LIMIT_CODES,
    quota_codes=openai.QUOTA_CODES,
    quota_statuses=frozenset({402}),
    overloaded_codes=openai.OVERLOADED_CODES,
    in_body=in_body,
)
