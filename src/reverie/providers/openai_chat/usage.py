"""OpenAI chat ``usage`` → our Usage (OpenRouter adds ``cost`` and cache writes)."""

from __future__ import annotations

from typing import Any

from reverie.usage import Usage


def convert_usage(raw: dict[str, Any] | None) -> Usage:
    if not raw:
        return Usage()
    prompt = raw.get("prompt_tokens_details") or {}
    completion = raw.get("completion_tokens_details") or {}
    input_tokens = int(raw.get("prompt_tokens") or 0)
    output_tokens = int(raw.get("completion_tokens") or 0)
    cost = raw.get("cost")
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=int(raw.get("total_tokens") or input_tokens + output_tokens),
        reasoning_tokens=int(completion.get("reasoning_tokens") or 0),
        cache_read_tokens=int(prompt.get("cached_tokens") or 0),
        cache_write_tokens=int(prompt.get("cache_write_tokens") or 0),
        cost=float(cost) if isinstance(cost, int | float) else None,
    )
