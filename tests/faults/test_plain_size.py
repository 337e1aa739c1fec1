"""A plain (unstreamed) answer is read up to ``max_response_bytes`` counted decoded (every
family): larger, or a gzip body that decodes past it, is a ProviderError, not retried; the
bound is checked whether the body gives its length or not."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

import reverie
from reverie.errors import ConfigurationError, ProviderError
from reverie.http.client import MAX_RESPONSE_BYTES, HttpClient

from .families import CASE_IDS, CASES, Answer, Case, dumps
from .test_matrix import Run
from .test_readme_claims import HTTP_PROVIDERS, make
from .wire_faults import served

cases = pytest.mark.parametrize("case", CASES, ids=CASE_IDS)


def padded(case: Case, size: int) -> bytes:
    """The family's plain answer "fine", made about ``size`` bytes long by its whitespace."""
    body = dumps(case.family.plain(Answer(text=("fine",)))).encode()
    return body + b" " * max(0, size - len(body))


class Chunks(httpx2.AsyncByteStream):
    """A body of unknown length (no content-length: chunked), in pieces."""

    def __init__(self, data: bytes, size: int = 4096) -> None:
        self._data, self._size = data, size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(0, len(self._data), self._size):
            yield self._data[i : i + self._size]


def answer(data: bytes, *, encoding: str | None = None, chunked: bool = False) -> Any:
    def handle(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "application/json"}
        if encoding:
            headers["content-encoding"] = encoding
        if chunked:
            return httpx2.Response(200, headers=headers, stream=Chunks(data))
        return httpx2.Response(200, headers=headers, content=data)

    return handle


HOW = {
    "length": {},
    "chunked": {"chunked": True},
    "gzip": {"encoding": "gzip"},
    "gzip-chunked": {"encoding": "gzip", "chunked": True},
}


def encoded(data: bytes, how: str) -> bytes:
    return gzip.compress(data) if how.startswith("gzip") else data


@cases
@pytest.mark.parametrize("how", list(HOW))
async def test_an_answer_past_the_bound_is_refused_and_not_retried(case: Case, how: str) -> None:
    data = encoded(padded(case, 20_000), how)
    run = Run(case, served(case, answer(data, **HOW[how])), max_response_bytes=10_000)
    with pytest.raises(ProviderError) as info:
        await run.generate()
    assert "larger than its limit" in str(info.value) and "10,000" in str(info.value)
    assert not info.value.retryable and run.attempts == 1


@cases
@pytest.mark.parametrize("how", list(HOW))
async def test_an_answer_within_the_bound_is_read_whole(case: Case, how: str) -> None:
    data = encoded(padded(case, 9_000), how)
    run = Run(case, served(case, answer(data, **HOW[how])), max_response_bytes=10_000)
    assert (await run.generate()).text == "fine" and run.attempts == 1


@cases
async def test_no_bound_reads_any_size(case: Case) -> None:
    data = gzip.compress(padded(case, 200_000))
    run = Run(case, served(case, answer(data, encoding="gzip")), max_response_bytes=None)
    assert (await run.generate()).text == "fine"


async def test_a_gzip_bomb_stops_at_the_default_bound() -> None:
    assert MAX_RESPONSE_BYTES == 64 * 1024 * 1024
    bomb = gzip.compress(b'{"a": "' + b"0" * (MAX_RESPONSE_BYTES + 1024) + b'"}', 1)
    assert len(bomb) < 1024 * 1024
    handler = answer(bomb, encoding="gzip", chunked=True)  # decoded as it comes
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        http = HttpClient("test", client=client, retry=reverie.RetryPolicy(max_retries=0))
        with pytest.raises(ProviderError) as info:
            await http.post_json("https://api.example.com/v1/x", {})
    assert "larger than its limit" in str(info.value) and not info.value.retryable


async def test_an_error_status_s_body_is_still_read_only_in_part() -> None:
    huge = json.dumps({"error": {"message": "no", "pad": "x" * 200_000}}).encode()

    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(400, headers={"content-type": "application/json"}, content=huge)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handle)) as client:
        http = HttpClient("test", client=client, max_response_bytes=1000)
        with pytest.raises(ProviderError) as info:
            await http.post_json("https://api.example.com/v1/x", {})
    assert info.value.status == 400 and "larger than" not in str(info.value)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "64"])
def test_a_bad_bound_is_refused(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        reverie.provider("openai", api_key="sk-x", max_response_bytes=bad)


@pytest.mark.parametrize("name", HTTP_PROVIDERS)
def test_every_provider_takes_the_bound_and_has_the_documented_default(name: str) -> None:
    assert make(name).http.max_response_bytes == 64 * 1024 * 1024
    assert make(name, max_response_bytes=None).http.max_response_bytes is None
    assert make(name, max_response_bytes=5000).http.max_response_bytes == 5000
