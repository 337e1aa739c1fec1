"""Anthropic ``usage`` → our Usage.

Anthropic's ``input_tokens`` excludes the tokens read from or written to the prompt cache;
ours counts every prompt token, so the three are added, and the cache figures kept beside.
"""

from __future__ import annotations

from typing import Any

from reverie.errors import ProviderError
from reverie.usage import Usage

_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


def merge_usage(into: dict[str, Any], raw: Any, provider: str) -> None:
    """Fold a usage object into ``into``: a stream reports input on ``message_start`` and the
    final counts on ``message_delta``, where a field it leaves out keeps its earlier value."""
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise ProviderError(
            f"{provider}: 'usage' is not an object: {raw!r:.200}", provider=provider
        )
    for key in _FIELDS:
        value = raw.get(key)
        if value is not None:
            into[key] = _count(value, key, provider)


def convert_usage(raw: Any, provider: str) -> Usage:
    counts: dict[str, Any] = {}
    merge_usage(counts, raw, provider)
    write = counts.get("cache_creation_input_tokens", 0)
    read = counts.get("cache_read_input_tokens", 0)
    input_tokens = counts.get("input_tokens", 0) + write + read
    output_tokens = counts.get("output_tokens", 0)
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=input_tokens + output_tokens,
        cache_read_tokens=read,
        cache_write_tokens=write,
    )


def _count(value: Any, key: str, provider: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ProviderError(
        f"{provider}: 'usage.{key}' is not a whole number: {value!r:.100}", provider=provider
    )
