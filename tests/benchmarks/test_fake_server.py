"""The benchmark's fake provider speaks each wire as the providers do: what it sends is read by
reverie's own decoders, so a figure measures a correct exchange (``benchmarks/fake_server.py``)."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import fake_server  # noqa: E402  (benchmarks/, put on the path above)

from reverie.http.eventstream import EventStreamDecoder, EventStreamError  # noqa: E402


def anthropic_payloads(kind: str, n: int) -> list[dict[str, object]]:
    events = fake_server.anthropic_events("m", kind, n, 0)
    return [json.loads(event.split("data: ", 1)[1]) for event in events]


@pytest.mark.parametrize(("kind", "n"), [("text", 7), ("call", 0)])
def test_bedrock_frames_are_valid_event_stream_chunks_of_anthropic_events(
    kind: str, n: int
) -> None:
    frames = fake_server.bedrock_frames("m", kind, n, 0)
    body = b"".join(frames)
    decoded = EventStreamDecoder().feed(body)
    assert len(decoded) == len(frames)
    events = []
    for frame in decoded:
        assert frame.event_type == "chunk"
        assert frame.message_type == "event"
        events.append(json.loads(base64.b64decode(json.loads(frame.payload)["bytes"])))
    assert events == anthropic_payloads(kind, n)


def test_bedrock_frames_split_across_reads_decode_the_same() -> None:
    body = b"".join(fake_server.bedrock_frames("m", "text", 3, 0))
    decoder = EventStreamDecoder()
    frames = []
    for start in range(0, len(body), 5):
        frames += decoder.feed(body[start : start + 5])
    assert [f.payload for f in frames] == [f.payload for f in EventStreamDecoder().feed(body)]


def test_a_tampered_bedrock_frame_fails_its_crc() -> None:
    frame = bytearray(fake_server.bedrock_frames("m", "text", 1, 0)[1])
    frame[-10] ^= 1  # a payload byte: the message CRC no longer matches
    with pytest.raises(EventStreamError):
        EventStreamDecoder().feed(bytes(frame))


def test_bedrock_routes_answer_by_path() -> None:
    streamed = fake_server.reply("POST", "/model/stream-3/invoke-with-response-stream", b"{}")
    assert b"content-type: application/vnd.amazon.eventstream" in streamed
    plain = fake_server.reply("POST", "/model/weather/invoke", b"{}")
    body = json.loads(plain.split(b"\r\n\r\n", 1)[1])
    assert body["content"][0]["type"] == "tool_use"
    after_tool = fake_server.reply("POST", "/model/weather/invoke", b'{"content":"40 C"}')
    assert json.loads(after_tool.split(b"\r\n\r\n", 1)[1])["stop_reason"] == "end_turn"
