"""Responses ``usage`` → our Usage.

``input_tokens`` already includes cached tokens (our meaning of ``input_tokens``);
``input_tokens_details.cached_tokens`` says how many hit the cache.
"""

from __future__ import annotations

from typing import Any

from reverie.errors import ProviderError
from reverie.providers.tokens import token_count
from reverie.usage import Usage


def convert_usage(raw: Any, provider: str = "openai") -> Usage:
    if not raw:
        return Usage()
    if not isinstance(raw, dict):
        raise ProviderError(
            f"{provider}: 'usage' is not an object: {raw!r:.200}", provider=provider
        )
    input_details = _details(raw, "input_tokens_details", provider)
    output_details = _details(raw, "output_tokens_details", provider)
    input_tokens = token_count(raw, "input_tokens", provider)
    output_tokens = token_count(raw, "output_tokens", provider)
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=token_count(raw, "total_tokens", provider) or input_tokens + output_tokens,
        reasoning_tokens=token_count(output_details, "reasoning_tokens", provider),
        cache_read_tokens=token_count(input_details, "cached_tokens", provider),
    )


def _details(raw: dict[str, Any], key: str, provider: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ProviderError(
            f"{provider}: 'usage.{key}' is not an object: {value!r:.200}", provider=provider
        )
    return value
