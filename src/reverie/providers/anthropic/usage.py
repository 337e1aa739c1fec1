"""Anthropic ``usage`` → our Usage.

Anthropic's ``input_tokens`` excludes the tokens read from or written to the prompt cache;
ours counts every prompt token, so the three are added, and the cache figures kept beside.
"""

from __future__ import annotations

from typing import Any

from reverie.providers.wire import Reader
from reverie.usage import Usage

_FIELDS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


def merge_usage(into: dict[str, int], raw: Any, read: Reader) -> None:
    """Fold a usage object into ``into``: a stream reports input on ``message_start`` and the
    final counts on ``message_delta``, where a field it leaves out keeps its earlier value."""
    if raw is None:
        return
    raw = read.obj(raw, "usage")
    for key in _FIELDS:
        if raw.get(key) is not None:
            into[key] = read.count(raw, key, "usage")


def convert_usage(raw: Any, provider: str) -> Usage:
    counts: dict[str, int] = {}
    merge_usage(counts, raw, Reader(provider))
    return usage_of(counts)


def usage_of(counts: dict[str, int]) -> Usage:
    """Our Usage from the merged counts (none: the answer reported no usage)."""
    if not counts:
        return Usage(reported=False)
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
