"""Responses ``usage`` → our Usage.

``input_tokens`` already includes cached tokens (our meaning of ``input_tokens``);
``input_tokens_details.cached_tokens`` says how many hit the cache.
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
    inputs = read.opt_obj(raw.get("input_tokens_details"), "usage.input_tokens_details")
    outputs = read.opt_obj(raw.get("output_tokens_details"), "usage.output_tokens_details")
    count = read.count
    input_tokens = count(raw, "input_tokens", "usage")
    output_tokens = count(raw, "output_tokens", "usage")
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=count(raw, "total_tokens", "usage") or input_tokens + output_tokens,
        reasoning_tokens=count(outputs, "reasoning_tokens", "usage.output_tokens_details"),
        cache_read_tokens=count(inputs, "cached_tokens", "usage.input_tokens_details"),
    )
