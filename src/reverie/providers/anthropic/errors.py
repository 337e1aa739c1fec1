"""Anthropic's error body, ``{"type": "error", "error": {"type", "message"}}``, → our errors.

HTTP errors are built by the kit (status, retryable 429/5xx/529); here they are recognised
further: a prompt too long for the context window becomes a ``ContextOverflowError`` with
the token counts the message gives. In-band stream errors become ``StreamError``s, retryable
when Anthropic says the failure is passing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reverie.errors import ContextOverflowError, ProviderError, StreamError

# Error types that say "try again later".
RETRYABLE = frozenset({"overloaded_error", "api_error", "rate_limit_error", "timeout_error"})

# "prompt is too long: 208451 tokens > 200000 maximum"
_OVERFLOW = re.compile(r"prompt is too long:\s*(\d+)\s*tokens?\s*>\s*(\d+)", re.IGNORECASE)
_OVERFLOW_WORDS = (
    "prompt is too long",
    "input is too long",  # Bedrock
    "context window",
    "context length",
    "too many tokens",
)


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
    return str(error.get("type") or ""), str(error.get("message") or "")


def stream_error(event: dict[str, Any], provider: str) -> StreamError:
    """An in-band ``error`` event."""
    kind, message = error_fields(event)
    return StreamError(
        f"{provider}: stream error: {kind or 'error'}: {message or 'no message'}",
        provider=provider,
        body=json.dumps(event)[:2000],
        retryable=kind in RETRYABLE,
    )


def classify(error: ProviderError) -> ProviderError:
    """The same error, as a ContextOverflowError when its body says the prompt was too long."""
    if isinstance(error, ContextOverflowError) or error.body is None:
        return error
    _, message = error_fields(error.body)
    if not any(word in message.lower() for word in _OVERFLOW_WORDS):
        return error
    match = _OVERFLOW.search(message)
    return ContextOverflowError(
        str(error),
        provider=error.provider,
        status=error.status,
        body=error.body,
        used_tokens=int(match.group(1)) if match else None,
        max_tokens=int(match.group(2)) if match else None,
    )
