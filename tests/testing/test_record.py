"""Recording: credentials never reach the file, and record → replay round-trips."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from reverie.testing import RecordTransport, load_cassette, record_client, replay_client
from reverie.testing.pytest_plugin import CassetteFactory
from reverie.testing.transport import go_duration, strip_secret_params

SECRET = "sk-SECRET-123"
URL = "https://api.example.test/v1/models/m:stream"
SSE = 'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n'
BINARY = b"\x00\x00\x00\x10\xff\xfe:event-type\n\nchunk"


def fake_api(request: httpx2.Request) -> httpx2.Response:
    """Stands in for a provider; it does receive the credentials."""
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    if request.url.path.endswith("/binary"):
        return httpx2.Response(200, headers={"content-type": "application/x-bin"}, content=BINARY)
    if request.url.path.endswith("/gzip"):
        return httpx2.Response(
            200,
            headers={"content-type": "application/json", "content-encoding": "gzip"},
            content=gzip.compress(b'{"zipped":true}'),
        )
    return httpx2.Response(
        200,
        headers={"content-type": "text/event-stream", "x-request-id": "abc", "set-cookie": "s=1"},
        content=SSE.encode(),
    )


SECRET_HEADERS = {
    "Authorization": f"Bearer {SECRET}",
    "api-key": SECRET,
    "X-Api-Key": SECRET,
    "x-goog-api-key": SECRET,
    "X-Other-Token": SECRET,
}


async def test_secrets_never_written(tmp_path: Path) -> None:
    path = tmp_path / "rec.yaml"
    async with record_client(path, inner=httpx2.MockTransport(fake_api)) as client:
        response = await client.post(
            URL + f"?alt=sse&key={SECRET}&KEY={SECRET}",
            json={"q": "hi"},
            headers={**SECRET_HEADERS, "User-Agent": "test-agent/1", "Accept": "*/*"},
        )
        assert response.text == SSE  # the caller still gets the real answer
    text = path.read_text()
    assert SECRET not in text
    for name in SECRET_HEADERS:
        assert name.lower() not in text.lower()
    (interaction,) = load_cassette(path).interactions
    req, resp = interaction.request, interaction.response
    assert req.url == URL + "?alt=sse"
    assert req.form == {"alt": ["sse"]}
    assert set(req.headers) == {"Accept", "Content-Type", "User-Agent"}
    assert req.headers["User-Agent"] == ["test-agent/1"]
    assert req.body == '{"q":"hi"}' and req.content_length == len(req.body)
    assert resp.headers == {"Content-Type": ["text/event-stream"]}  # other headers dropped
    assert resp.code == 200 and resp.status == "200 OK"
    assert resp.body == SSE
    assert resp.duration.endswith("s")


async def test_gzip_is_recorded_decoded(tmp_path: Path) -> None:
    path = tmp_path / "gz.yaml"
    async with record_client(path, inner=httpx2.MockTransport(fake_api)) as client:
        response = await client.post(
            "https://api.example.test/gzip", content="{}", headers=SECRET_HEADERS
        )
        assert response.json() == {"zipped": True}
    resp = load_cassette(path).interactions[0].response
    assert resp.body == '{"zipped":true}'
    assert resp.uncompressed is True


async def test_binary_body_recorded_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    transport = RecordTransport(path, inner=httpx2.MockTransport(fake_api))
    async with httpx2.AsyncClient(transport=transport) as client:
        await client.post("https://api.example.test/binary", content="{}", headers=SECRET_HEADERS)
    assert "!!binary" in path.read_text()
    assert load_cassette(path).interactions[0].response.body == BINARY


async def test_record_then_replay(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "round.yaml"
    recorder = RecordTransport(path, inner=httpx2.MockTransport(fake_api))
    async with httpx2.AsyncClient(transport=recorder, headers=SECRET_HEADERS) as client:
        first = await client.post(URL, json={"turn": 1})
        async with client.stream("POST", URL, json={"turn": 2}) as streamed:
            second = await streamed.aread()
        third = await client.post("https://api.example.test/binary", json={"turn": 3})
    assert [i.id for i in recorder.interactions] == [0, 1, 2]

    # No inner transport here: a request that is not in the file cannot reach a network.
    async with replay_client(path) as client:
        assert (await client.post(URL, json={"turn": 1})).text == first.text
        async with client.stream("POST", URL, json={"turn": 2}) as streamed:
            assert [c async for c in streamed.aiter_raw()] == [
                b'data: {"n":1}\n\n',
                b'data: {"n":2}\n\n',
                b"data: [DONE]\n\n",
            ]
        replayed = await client.post("https://api.example.test/binary", json={"turn": 3})
        assert replayed.content == third.content == BINARY
        assert replayed.headers["content-type"] == "application/x-bin"
    assert second == SSE.encode()


def test_save_without_requests_writes_empty_cassette(tmp_path: Path) -> None:
    path = RecordTransport(tmp_path / "empty.yaml", inner=httpx2.MockTransport(fake_api)).save()
    assert load_cassette(path).interactions == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/p?key=abc", "https://h/p"),
        ("https://h/p?alt=sse&key=abc", "https://h/p?alt=sse"),
        ("https://h/p?api_key=1&x=a%2Fb&Key=2", "https://h/p?x=a%2Fb"),
        ("https://h/m%3A0/invoke?beta=true", "https://h/m%3A0/invoke?beta=true"),
        ("https://h/p?monkey=1", "https://h/p?monkey=1"),
    ],
)
def test_strip_secret_params(url: str, expected: str) -> None:
    assert strip_secret_params(url) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (1.69516625, "1.69516625s"),
        (0.3125, "312.5ms"),
        (0.000042, "42µs"),
        (90, "1m30s"),
        (3723.5, "1h2m3.5s"),
        (2, "2s"),
    ],
)
def test_go_duration(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


# --- pytest plugin -------------------------------------------------------------------------


def test_factory_modes(tmp_path: Path) -> None:
    replaying = CassetteFactory(record=False, base_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="--reverie-record"):
        replaying("missing.yaml")
    recording = CassetteFactory(record=True, base_dir=tmp_path)
    recording("sub/new.yaml")
    with pytest.raises(ValueError, match="mode"):
        recording("x.yaml", mode="bogus")  # type: ignore[arg-type]
    recording.finish()
    assert load_cassette(tmp_path / "sub" / "new.yaml").interactions == []
    client = replaying("sub/new.yaml")  # exists now
    assert isinstance(client, httpx2.AsyncClient)


PLUGIN_TEST = """
import asyncio
from pathlib import Path

