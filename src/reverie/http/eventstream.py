"""The AWS binary event stream (``application/vnd.amazon.eventstream``): bytes in, frames out.

A frame is a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), the
headers, the payload and a CRC32 of everything before it. Frames arrive split across reads
in any way; :class:`EventStreamDecoder` buffers until a frame is whole and checks both CRCs.
Anything malformed raises :class:`EventStreamError`, and nothing else: a stream of arbitrary
bytes gives frames or that error.

Frames whose ``:message-type`` is ``exception`` or ``error`` are the service's in-band errors;
:func:`frame_error` turns them into StreamErrors the retry owner can classify.
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from reverie.errors import StreamError

HeaderValue = bool | int | bytes | str | datetime | uuid.UUID

_PRELUDE = 12
_MAX_FRAME = 16 * 1024 * 1024 + 128 * 1024 + 16  # AWS limits: 16 MiB payload, 128 KiB headers
_MAX_HEADERS = 128 * 1024

# Exceptions that say "try again": the request itself was fine.
RETRYABLE = frozenset(
    {
        "throttlingException",
        "serviceUnavailableException",
        "internalServerException",
        "modelNotReadyException",
        "modelTimeoutException",  # Bedrock: the model took too long (HTTP 408)
    }
)
_RETRYABLE_STATUS = {429, 500, 502, 503, 504, 529}


class EventStreamError(StreamError):
    """The bytes are not a valid AWS event stream (bad length, bad CRC, cut short)."""


@dataclass(frozen=True, slots=True)
class Frame:
    headers: Mapping[str, HeaderValue] = field(default_factory=dict)
    payload: bytes = b""

    @property
    def message_type(self) -> str:
        value = self.headers.get(":message-type", "event")
        return value if isinstance(value, str) else "event"

    @property
    def event_type(self) -> str:
        value = self.headers.get(":event-type", "")
        return value if isinstance(value, str) else ""


class EventStreamDecoder:
    """Feed it bytes as they arrive; it returns the frames completed by them."""

    __slots__ = ("_buffer", "_failed", "_started")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._started = False  # a frame has been read: the bytes are an event stream
        # A damaged frame, held back until the frames before it have been read.
        self._failed: EventStreamError | None = None

    def feed(self, data: bytes) -> list[Frame]:
        if self._failed is not None:
            raise self._failed
        frames: list[Frame] = []
        try:
            self._frames(data, frames)
        except EventStreamError as exc:
            if not frames:
                raise
            self._failed = exc
        return frames

    def _frames(self, data: bytes, frames: list[Frame]) -> None:
        buffer = self._buffer
        buffer += data
        size = len(buffer)
        pos = 0  # frames are read at offsets; what they used is cut once, at the end
        try:
            with memoryview(buffer) as view:  # CRCs over slices of it copy nothing
                while size - pos >= _PRELUDE:
                    total, headers_length, prelude_crc = _UNPACK_PRELUDE(buffer, pos)
                    if zlib.crc32(view[pos : pos + 8]) != prelude_crc:
                        if not self._started:  # not an event stream at all: say what came
                            raise EventStreamError(
                                "event stream: prelude CRC mismatch in the first frame: not an "
                                f"AWS event stream, it begins {bytes(view[pos : pos + 200])!r}"
                            )
                        raise EventStreamError("event stream: prelude CRC mismatch")
                    if total > _MAX_FRAME or headers_length > _MAX_HEADERS:
                        raise EventStreamError(f"event stream: frame of {total} bytes is too large")
                    if total < _PRELUDE + 4 + headers_length:
                        raise EventStreamError(f"event stream: frame length {total} is too small")
                    end = pos + total
                    if size < end:
                        break
                    (message_crc,) = _UNPACK_CRC(buffer, end - 4)
                    if zlib.crc32(view[pos : end - 4]) != message_crc:
                        raise EventStreamError("event stream: message CRC mismatch")
                    start = pos + _PRELUDE + headers_length
                    headers = _known_headers(bytes(view[pos + _PRELUDE : start]))
                    frames.append(Frame(headers, bytes(view[start : end - 4])))
                    self._started = True
                    pos = end
        finally:
            if pos:
                del buffer[:pos]

    def close(self) -> list[Frame]:
        """The stream ended: bytes left over are a frame cut short."""
        if self._failed is not None:
            raise self._failed
        if self._buffer:
            left = len(self._buffer)
            self._buffer.clear()
            # Cut off: a transport fault, retried like a body cut between frames.
            raise EventStreamError(
                f"event stream: ended inside a frame ({left} bytes left)", retryable=True
            )
        return []


_UNPACK_PRELUDE = struct.Struct(">III").unpack_from
_UNPACK_CRC = struct.Struct(">I").unpack_from
_SEEN: dict[bytes, Mapping[str, HeaderValue]] = {}
_SEEN_MOST = 64


def _known_headers(data: bytes) -> Mapping[str, HeaderValue]:
    """The headers ``data`` encodes, read once per distinct encoding: a stream's frames
    repeat a handful of header blocks (``:event-type chunk`` and its two companions), so
    each is parsed the first time and shared, read-only, after. At most
    :data:`_SEEN_MOST` blocks are kept; a stream of distinct ones is parsed frame by frame."""
    known = _SEEN.get(data)
    if known is None:
        known = MappingProxyType(_headers(data))
        if len(_SEEN) < _SEEN_MOST:
            _SEEN[data] = known
    return known


def _headers(data: bytes) -> dict[str, HeaderValue]:
    headers: dict[str, HeaderValue] = {}
    i, end = 0, len(data)
    try:
        while i < end:
            name_length = data[i]
            name = data[i + 1 : i + 1 + name_length].decode("utf-8")
            i += 1 + name_length
            kind = data[i]
            i += 1
            value: HeaderValue
            if kind in (0, 1):
                value = kind == 0
            elif kind in (2, 3, 4, 5):
                size, fmt = {2: (1, ">b"), 3: (2, ">h"), 4: (4, ">i"), 5: (8, ">q")}[kind]
                (value,) = struct.unpack_from(fmt, data, i)
                i += size
            elif kind in (6, 7):
                (length,) = struct.unpack_from(">H", data, i)
                raw = data[i + 2 : i + 2 + length]
                if len(raw) != length:
                    raise EventStreamError("event stream: header value cut short")
                value = raw.decode("utf-8") if kind == 7 else raw
                i += 2 + length
            elif kind == 8:
                (millis,) = struct.unpack_from(">q", data, i)
                value = datetime.fromtimestamp(millis / 1000, UTC)
                i += 8
            elif kind == 9:
                raw = data[i : i + 16]
                if len(raw) != 16:
                    raise EventStreamError("event stream: header value cut short")
                value = uuid.UUID(bytes=raw)
                i += 16
            else:
                raise EventStreamError(f"event stream: unknown header type {kind}")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError, ValueError, OverflowError, OSError):
        raise EventStreamError("event stream: malformed headers") from None
    return headers


def frame_error(frame: Frame, provider: str) -> StreamError | None:
    """The error an ``exception``/``error`` frame carries, or None for an event frame."""
    kind = frame.message_type
    if kind == "exception":
        name = frame.headers.get(":exception-type")
        name = name if isinstance(name, str) else "exception"
        message, status = _exception_body(frame.payload)
        retryable = name in RETRYABLE or status in _RETRYABLE_STATUS
    elif kind == "error":
        code = frame.headers.get(":error-code")
        name = code if isinstance(code, str) else "error"
        text = frame.headers.get(":error-message")
        message, retryable = (text if isinstance(text, str) else ""), name in RETRYABLE
    else:
        return None
    return StreamError(
        f"{provider}: {name}: {message or 'no message'}",
        provider=provider,
        body=frame.payload.decode("utf-8", errors="replace")[:2000],
        retryable=retryable,
        code=name,
    )


def _exception_body(payload: bytes) -> tuple[str, int | None]:
    """(message, original status) of an exception payload such as ``{"message": …}``."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", errors="replace")[:500], None
    if not isinstance(body, dict):
        return str(body)[:500], None
    message = body.get("message") or body.get("Message") or ""
    status = body.get("originalStatusCode")
    return str(message), status if isinstance(status, int) else None
