"""Server-sent events: bytes in, (event, data) pairs out.

Read from the body's bytes, not from httpx2's decoded lines: splitting bytes on line ends and
decoding each complete line once costs a fraction of an incremental text decoder plus a line
decoder, and this sits under every chunk of every stream. It is fed synchronously by the one
loop reading the body (``reading.read_stream``), not stacked as another async iterator: each
layer of those costs about a microsecond per chunk. Line ends are LF, CRLF or a lone CR (a
CRLF cut between two reads is still one line end); bytes that are not UTF-8 become U+FFFD, as
a text decoder would make them. Comment lines (OpenRouter's ``: OPENROUTER PROCESSING``
keep-alives) and unknown fields are skipped.

Memory is bounded: a line or an event longer than :data:`MAX_EVENT_BYTES` (a server that
never ends its line) is a ``StreamError``, not an ever-growing buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

from reverie.errors import StreamError

MAX_EVENT_BYTES = 64 * 1024 * 1024
"""The longest line or event read (a streamed image's base64 takes a few megabytes)."""


@dataclass(slots=True)  # not frozen: one is made per event, and frozen ones cost twice as much
class ServerSentEvent:
    event: str
    data: str


class SseDecoder:
    """Feed it the body's bytes as they arrive; each call returns the events they complete.
    ``close`` at the body's end returns the last event when no blank line followed it."""

    __slots__ = ("_data", "_event", "_failed", "_fresh", "_held", "_pending", "_size")

    media_type = "text/event-stream"

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        # An incomplete last line (ending in CR when that may be a CRLF's), in the pieces it
        # came in: joined once, when its end arrives. A long line (a base64 image) arriving
        # in many chunks would otherwise be copied again with each one.
        self._pending: list[bytes] = []
        self._held = 0  # bytes in _pending
        self._size = 0  # bytes of data lines of the event still open
        # A line too long, held back until the events before it have been read.
        self._failed: StreamError | None = None
        self._fresh = True  # nothing read yet: a byte order mark may lead the body

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if self._failed is not None:
            raise self._failed
        if self._fresh:
            if len(chunk) < 3 and b"\xef\xbb\xbf".startswith(chunk):
                self._pending.append(chunk)  # perhaps a BOM's first bytes: wait for more
                return []
            self._fresh = False
            chunk = b"".join(self._pending) + chunk
            self._pending.clear()
            if chunk[:3] == b"\xef\xbb\xbf":  # the stream's byte order mark is not data
                chunk = chunk[3:]
        pending = self._pending
        if pending:
            pending.append(chunk)
            if b"\n" not in chunk and b"\r" not in chunk:
                self._held += len(chunk)
                if self._held > MAX_EVENT_BYTES:
                    raise _too_long()
                return []
            buffer = b"".join(pending)
            pending.clear()
            self._held = 0
        else:
            buffer = chunk
        if b"\r" in buffer:  # CRLF (Gemini) or lone CR line ends: splitlines knows all three
            held = b""
            if buffer[-1:] == b"\r":  # perhaps half a CRLF: decided with the next chunk
                buffer, held = buffer[:-1], b"\r"
            lines = buffer.splitlines()
            complete = not lines or buffer[-1:] in b"\r\n"
            rest = held if complete else lines.pop() + held
        else:
            lines = buffer.split(b"\n")
            rest = lines.pop()
        if rest:
            if len(rest) > MAX_EVENT_BYTES:
                self._failed = _too_long()
            else:
                pending.append(rest)
                self._held = len(rest)
        events: list[ServerSentEvent] = []
        data = opened = self._data
        first = len(data)
        for line in lines:
            if line[:5] == b"data:":  # nearly every line: tested first, without a partition
                value = line[6:] if line[5:6] == b" " else line[5:]
                try:
                    data.append(value.decode())
                except UnicodeDecodeError:
                    data.append(value.decode("utf-8", "replace"))
            elif not line:
                if data:
                    text = data[0] if len(data) == 1 else "\n".join(data)
                    events.append(ServerSentEvent(self._event or "message", text))
                    self._data = data = []
                self._event = ""
            elif line[0] != 58:  # b":" starts a comment
                name, _, value = line.partition(b":")
                if name == b"event":
                    if value[:1] == b" ":
                        value = value[1:]
                    self._event = value.decode("utf-8", "replace")
        if data:  # an event still open: what this read added to it counts towards the limit
            added = data[first:] if data is opened else data
            self._size = (self._size if data is opened else 0) + sum(map(len, added))
            if self._size > MAX_EVENT_BYTES:  # many lines, and no blank line to end them
                self._failed = _too_long()
        if self._failed is not None and not events:
            raise self._failed
        return events

    def close(self) -> list[ServerSentEvent]:
        """The body ended: its last line counts, and a final event without its blank line."""
        if self._failed is not None:
            raise self._failed
        events = self.feed(b"\n")
        if self._data:
            events.append(ServerSentEvent(self._event or "message", "\n".join(self._data)))
            self._data = []
        return events


def _too_long() -> StreamError:
    return StreamError(
        f"a stream event longer than {MAX_EVENT_BYTES // (1024 * 1024)} MiB: refused",
        retryable=False,
    )