FIXTURE = {fixture!r}
URL = "https://bedrock.example.test/model/m%3A0/invoke-with-response-stream"

def test_replay(reverie_cassette):
    async def run():
        async with reverie_cassette(FIXTURE) as http:
            response = await http.post(URL, content="{{}}")
            return response.content
    assert asyncio.run(run()).endswith(b"\\x01\\x02")

def test_record(reverie_cassette):
    reverie_cassette("recorded/out.yaml")
    assert type(reverie_cassette.transports[0]).__name__ == "RecordTransport"
"""


@pytest.mark.parametrize("record", [False, True])
def test_plugin_in_a_pytest_run(tmp_path: Path, record: bool) -> None:
    fixture = Path(__file__).parent / "fixtures" / "binary.yaml"
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(PLUGIN_TEST.format(fixture=str(fixture)))
    src = Path(__file__).parents[2] / "src"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(src), os.environ.get("PYTHONPATH", "")]),
        # Load the plugin explicitly, whether or not reverie is installed.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    args = [sys.executable, "-m", "pytest", "-q", "-p", "reverie.testing.pytest_plugin"]
    args += ["-p", "no:cacheprovider", "--reverie-record"] if record else ["-p", "no:cacheprovider"]
    args += ["-k", "record" if record else "replay"]
    result = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "recorded" / "out.yaml").exists() is record


def test_request_secrets_finds_every_credential() -> None:
    from reverie.testing.transport import request_secrets

    basic = httpx2.BasicAuth("user-SECRET", "pass-SECRET")
    request = httpx2.Request(
        "POST",
        f"https://u-SECRET:p-SECRET@h.test/v1?key={SECRET}&other=1",
        headers={"api-key": "hdr-SECRET", "X-Other": "not-a-secret"},
    )
    request = next(basic.auth_flow(request))
    found = request_secrets(request)
    assert {"user-SECRET", "pass-SECRET", "u-SECRET", "p-SECRET", SECRET, "hdr-SECRET"} <= found
    assert "not-a-secret" not in found and "1" not in found


def test_redact_interaction_covers_urls_headers_forms_and_bodies() -> None:
    from reverie.testing.cassette import (
        Interaction,
        RecordedRequest,
        RecordedResponse,
        redact_interaction,
    )

    interaction = Interaction(
        0,
        RecordedRequest(
            "POST",
            f"https://h/?q={SECRET}",
            body=SECRET,
            form={"q": [SECRET]},
            headers={"X": [SECRET]},
        ),
        RecordedResponse(body=f"echo {SECRET}".encode(), headers={"Y": [SECRET]}),
    )
    redact_interaction(interaction, [SECRET, "short"])
    assert SECRET not in repr(interaction) and "***" in interaction.request.url
    assert interaction.response.body == b"echo ***"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not YAML"),
        ("- 1", "a cassette is a mapping"),
        ("just: a mapping", "not a go-vcr v2 cassette"),
        ("version: 1", "unsupported cassette version"),
        ("version: 2\ninteractions: 5", "'interactions' is not a list"),
        ("version: 2\ninteractions: [{request: [1]}]", "'request' is not a mapping"),
        ("version: 2\ninteractions: [{response: {code: ok}}]", "response.code is not a whole"),
        ("version: 2\ninteractions: [{id: [1]}]", "interaction 0: id is not a whole number"),
    ],
)
def test_a_cassette_that_is_not_one_is_a_value_error_saying_where(text: str, words: str) -> None:
    from reverie.testing.cassette import Cassette

    with pytest.raises(ValueError) as info:
        Cassette.loads(text)
    assert words in str(info.value)
