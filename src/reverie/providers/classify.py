"""What an error means, the same for every family: a prompt too long for the context window,
a rate limit (or a spent quota), an overloaded service, refused credentials.

Written once; each family's ``errors.py`` specialises it with its provider's documented
vocabulary (an :class:`ErrorKinds`): the error codes and types it sends, the words its
messages use, and where its messages give the token counts of an overflow. The family's
``ERRORS`` is handed to :class:`~reverie.http.client.HttpClient`, which applies it to every
failure of the plain and the streamed path (an HTTP status, an error inside a 200 answer,
an in-band stream error) before deciding whether to retry, so a retry sees the typed error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reverie.errors import (
    AuthenticationError,
    ContextOverflowError,
    OverloadedError,
    ProviderError,
    RateLimitError,
    retyped,
)

_TYPED = (ContextOverflowError, RateLimitError, OverloadedError, AuthenticationError)
_SCANNED = 4000  # characters of an error's text searched for words (a page can be long)


def _no_error(body: Any, provider: str) -> ProviderError | None:
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorKinds:
    """A family's error vocabulary. Codes are matched exactly (against ``error.code`` and
    the ``type``/``code``/``status`` of the error object in its body); words are matched in
    the lowercased message."""

    overflow_codes: frozenset[str] = frozenset()
    overflow_words: tuple[str, ...] = ()
    overflow_counts: tuple[re.Pattern[str], ...] = ()
    """Patterns with groups ``used`` and ``max`` (the prompt's tokens and the window)."""
    auth_statuses: frozenset[int] = frozenset({401})
    auth_codes: frozenset[str] = frozenset()
    auth_words: tuple[str, ...] = ()
    rate_limit_codes: frozenset[str] = frozenset()
    quota_codes: frozenset[str] = frozenset()
    """Rate limits that waiting does not lift (a spent quota, no credits): not retryable."""
    quota_statuses: frozenset[int] = frozenset()
    overloaded_codes: frozenset[str] = frozenset()
    overloaded_statuses: frozenset[int] = frozenset({503, 529})
    in_body: Callable[[Any, str], ProviderError | None] = _no_error
    """The error a decoded 2xx answer holds (``(body, provider)``), or None."""
    retry_info: bool = False
    """Whether the body may say when to retry as Google's ``google.rpc.RetryInfo`` detail
    (``"retryDelay": "37s"``), read when no ``Retry-After`` header said it."""

    def classify(self, error: ProviderError) -> ProviderError:
        """``error`` as the typed error its status, code or message says it is (or itself)."""
        if self.retry_info and error.retry_after is None:
            error.retry_after = retry_delay(error.body)
        if isinstance(error, _TYPED):
            return error
        codes, status, counts = _fields(error)
        status = error.status if error.status is not None else status
        text = f"{error}\n{(error.body or '')[:_SCANNED]}".lower()
        named = codes & (
            self.auth_codes | self.rate_limit_codes | self.quota_codes | self.overloaded_codes
        )
        if codes & self.overflow_codes or (
            not named
            and status in (None, 400, 413, 422)
            and any(w in text for w in self.overflow_words)
        ):
            used, limit = counts
            if used is None:
                used, limit = self._counts(f"{error}\n{(error.body or '')[:_SCANNED]}")
            return retyped(
                error, ContextOverflowError, retryable=False, used_tokens=used, max_tokens=limit
            )
        if (
            status in self.auth_statuses
            or codes & self.auth_codes
            or any(w in text for w in self.auth_words)
        ):
            return retyped(error, AuthenticationError, retryable=False)
        if codes & self.quota_codes or status in self.quota_statuses:
            return retyped(error, RateLimitError, retryable=False)
        if status == 429 or codes & self.rate_limit_codes:
            return retyped(error, RateLimitError, retryable=True)
        if status in self.overloaded_statuses or codes & self.overloaded_codes:
            return retyped(error, OverloadedError, retryable=True)
        return error

    def _counts(self, text: str) -> tuple[int | None, int | None]:
        for pattern in self.overflow_counts:
            match = pattern.search(text)
            if match:
                return int(match["used"]), int(match["max"])
        return None, None


def _fields(error: ProviderError) -> tuple[frozenset[str], int | None, tuple[int | None, ...]]:
    """The codes an error carries (its ``code`` and its body's error object's ``type``,
    ``code``, ``status``), the status its body gives (a numeric ``code``, as OpenRouter and
    Google send) and the token counts of an overflow some servers send as fields
    (llama.cpp's ``n_prompt_tokens``/``n_ctx``)."""
    codes: set[str] = set()
    if error.code:
        # AWS names a stream's exceptions in lower camel case ("throttlingException")
        codes.update((error.code, error.code[:1].upper() + error.code[1:]))
    status: int | None = None
    counts: tuple[int | None, ...] = (None, None)
    obj = _error_object(error.body)
    if obj is not None:
        for key in ("type", "code", "status", "__type"):
            value = obj.get(key)
            if isinstance(value, str) and value:
                codes.add(value.rsplit("#", 1)[-1])  # AWS: "…#ThrottlingException"
            elif key == "code" and isinstance(value, int) and not isinstance(value, bool):
                status = value
        used, limit = obj.get("n_prompt_tokens"), obj.get("n_ctx")
        if isinstance(used, int) and isinstance(limit, int):
            counts = (used, limit)
    return frozenset(codes), status, counts


def _error_object(body: str | None) -> dict[str, Any] | None:
    """The error object of a JSON error body (``{"error": {…}}``, Google's list around it,
    or the object itself), or None."""
    if not body or body[:1] not in "[{":
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, dict):
        return None
    inner = value.get("error", value)
    if isinstance(inner, dict):
        return inner
    return value


