"""Replay: cassette loading, the matching rule, mismatch reports and streaming."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx2
import pytest

from reverie.testing import (
    Cassette,
    CassetteMismatch,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    ReplayTransport,
    load_cassette,
    replay_client,
)
from reverie.testing.cassette import Body
from reverie.testing.matching import bodies_equal, json_equal

FIXTURES = Path(__file__).parent / "fixtures"
CONFORMANCE = Path(os.environ["REVERIE_CONFORMANCE"])
URL = "https://api.example.test/v1/chat"


def cassette(*bodies: Body, url: str = URL, method: str = "POST") -> Cassette:
    """One interaction per request body; response ``i`` has body ``"reply i"``."""
    return Cassette(
        [
            Interaction(
                i,
                RecordedRequest(method=method, url=url, body=body),
                RecordedResponse(
                    body=f"reply {i}", headers={"Content-Type": ["text/plain"]}, code=200
                ),
            )
            for i, body in enumerate(bodies)
        ]
    )


# --- loading ---------------------------------------------------------------------------


def test_load_fixture_fields() -> None:
    c = load_cassette(FIXTURES / "chat.yaml")
    assert len(c) == 2
    first, second = c.interactions
    assert first.request.method == "POST"
    assert first.request.url == "https://api.example.test/v1/chat/completions"
    assert first.request.form is None
    assert first.response.headers == {"Content-Type": ["text/event-stream; charset=utf-8"]}
    assert isinstance(first.response.body, str)
    assert first.response.body.endswith("data: [DONE]\n\n")
    assert second.request.form == {"alt": ["sse"]}
    assert second.response.code == 429
    assert second.response.uncompressed is True


def test_binary_body_stays_bytes() -> None:
    body = load_cassette(FIXTURES / "binary.yaml").interactions[0].response.body
    assert isinstance(body, bytes)
    assert body.startswith(b"\x00\x00\x00\x1a") and b"\xff" in body


def test_dump_round_trip_keeps_bodies_exact(tmp_path: Path) -> None:
    original = load_cassette(FIXTURES / "chat.yaml")
    original.interactions += load_cassette(FIXTURES / "binary.yaml").interactions
    awkward = "  leading spaces\r\ntrailing space \n\ttab\n\n\n"
    original.interactions[0].request.body = awkward
    saved = original.save(tmp_path / "out" / "c.yaml")
    again = load_cassette(saved)
    assert again.interactions == original.interactions
    assert again.interactions[0].request.body == awkward


def test_rejects_other_versions() -> None:
    with pytest.raises(ValueError, match="version"):
        Cassette.loads("version: 1\ninteractions: []\n")


# --- the matching rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded", "sent", "equal"),
    [
        ("line1\r\nline2", "line1\nline2", True),  # CR LF pair
        ('{"a":"x\\r\\ny"}', '{"a":"x\\ny"}', True),  # JSON escape \r\n
        ('{"a":1,"b":{"c":2,"d":3}}', '{"b":{"d":3,"c":2},"a":1}', True),  # key order
        ('{"max_tokens":4000}', '{"max_tokens":4000.0}', True),  # numbers by value
        ('{"x":1e3}', '{"x":1000}', True),
        ('{"a":1}\n', '{"a":1}', True),  # trailing newline (Gemini bodies)
        ('{"flag":true}', '{"flag":1}', False),  # true is not 1
        ('{"flag":false}', '{"flag":0}', False),
        ("[true]", "[1]", False),
        ('{"a":1,"b":null}', '{"a":1}', False),  # null differs from absent
        ('{"a":null}', '{"a":0}', False),
        ('{"l":[1,2]}', '{"l":[2,1]}', False),  # array order matters
        ('{"s":"1"}', '{"s":1}', False),
        ("not json", "not json", True),
        ("not json", "not  json", False),
        ('{"a":NaN}', '{"a": NaN}', False),  # NaN is not JSON, strings differ
        ("", "", True),
    ],
)
def test_bodies_equal(recorded: str, sent: str, equal: bool) -> None:
    assert bodies_equal(sent, recorded) is equal
    assert bodies_equal(recorded, sent) is equal


def test_json_equal_is_strict_about_bool() -> None:
    assert json_equal({"a": [1, 2.0]}, {"a": [1.0, 2]})
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal(True, True)


async def test_method_and_url_must_be_equal() -> None:
    transport = ReplayTransport(cassette("{}", url=URL + "?beta=true"))
    async with httpx2.AsyncClient(transport=transport) as client:
        with pytest.raises(CassetteMismatch):
            await client.post(URL, content="{}")  # query string missing
        with pytest.raises(CassetteMismatch):
            await client.put(URL + "?beta=true", content="{}")
        assert (await client.post(URL + "?beta=true", content="{}")).text == "reply 0"


async def test_each_interaction_once_in_order() -> None:
    transport = ReplayTransport(cassette('{"q":1}', '{"q":2}', '{"q":1}'))
    async with httpx2.AsyncClient(transport=transport) as client:
        assert (await client.post(URL, content='{"q":2}')).text == "reply 1"
        assert (await client.post(URL, content='{"q":1}')).text == "reply 0"
        assert [i.id for i in transport.unused] == [2]
        # A retried identical request gets the next recorded copy ...
        assert (await client.post(URL, content='{"q": 1}')).text == "reply 2"
        # ... and once every copy is used, it fails.
        with pytest.raises(CassetteMismatch) as info:
            await client.post(URL, content='{"q":1}')
    assert "already used" in str(info.value)
    assert [i.id for i in transport.used] == [1, 0, 2]
    assert transport.unused == []


async def test_headers_are_never_compared() -> None:
    async with replay_client(cassette("{}")) as client:
        response = await client.post(URL, content="{}", headers={"X-Anything": "1"})
    assert response.status_code == 200


async def test_serves_recorded_status_and_headers() -> None:
    async with replay_client(FIXTURES / "chat.yaml") as client:
        body = '{"contents":[{"parts":[{"text":"hi"}]}],"temperature":0.5}'
        url = "https://generativelanguage.example.test/v1beta/models/m-2:generateContent?alt=sse"
        response = await client.post(url, content=body)
    assert response.status_code == 429
    assert response.reason_phrase == "Too Many Requests"
    assert response.headers["content-type"] == "application/json; charset=UTF-8"
    assert "content-length" not in response.headers
    assert response.json() == {"text": "hello", "done": True}


# --- mismatch reports ------------------------------------------------------------------


async def test_mismatch_shows_both_bodies_and_diff() -> None:
    recorded = '{"model":"m","max_tokens":4000,"messages":[{"role":"user","content":"hi"}]}'
    sent = '{"model":"m","max_tokens":1000,"messages":[{"role":"user","content":"hi"}]}'
    c = cassette('{"other":true}', recorded)
    c.interactions.insert(0, cassette(sent, url=URL + "/elsewhere").interactions[0])
    async with replay_client(c) as client:
        with pytest.raises(httpx2.TransportError) as info:
            await client.post(URL, content=sent)
    error = info.value
    assert isinstance(error, CassetteMismatch)
    message = str(error)
    assert message.startswith(f"request not matched: POST {URL}\n")
    # Same method+URL wins over an identical body elsewhere; the most similar one is shown.
    assert error.closest is not None and error.closest.request.body == recorded
    assert "recorded body:" in message and "sent body:" in message
    assert '"max_tokens": 4000' in message and '"max_tokens": 1000' in message
    assert '-  "max_tokens": 4000,' in message
    assert '+  "max_tokens": 1000,' in message
    assert "--- recorded" in message and "+++ sent" in message


async def test_mismatch_report_is_bounded() -> None:
    big = {f"k{i}": i for i in range(500)}
    c = cassette(json.dumps(big))
    async with replay_client(c) as client:
        with pytest.raises(CassetteMismatch) as info:
            await client.post(URL, content=json.dumps({**big, "k0": -1, "k499": -1}))
    message = str(info.value)
    assert "more lines)" in message
    assert len(message.splitlines()) < 250


async def test_mismatch_on_url_only_says_so() -> None:
    async with replay_client(cassette("{}", url=URL + "/v2")) as client:
        with pytest.raises(CassetteMismatch, match="bodies are equal; method/URL differ"):
            await client.post(URL, content="{}")


async def test_empty_cassette() -> None:
    async with replay_client(Cassette()) as client:
        with pytest.raises(CassetteMismatch, match="no interactions"):
            await client.post(URL, content="{}")


async def test_non_strict_falls_back_to_method_and_url() -> None:
    async with replay_client(cassette('{"a":1}'), strict=False) as client:
        assert (await client.post(URL, content='{"a":2}')).text == "reply 0"


# --- streaming -------------------------------------------------------------------------

STREAM_BODY = '{"model":"m-1","messages":[{"role":"user","content":"hi"}],"stream":true}'
STREAM_URL = "https://api.example.test/v1/chat/completions"


async def test_stream_arrives_in_several_chunks() -> None:
    transport = ReplayTransport(FIXTURES / "chat.yaml")
    expected = transport.cassette.interactions[0].response.body_bytes()
    async with (
        httpx2.AsyncClient(transport=transport) as client,
        client.stream("POST", STREAM_URL, content=STREAM_BODY) as response,
    ):
        assert transport.open_responses == 1
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert len(chunks) == 4  # one per SSE event
    assert b"".join(chunks) == expected
    assert transport.open_responses == 0


async def test_fixed_chunk_size_splits_anywhere() -> None:
    transport = ReplayTransport(FIXTURES / "chat.yaml", chunk_size=5)
    async with (
        httpx2.AsyncClient(transport=transport) as client,
        client.stream("POST", STREAM_URL, content=STREAM_BODY) as response,
    ):
        chunks = [chunk async for chunk in response.aiter_raw()]
    assert all(len(chunk) <= 5 for chunk in chunks)
    text = b"".join(chunks).decode()
    assert 'data: {"delta":"á"}' in text  # a UTF-8 character split across chunks survives


async def test_breaking_out_of_a_stream_closes_it() -> None:
    transport = ReplayTransport(FIXTURES / "chat.yaml")
    async with httpx2.AsyncClient(transport=transport) as client:
        async with client.stream("POST", STREAM_URL, content=STREAM_BODY) as response:
            async for _line in response.aiter_lines():
                break
            assert transport.open_responses == 1
        assert transport.open_responses == 0


async def test_plain_request_closes_its_response() -> None:
    transport = ReplayTransport(cassette("{}"))
    async with httpx2.AsyncClient(transport=transport) as client:
        await client.post(URL, content="{}")
    assert transport.open_responses == 0


async def test_binary_stream_is_served_as_bytes() -> None:
    transport = ReplayTransport(FIXTURES / "binary.yaml")
    expected = transport.cassette.interactions[0].response.body
    url = "https://bedrock.example.test/model/m%3A0/invoke-with-response-stream"
    async with (
        httpx2.AsyncClient(transport=transport) as client,
        client.stream("POST", url, content="{}") as response,
    ):
        chunks = [chunk async for chunk in response.aiter_bytes()]
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    assert len(chunks) > 1
    assert b"".join(chunks) == expected


# --- the real corpus (optional) ------------------------------------------------------------


async def test_conformance_cassettes_parse_and_self_replay() -> None:
    root = CONFORMANCE / "cassettes"
    if not root.is_dir():
        pytest.skip(f"no conformance corpus at {root}")
    files = sorted(root.rglob("*.yaml"))
    assert files
    started = time.perf_counter()
    for path in files:
        c = load_cassette(path)
        assert len(c) > 0, path
        # Sending each recorded request back must match, in order.
        transport = ReplayTransport(c)
        async with httpx2.AsyncClient(transport=transport) as client:
            for interaction in c.interactions:
                req = interaction.request
                response = await client.request(req.method, req.url, content=req.body)
                assert response.content == interaction.response.body_bytes(), path
        assert transport.unused == [], path
    assert time.perf_counter() - started < 30
