"""Google's errors → our errors: the family's one classifier (the Gemini API and Vertex), on
the plain and the streamed path alike.

The body is ``{"error": {"code", "message", "status"}}`` (sometimes in a list), in an HTTP
error, inside a 200 answer or as a stream event. ``RESOURCE_EXHAUSTED`` (429) is a rate
limit, ``UNAVAILABLE`` (503, "The model is overloaded") an overload, ``UNAUTHENTICATED``/
``PERMISSION_DENIED`` and "API key not valid" refused credentials, and ``INVALID_ARGUMENT``
saying "The input token count (N) exceeds the maximum number of tokens allowed (M)" a prompt
too long. ``RESOURCE_EXHAUSTED``, ``UNAVAILABLE``, ``INTERNAL``, ``DEADLINE_EXCEEDED`` are
transient, wherever they come: a 200 answer holding one is retried too.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError, StreamError
from reverie.providers.classify import ALL_COUNTS, ErrorKinds

_TRANSIENT = frozenset({"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"})


def google_error(body: Any, provider: str, *, stream: bool = False) -> ProviderError | None:
    """The error ``body`` holds, or None when it is not an error body."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, dict) or "error" not in body or body.get("candidates"):
        return None
    error = body["error"]
    status: Any = None
    code: Any = None
    if isinstance(error, dict):
        message = error.get("message")
        status = error.get("status")
        code = error.get("code")
    else:
        message = error
    if not isinstance(status, str):
        status = None
    if isinstance(code, bool) or not isinstance(code, int):
        code = None
    text = message if isinstance(message, str) and message else status or "unknown error"
    prefix = f"{status}: " if status and status not in text else ""
    kind = StreamError if stream else ProviderError
    return kind(
        f"{provider}: {prefix}{text}",
        provider=provider,
        status=code,
        body=json.dumps(body)[:2000],
        retryable=status in _TRANSIENT or code in (429, 500, 503, 504),
        code=status,
    )


def in_body(body: Any, provider: str) -> ProviderError | None:
    return google_error(body, provider)


ERRORS = ErrorKinds(
    overflow_words=("exceeds the maximum number of tokens", "context window"),
    overflow_counts=ALL_COUNTS,
    auth_statuses=frozenset({401, 403}),
    auth_codes=frozenset({"UNAUTHENTICATED", "PERMISSION_DENIED", "API_KEY_INVALID"}),
    auth_words=("api key not valid", "api key expired", "api_key_invalid"),
    rate_limit_codes=frozenset({"RESOURCE_EXHAUSTED"}),
    overloaded_codes=frozenset({"UNAVAILABLE"}),
    in_body=in_body,
    retry_info=True,
)
