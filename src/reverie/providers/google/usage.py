"""Gemini ``usageMetadata`` → our Usage.

``promptTokenCount`` already includes cached tokens (``cachedContentTokenCount``), which is
our ``input_tokens``. Thoughts are billed as output, so ``output_tokens`` is candidates plus
thoughts and ``reasoning_tokens`` the thoughts alone.
"""

from __future__ import annotations

from typing import Any

from reverie.errors import ProviderError
from reverie.providers.tokens import token_count
from reverie.usage import Usage


def convert_usage(raw: Any, provider: str) -> Usage:
    if not raw:
        return Usage()
    if not isinstance(raw, dict):
        raise ProviderError(
            f"{provider}: 'usageMetadata' is not an object: {raw!r:.200}", provider=provider
        )
    input_tokens = count(raw, "promptTokenCount", provider)
    thoughts = count(raw, "thoughtsTokenCount", provider)
    output_tokens = count(raw, "candidatesTokenCount", provider) + thoughts
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=count(raw, "totalTokenCount", provider) or input_tokens + output_tokens,
        reasoning_tokens=thoughts,
        cache_read_tokens=count(raw, "cachedContentTokenCount", provider),
    )


def count(raw: dict[str, Any], key: str, provider: str) -> int:
    """A token count from `usageMetadata`; see :func:`reverie.providers.tokens.token_count`."""
    return token_count(raw, key, provider, where="usageMetadata")
