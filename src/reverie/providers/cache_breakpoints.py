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

_LISTS = ("system", "messages", "tools")


def count_cache_breakpoints(body: dict[str, Any]) -> int:
    """The cache markers of a request body (Messages API or chat completions): on a system
    block, message or tool entry, and on each item of its ``content`` (parts or blocks)
    and ``tool_calls`` (chat tool-call entries). Written out as loops: it runs for every
    request, most of which carry no marker at all."""
    count = 0
    for name in _LISTS:
        entries = body.get(name)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if entry.get("cache_control"):
                count += 1
            content, calls = entry.get("content"), entry.get("tool_calls")
            if isinstance(content, list):
                count += _marked(content)
            if isinstance(calls, list):
                count += _marked(calls)
    return count


def _marked(items: list[Any]) -> int:
    count = 0
    for item in items:
        if isinstance(item, dict) and item.get("cache_control"):
            count += 1
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
