"""The recorder treats every credential a request carries as one (AWS session tokens and
SigV4 signatures too), and redacts keys echoed inside AWS event-stream frames, where they
sit base64-encoded under CRCs: the cassette holds ``***`` and still replays."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx2

import reverie
from reverie import user_message
from reverie.http.eventstream import EventStreamDecoder
from reverie.providers.kit import Call
from reverie.testing import load_cassette, record_client, replay_client
from reverie.testing.eventstream import encode_frame, redact_frames
from reverie.testing.transport import request_secrets

KEY = "bedrock-key-SECRET-93ac71e2"
SESSION = "IQoJb3JpZ2luSESSION/token+SECRET=="
HELLO = Call(prompt=[user_message("hi")])
CHUNK = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}


def frame(event: dict[str, object]) -> bytes:
    wrapped = {"bytes": base64.b64encode(json.dumps(event).encode()).decode(), "p": "ab"}
    return encode_frame(CHUNK, json.dumps(wrapped).encode())


def text_stream(*pieces: str) -> bytes:
    events: list[dict[str, object]] = [
        {"type": "message_start", "message": {"id": "m", "model": "m", "usage": {}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    events += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
        for p in pieces
    ]
    events += [
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}},
        {"type": "message_stop"},
    ]
    return b"".join(frame(e) for e in events)


def inner_texts(body: bytes) -> str:
    """Every frame's payload and the base64 events inside, decoded."""
    out = []
    for f in EventStreamDecoder().feed(body):
        out.append(f.payload.decode())
        out.append(base64.b64decode(json.loads(f.payload)["bytes"]).decode())
    return "\n".join(out)


async def test_a_key_echoed_in_a_bedrock_stream_is_redacted_inside_its_frames(
    tmp_path: Path,
) -> None:
    half = len(KEY) // 2
    body = text_stream(f"the key {KEY} and ", f"again {KEY[:half]}", KEY[half:])

    def handle(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "application/vnd.amazon.eventstream"}
        return httpx2.Response(200, headers=headers, content=body)

    cassette = tmp_path / "bedrock.yaml"
    client = record_client(cassette, inner=httpx2.MockTransport(handle))
    model = reverie.provider("bedrock", api_key=KEY, region="us-east-1", client=client).model(
        "anthropic.claude-x"
    )
    live = [p async for p in model.stream(HELLO)]
    await client.aclose()
    written = cassette.read_text()
    recorded = load_cassette(cassette).interactions[0].response.body
    assert isinstance(recorded, bytes)
    decoded = inner_texts(recorded)
    assert KEY not in written and KEY not in decoded
    assert "the key *** and" in decoded
    # a key split across two frames cannot be matched inside one: the live answer is
    # redacted as it streams; the recording keeps each half
    assert KEY not in repr(live)

    # the rewritten frames replay: CRCs and lengths are valid
    replay = replay_client(cassette)
    again = reverie.provider("bedrock", skip_auth=True, region="us-east-1", client=replay)
    parts = [p async for p in again.model("anthropic.claude-x").stream(HELLO)]
    await replay.aclose()
    text = "".join(p.delta for p in parts if p.type == "text-delta")
    assert text.startswith("the key *** and again ")
    assert parts[-1].type == "finish"


def test_frames_without_a_secret_keep_their_exact_bytes() -> None:
    body = text_stream("nothing to hide", f"but {KEY}")
    clean = redact_frames(body, (KEY.encode(),))
    assert clean is not None and KEY not in inner_texts(clean)
    frames_in = EventStreamDecoder().feed(body)
    frames_out = EventStreamDecoder().feed(clean)
    assert len(frames_in) == len(frames_out)
    unchanged = [a == b for a, b in zip(frames_in, frames_out, strict=True)]
    assert unchanged.count(False) == 1  # only the frame holding the key was written again
    assert redact_frames(b"not an event stream at all", (KEY.encode(),)) is None


def test_an_aws_session_token_and_a_signature_are_credentials() -> None:
    signature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    request = httpx2.Request(
        "POST",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
            f"bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}",
            "X-Amz-Security-Token": SESSION,
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    found = request_secrets(request)
    assert SESSION in found and signature in found
    assert "20260101T000000Z" not in found


async def test_a_session_token_echoed_in_a_body_is_not_recorded(tmp_path: Path) -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        token = request.headers["x-amz-security-token"]
        return httpx2.Response(403, json={"message": f"The security token {token} is invalid"})

    cassette = tmp_path / "rec.yaml"
    async with record_client(cassette, inner=httpx2.MockTransport(handle)) as client:
        await client.post(
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke",
            headers={"X-Amz-Security-Token": SESSION},
            content=b"{}",
        )
    written = cassette.read_text()
    assert SESSION not in written and "The security token *** is invalid" in written
