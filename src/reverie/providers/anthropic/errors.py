"""Anthropic's errors → our errors: the family's one classifier, wherever Claude is served
(Anthropic, Bedrock, Vertex), on the plain and the streamed path alike.

Anthropic's body is ``{"type": "error", "error": {"type", "message"}}``: ``invalid_request_error``
(a prompt too long says "prompt is too long: N tokens > M maximum"), ``authentication_error``
(401), ``permission_error`` (403), ``rate_limit_error`` (429), ``api_error`` (500),
``overloaded_error`` (529); in a stream, an ``error`` event carries the same object. Bedrock
names its errors in ``x-amzn-ErrorType`` and exception frames (``ThrottlingException``,
``ServiceUnavailableException``, ``ValidationException`` with "Input is too long…",
``AccessDeniedException``…); Vertex in Google's shape (``RESOURCE_EXHAUSTED``…).
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError, StreamError
from reverie.providers.classify import ALL_COUNTS, ErrorKinds

# Error types that say "try again later".
RETRYABLE = frozenset({"overloaded_error", "api_error", "rate_limit_error", "timeout_error"})


def error_fields(body: Any) -> tuple[str, str]:
    """(type, message) of an Anthropic error body, a dict or its JSON text; empty if not one."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return "", ""
    if not isinstance(body, dict):
        return "", ""
    error = body.get("error", body)
    if not isinstance(error, dict):
        return "", str(error)
    kind, message = error.get("type"), error.get("message")
    return (kind if isinstance(kind, str) else ""), str(message or "")


def stream_error(event: dict[str, Any], provider: str) -> StreamError:
    """An in-band ``error`` event."""
    kind, message = error_fields(event)
    return StreamError(
        f"{provider}: stream error: {kind or 'error'}: {message or 'no message'}",
        provider=provider,
        body=json.dumps(event)[:2000],
        retryable=kind in RETRYABLE,
        code=kind or None,
    )


def in_body(body: Any, provider: str) -> ProviderError | None:
    """The error a 200 answer holds (``"type": "error"``), or None."""
    if not isinstance(body, dict) or body.get("type") != "error":
        return None
    kind, message = error_fields(body)
    return ProviderError(
        f"{provider}: {kind}: {message}",
        provider=provider,
        body=json.dumps(body)[:2000],
        retryable=kind in RETRYABLE,
        code=kind or None,
    )


ERRORS = ErrorKinds(
    overflow_words=(
        "prompt is too long",
        "input is too long",  # Bedrock
        "context window",
        "context length",
        "exceed context limit",
        "exceeds the maximum number of tokens",  # Vertex
    ),
    overflow_counts=ALL_COUNTS,
    auth_statuses=frozenset({401, 403}),
    auth_codes=frozenset(
        {
            "authentication_error",
            "permission_error",
            "AccessDeniedException",
            "UnrecognizedClientException",
            "ExpiredTokenException",
            "InvalidSignatureException",
            "IncompleteSignature",
            "MissingAuthenticationToken",
            "UNAUTHENTICATED",
            "PERMISSION_DENIED",
        }
    ),
    rate_limit_codes=frozenset({"rate_limit_error", "ThrottlingException", "RESOURCE_EXHAUSTED"}),
    quota_codes=frozenset({"ServiceQuotaExceededException"}),
    overloaded_codes=frozenset(
        {"overloaded_error", "ServiceUnavailableException", "ModelNotReadyException", "UNAVAILABLE"}
    ),
    in_body=in_body,
    retry_info=True,  # Claude on Vertex answers in Google's error shape
)
