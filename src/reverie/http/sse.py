"""Server-sent events: bytes in, (event, data) pairs out.

Kept allocation-light: one str per line from httpx, one joined str per event. Comment
lines (OpenRouter's ``: OPENROUTER PROCESSING`` keep-alives) and unknown fields are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str


async def iter_sse(lines: AsyncIterator[str]) -> AsyncIterator[ServerSentEvent]:
    """The events of ``lines``; closing this iterator early closes ``lines`` too (an abandoned
    generator would be finalised later, by a task of its own)."""
    event = ""
    data: list[str] = []
    try:
        async for line in lines:
            if not line:
                if data:
                    yield ServerSentEvent(event or "message", "\n".join(data))
                event, data = "", []
                continue
            if line[0] == ":":
                continue
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name == "event":
                event = value
        if data:  # a final event without its blank line still counts
            yield ServerSentEvent(event or "message", "\n".join(data))
    finally:
        close = getattr(lines, "aclose", None)
        if close is not None:
            await close()
