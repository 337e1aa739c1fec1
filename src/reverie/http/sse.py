"""Server-sent events: bytes in, (event, data) pairs out.

Read from the body's bytes, not from httpx's decoded lines: splitting bytes on line ends and
decoding each complete line once costs a fraction of an incremental text decoder plus a line
decoder, and this sits under every chunk of every stream. Line ends are LF, CRLF or a lone CR
(a CRLF cut between two reads is still one line end); bytes that are not UTF-8 become U+FFFD,
as a text decoder would make them. Comment lines (OpenRouter's ``: OPENROUTER PROCESSING``
keep-alives) and unknown fields are skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str
    data: str


async def iter_sse(chunks: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
    """The events of a body read in ``chunks``; closing this iterator early closes ``chunks``
    too (an abandoned generator would be finalised later, by a task of its own)."""
    event = ""
    data: list[str] = []
    pending = b""  # an incomplete last line (ending in CR when that may be half of a CRLF)
    read = chunks.__aiter__().__anext__
    more = True
    try:
        while more:
            try:
                chunk = await read()
            except StopAsyncIteration:  # one more line end: the last line counts
                chunk, more = b"\n", False
            buffer = pending + chunk if pending else chunk
            if b"\r" in buffer:
                held_cr = buffer[-1:] == b"\r"
                if held_cr:
                    buffer = buffer[:-1]
                lines = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
                pending = lines.pop() + b"\r" if held_cr else lines.pop()
            else:
                lines = buffer.split(b"\n")
                pending = lines.pop()
            for line in lines:
                if not line:
                    if data:
                        yield ServerSentEvent(event or "message", "\n".join(data))
                    event, data = "", []
                    continue
                if line[0] == 58:  # b":", a comment
                    continue
                name, _, value = line.partition(b":")
                if value[:1] == b" ":
                    value = value[1:]
                if name == b"data":
                    data.append(value.decode("utf-8", "replace"))
                elif name == b"event":
                    event = value.decode("utf-8", "replace")
        if data:  # a final event without its blank line still counts
            yield ServerSentEvent(event or "message", "\n".join(data))
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
