"""Google's error body, ``{"error": {"code", "message", "status"}}`` (sometimes in a list),
→ ProviderError. ``RESOURCE_EXHAUSTED`` and ``UNAVAILABLE`` (and their kin) are transient.

Error statuses on the HTTP response are read by the kit (``status_error``); this module
reads the errors Google sends inside a 200 answer or a stream.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError, StreamError

_TRANSIENT = frozenset({"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED"})


def google_error(body: Any, provider: str, *, stream: bool = False) -> ProviderError | None:
    """The error ``body`` holds, or None when it is not an error body."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, dict) or "error" not in body or body.get("candidates"):
        return None
    error = body["error"]
    if isinstance(error, dict):
        message = str(error.get("message") or error.get("status") or "unknown error")
        status = error.get("status")
        code = error.get("code")
    else:
        message, status, code = str(error), None, None
    prefix = f"{status}: " if isinstance(status, str) and status not in message else ""
    kind = StreamError if stream else ProviderError
    return kind(
        f"{provider}: {prefix}{message}",
        provider=provider,
        status=code if isinstance(code, int) and not isinstance(code, bool) else None,
        body=json.dumps(body)[:2000],
        retryable=(isinstance(status, str) and status in _TRANSIENT)
        or code in (429, 500, 503, 504),
    )
