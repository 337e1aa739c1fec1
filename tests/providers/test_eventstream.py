"""The AWS event-stream decoder: frames, CRCs, frames split across reads, exception frames,
and a property test that any bytes give frames or the documented error."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reverie.http.eventstream import EventStreamDecoder, EventStreamError, Frame, frame_error

CASSETTE = (
    Path(__file__).resolve().parents[3]
    / "shared/conformance/cassettes/TestBedrockCommon"
    / "bedrock-anthropic-claude-haiku-4-5/simple_streaming.yaml"
)


def encode_header(name: str, value: Any) -> bytes:
    raw = name.encode()
    out = bytes([len(raw)]) + raw
    if isinstance(value, bool):
        return out + bytes([0 if value else 1])
    if isinstance(value, int):
        return out + b"\x05" + struct.pack(">q", value)
    if isinstance(value, str):
        data = value.encode()
        return out + b"\x07" + struct.pack(">H", len(data)) + data
    if isinstance(value, bytes):
        return out + b"\x06" + struct.pack(">H", len(value)) + value
    if isinstance(value, uuid.UUID):
        return out + b"\x09" + value.bytes
    assert isinstance(value, datetime)
    return out + b"\x08" + struct.pack(">q", int(value.timestamp() * 1000))


def encode_frame(headers: dict[str, Any], payload: bytes) -> bytes:
    """A frame as AWS writes it."""
    encoded = b"".join(encode_header(k, v) for k, v in headers.items())
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", zlib.crc32(body))


def decode(data: bytes, chunk: int | None = None) -> list[Frame]:
    decoder = EventStreamDecoder()
    step = chunk or max(len(data), 1)
    frames = [f for i in range(0, len(data), step) for f in decoder.feed(data[i : i + step])]
    decoder.close()
    return frames


CHUNK = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}


def test_valid_frames_with_every_header_type() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    headers = {
        "yes": True,
        "no": False,
        "n": -7,
        "s": "text",
        "b": b"\x00\x01",
        "u": ident,
        "t": when,
    }
    data = encode_frame(headers, b'{"a":1}') + encode_frame(CHUNK, b"")
    first, second = decode(data)
    assert first.headers == headers
    assert first.payload == b'{"a":1}'
    assert second.event_type == "chunk" and second.message_type == "event"
    assert second.payload == b""


def test_short_integer_header_types() -> None:
    raw = b"\x01a\x02\xff" + b"\x01b\x03\x01\x00" + b"\x01c\x04\x00\x00\x00\x05"
    prelude = struct.pack(">II", 16 + len(raw), len(raw))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + raw
    [frame] = decode(body + struct.pack(">I", zlib.crc32(body)))
    assert frame.headers == {"a": -1, "b": 256, "c": 5}


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 13, 100])
def test_a_frame_split_across_reads_is_whole_once_complete(chunk: int) -> None:
    data = encode_frame(CHUNK, b'{"bytes":"eyJ0eXBlIjoicGluZyJ9"}') * 3
    frames = decode(data, chunk)
    assert len(frames) == 3
    assert all(f.payload == b'{"bytes":"eyJ0eXBlIjoicGluZyJ9"}' for f in frames)


def test_bad_prelude_crc() -> None:
    data = bytearray(encode_frame(CHUNK, b"x"))
    data[8] ^= 0xFF
    with pytest.raises(EventStreamError, match="prelude CRC"):
        decode(bytes(data))


def test_bad_message_crc() -> None:
    data = bytearray(encode_frame(CHUNK, b"payload"))
    data[-6] ^= 0x01  # a payload byte
    with pytest.raises(EventStreamError, match="message CRC"):
        decode(bytes(data))


def test_a_stream_cut_inside_a_frame() -> None:
    data = encode_frame(CHUNK, b"payload")
    decoder = EventStreamDecoder()
    assert decoder.feed(data[:-3]) == []
    with pytest.raises(EventStreamError, match="ended inside a frame"):
        decoder.close()


def test_impossible_lengths() -> None:
    prelude = struct.pack(">II", 10, 0)
    with pytest.raises(EventStreamError, match="too small"):
        decode(prelude + struct.pack(">I", zlib.crc32(prelude)) + b"\x00" * 4)
    prelude = struct.pack(">II", 1 << 30, 0)
    with pytest.raises(EventStreamError, match="too large"):
        decode(prelude + struct.pack(">I", zlib.crc32(prelude)))


def test_exception_frames_are_typed_errors_classified_for_retry() -> None:
    def exception(name: str, payload: bytes) -> Frame:
        headers = {":message-type": "exception", ":exception-type": name}
        [frame] = decode(encode_frame(headers, payload))
        return frame

    throttled = frame_error(exception("throttlingException", b'{"message":"Too many"}'), "bedrock")
    assert throttled is not None and throttled.retryable
    assert str(throttled) == "bedrock: throttlingException: Too many"
    broken = frame_error(
        exception("modelStreamErrorException", b'{"message":"boom","originalStatusCode":400}'),
        "bedrock",
    )
    assert broken is not None and not broken.retryable and "boom" in str(broken)
    passing = frame_error(
        exception("modelStreamErrorException", b'{"message":"busy","originalStatusCode":529}'),
        "bedrock",
    )
    assert passing is not None and passing.retryable
    [error_frame] = decode(
        encode_frame(
            {":message-type": "error", ":error-code": "InternalFailure", ":error-message": "oops"},
            b"",
        )
    )
    error = frame_error(error_frame, "bedrock")
    assert error is not None and str(error) == "bedrock: InternalFailure: oops"
    assert frame_error(decode(encode_frame(CHUNK, b"{}"))[0], "bedrock") is None


def test_a_recorded_bedrock_stream_decodes() -> None:
    if not CASSETTE.is_file():
        pytest.skip("no conformance corpus")
    yaml = pytest.importorskip("yaml")
    body = yaml.safe_load(CASSETTE.read_text())["interactions"][0]["response"]["body"]
    frames = decode(body, 17)
    assert frames and all(f.event_type == "chunk" for f in frames)


def test_header_blocks_read_once_are_shared_read_only_and_past_the_memo_still_read() -> None:
    # A stream repeats a few header blocks: each is read once and shared; a stream of many
    # distinct blocks (past what is kept) is still read right, frame by frame.
    frames = [encode_frame({":event-type": "chunk", "n": i}, b"{}") for i in range(200)]
    frames += [encode_frame({":event-type": "chunk", "n": 7}, b"{}")]
    decoded = EventStreamDecoder().feed(b"".join(frames))
    assert [frame.headers["n"] for frame in decoded] == [*range(200), 7]
    assert decoded[7].headers == decoded[200].headers
    with pytest.raises(TypeError):
        decoded[7].headers["n"] = 8  # type: ignore[index]
    assert decoded[200].headers["n"] == 7


def test_many_frames_in_one_read_and_a_frame_split_after_them() -> None:
    frames = [encode_frame({":event-type": "chunk"}, b'{"i": %d}' % i) for i in range(50)]
    data = b"".join(frames)
    decoder = EventStreamDecoder()
    cut = len(data) - 5
    first = decoder.feed(data[:cut])
    rest = decoder.feed(data[cut:])
    assert [f.payload for f in first + rest] == [b'{"i": %d}' % i for i in range(50)]
    assert len(rest) == 1
    assert decoder.close() == []
