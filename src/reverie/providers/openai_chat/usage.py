"""OpenAI chat ``usage`` → our Usage (OpenRouter adds ``cost`` and cache writes).

``prompt_tokens`` already includes cached tokens, which is our meaning of ``input_tokens``.
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
    prompt = _object(raw, "prompt_tokens_details", provider)
    completion = _object(raw, "completion_tokens_details", provider)
    input_tokens = token_count(raw, "prompt_tokens", provider)
    output_tokens = token_count(raw, "completion_tokens", provider)
    cost = raw.get("cost")
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=token_count(raw, "total_tokens", provider) or input_tokens + output_tokens,
        reasoning_tokens=token_count(completion, "reasoning_tokens", provider),
        cache_read_tokens=token_count(prompt, "cached_tokens", provider),
        cache_write_tokens=token_count(prompt, "cache_write_tokens", provider),
        cost=float(cost) if isinstance(cost, int | float) else None,
    )


def _object(raw: dict[str, Any], key: str, provider: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ProviderError(
            f"{provider}: 'usage.{key}' is not an object: {value!r:.200}", provider=provider
        )
    return value