_DURATION = re.compile(r"\s*(\d{1,9}(?:\.\d{1,9})?)s\s*")


def retry_delay(body: str | None) -> float | None:
    """Seconds from a Google error's ``RetryInfo`` detail (``"retryDelay": "37s"``), or None."""
    if not body or "RetryInfo" not in body:
        return None
    obj = _error_object(body)
    details = obj.get("details") if obj is not None else None
    for detail in details if isinstance(details, list) else ():
        if not isinstance(detail, dict):
            continue
        kind, delay = detail.get("@type"), detail.get("retryDelay")
        if str(kind).endswith("google.rpc.RetryInfo") and isinstance(delay, str):
            match = _DURATION.fullmatch(delay)
            if match:
                return float(match.group(1))
    return None


def counts(pattern: str) -> re.Pattern[str]:
    """An overflow message pattern (with ``used`` and ``max`` groups), case-insensitive."""
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


# How the providers' messages give an overflow's token counts; gateways pass them on as
# they came, so any family may meet any of them.
OPENAI_COUNTS = counts(
    r"maximum context length is (?P<max>\d+) tokens.*?"
    r"(?:resulted in|requested(?: about)?|have) (?P<used>\d+) tokens"
)
OPENAI_LIMIT_COUNTS = counts(
    r"exceed the configured limit of (?P<max>\d+) tokens.*?resulted in (?P<used>\d+) tokens"
)
ANTHROPIC_COUNTS = counts(r"prompt is too long:\s*(?P<used>\d+)\s*tokens?\s*>\s*(?P<max>\d+)")
# "input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000"
ANTHROPIC_LIMIT_COUNTS = counts(
    r"exceed context limit:\s*(?P<used>\d+)\s*\+\s*\d+\s*>\s*(?P<max>\d+)"
)
GEMINI_COUNTS = counts(
    r"input token count \((?P<used>\d+)\) exceeds the maximum number of tokens allowed "
    r"\((?P<max>\d+)\)"
)
ALL_COUNTS = (
    OPENAI_COUNTS,
    OPENAI_LIMIT_COUNTS,
    ANTHROPIC_COUNTS,
    ANTHROPIC_LIMIT_COUNTS,
    GEMINI_COUNTS,
)
