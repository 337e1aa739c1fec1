"""Gemini ``usageMetadata`` → our Usage.

``promptTokenCount`` already includes cached tokens (``cachedContentTokenCount``), which is
our ``input_tokens``. Thoughts are billed as output, so ``output_tokens`` is candidates plus
thoughts and ``reasoning_tokens`` the thoughts alone.
"""

from __future__ import annotations

from typing import Any

from reverie.providers.wire import Reader
from reverie.usage import Usage


def convert_usage(raw: Any, provider: str) -> Usage:
    if not raw:
        return Usage(reported=False)
    read = Reader(provider)
    raw = read.obj(raw, "usageMetadata")
    input_tokens = count(raw, "promptTokenCount", read)
    thoughts = count(raw, "thoughtsTokenCount", read)
    output_tokens = count(raw, "candidatesTokenCount", read) + thoughts
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=count(raw, "totalTokenCount", read) or input_tokens + output_tokens,
        reasoning_tokens=thoughts,
        cache_read_tokens=count(raw, "cachedContentTokenCount", read),
    )


def count(raw: dict[str, Any], key: str, read: Reader) -> int:
    """A token count from `usageMetadata` (see :meth:`Reader.count`)."""
    return read.count(raw, key, "usageMetadata")
