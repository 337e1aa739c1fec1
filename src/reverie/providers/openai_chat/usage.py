"""OpenAI chat ``usage`` → our Usage (OpenRouter adds ``cost`` and cache writes).

``prompt_tokens`` already includes cached tokens, which is our meaning of ``input_tokens``.
"""

from __future__ import annotations

from typing import Any

from reverie.providers.wire import Reader
from reverie.usage import Usage


def convert_usage(raw: Any, provider: str = "openai") -> Usage:
    if not raw:
        return Usage(reported=False)
    read = Reader(provider)
    raw = read.obj(raw, "usage")
    prompt = read.opt_obj(raw.get("prompt_tokens_details"), "usage.prompt_tokens_details")
    completion = read.opt_obj(
        raw.get("completion_tokens_details"), "usage.completion_tokens_details"
    )
    count = read.count
    input_tokens = count(raw, "prompt_tokens", "usage")
    output_tokens = count(raw, "completion_tokens", "usage")
    cost = read.number(raw.get("cost"), "usage.cost")
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=count(raw, "total_tokens", "usage") or input_tokens + output_tokens,
        reasoning_tokens=count(completion, "reasoning_tokens", "usage.completion_tokens_details"),
        cache_read_tokens=count(prompt, "cached_tokens", "usage.prompt_tokens_details"),
        cache_write_tokens=count(prompt, "cache_write_tokens", "usage.prompt_tokens_details"),
        cost=cost,
        cost_source=None if cost is None else "provider",
    )
