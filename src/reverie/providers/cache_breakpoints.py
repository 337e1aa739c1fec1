"""Anthropic's limit on cache breakpoints, checked before a request is sent.

Anthropic takes at most four ``cache_control`` markers in one request (on system blocks,
message blocks and tools together) and refuses the whole request otherwise. Every wire that
carries its cache markers (the Messages API on Anthropic, Bedrock and Vertex, and the chat
wire of the gateways and OpenAI-compatible servers) counts them here and raises a
``ConfigurationError`` instead of sending a request bound to fail.
"""

from __future__ import annotations

from typing import Any

from reverie.errors import ConfigurationError

MAX_CACHE_BREAKPOINTS = 4

# Where a marker can sit inside a system block, message or tool entry: the object itself,
# then each item of these lists (content parts or blocks, chat tool-call entries).
_NESTED = ("content", "tool_calls")


def _marks(entry: Any) -> int:
    if not isinstance(entry, dict):
        return 0
    count = 1 if entry.get("cache_control") else 0
    for name in _NESTED:
        items = entry.get(name)
        if isinstance(items, list):
            count += sum(
                1 for item in items if isinstance(item, dict) and item.get("cache_control")
            )
    return count


def count_cache_breakpoints(body: dict[str, Any]) -> int:
    """The cache markers of a request body (Messages API or chat completions)."""
    count = 0
    for name in ("system", "messages", "tools"):
        entries = body.get(name)
        if isinstance(entries, list):
            count += sum(_marks(entry) for entry in entries)
    return count


def check_cache_breakpoints(body: dict[str, Any], provider: str) -> None:
    """Raises ``ConfigurationError`` when ``body`` holds more markers than Anthropic takes."""
    count = count_cache_breakpoints(body)
    if count > MAX_CACHE_BREAKPOINTS:
        raise ConfigurationError(
            f"{provider}: {count} cache_control markers in one request; Anthropic takes at "
            f"most {MAX_CACHE_BREAKPOINTS} (system, messages and tools together): mark fewer "
            "messages, parts or tools"
        )
