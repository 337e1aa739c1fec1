"""``client=`` an ``httpx.AsyncClient`` (the original httpx): still accepted, under a thin
httpx2 client (reverie.http.httpx_adapter), the slower path. The client's own settings
apply, reverie's auth and timeouts too, bodies stream chunk by chunk, and httpx's failures
are read as httpx2's (so the same ones are retried)."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from conftest import sse_body

from reverie import ConfigurationError, ProviderError, RetryPolicy
from reverie.http.httpx_adapter import HttpxTransport, as_httpx2, to_httpx2_error
from reverie.messages import user_message
from reverie.model import ErrorPart, Finish, TextDelta
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_compat import OpenAICompatible
from reverie.retry import NO_RETRY
from reverie.testing import RecordTransport, ReplayTransport, load_cassette

HELLO = Call(prompt=[user_message("Say hi")])
OK = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
TEXT = "Olá! Tudo bem?"  # what text.chunks.txt says


class Body(httpx.AsyncByteStream):
    """An httpx body in small chunks that counts how often it was closed."""

    def __init__(self, body: bytes, size: int = 5) -> None:
        self.chunks = [body[i : i + size] for i in range(0, len(body), size)]
        self.closed = 0
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk

    async def aclose(self) -> None:
        self.closed += 1


def stream_answer(body: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream", **headers}, content=body
    )


async def collect(model: Any) -> list[Any]:
    return [part async for part in model.stream(HELLO)]


def text(parts: list[Any]) -> str:
    return "".join(p.delta for p in parts if isinstance(p, TextDelta))


async def test_a_plain_answer_carries_our_auth_and_the_clients_own_headers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    hooked: list[str] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(str(request.url))

    client = httpx.AsyncClient(
        transport=httpx.MockTransport(answer),
        headers={"X-Org": "acme", "User-Agent": "mine/1"},
        event_hooks={"request": [hook]},
    )
    model = OpenAI(api_key="sk-ours", client=client, headers={"X-Ours": "1"}).model("gpt-4o")
    assert (await model.generate(HELLO)).text == "ok"
    (request,) = seen
    assert isinstance(request, httpx.Request)  # the user's httpx client sent it
    assert request.headers["authorization"] == "Bearer sk-ours"
    assert request.headers["x-org"] == "acme" and request.headers["x-ours"] == "1"
    assert request.headers["user-agent"] == "mine/1"  # not httpx2's default
    assert json.loads(request.content)["model"] == "gpt-4o"
    assert hooked == ["https://api.openai.com/v1/chat/completions"]


async def test_the_clients_auth_applies_only_when_reverie_has_none() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=OK)

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(answer), auth=("user", "pw"))

    url = "http://localhost:8080/v1"
    await OpenAICompatible(base_url=url, client=client()).model("m").generate(HELLO)
    await OpenAICompatible(base_url=url, api_key="k", client=client()).model("m").generate(HELLO)
    assert seen[0] is not None and seen[0].startswith("Basic ")
    assert seen[1] == "Bearer k"


async def test_a_stream_arrives_in_chunks_and_the_httpx_response_is_closed() -> None:
    body = Body(sse_body("text.chunks.txt"))
    streamed: list[float | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        streamed.append(request.extensions["timeout"]["read"])
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    model = OpenAI(api_key="k", client=client, idle_timeout=17.0).model("gpt-4o")
    parts = await collect(model)
    assert text(parts) == TEXT and isinstance(parts[-1], Finish)
    assert body.sent == len(body.chunks) > 10  # handed on chunk by chunk, not read whole
    assert body.closed == 1
    assert streamed == [17.0]  # our idle timeout is httpx's read timeout here too


async def test_a_compressed_stream_is_decoded_once() -> None:
    packed = gzip.compress(sse_body("text.chunks.txt"))

    def answer(request: httpx.Request) -> httpx.Response:
        return stream_answer(packed, **{"content-encoding": "gzip"})

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    assert text(await collect(OpenAI(api_key="k", client=client).model("gpt-4o"))) == TEXT


async def test_a_stream_cut_by_an_httpx_error_is_retried_as_httpx2s_would_be() -> None:
    attempts: list[int] = []

    class Cut(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b": keep-alive\n\n"
            raise httpx.ReadTimeout("silent")

    def answer(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Cut())
        return stream_answer(sse_body("text.chunks.txt"))

    async def sleep(seconds: float) -> None:
        return None

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    model = OpenAI(api_key="k", client=client, retry=RetryPolicy(sleep=sleep)).model("gpt-4o")
    parts = await collect(model)
    assert text(parts) == TEXT and len(attempts) == 2
    assert isinstance(parts[-1], Finish) and parts[-1].attempts == 2


async def test_a_connection_failure_is_a_provider_error_saying_so() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    model = OpenAI(api_key="sk-secret", client=client, retry=NO_RETRY).model("gpt-4o")
    with pytest.raises(ProviderError, match=r"cannot reach .*connection refused") as info:
        await model.generate(HELLO)
    assert info.value.retryable
    parts = await collect(model)
    assert isinstance(parts[-1], ErrorPart) and "cannot reach" in str(parts[-1].error)


def test_httpx_errors_become_httpx2_errors_of_the_same_name() -> None:
    assert type(to_httpx2_error(httpx.ReadTimeout("x"))) is httpx2.ReadTimeout
    assert type(to_httpx2_error(httpx.RemoteProtocolError("x"))) is httpx2.RemoteProtocolError

    class Mine(httpx.TransportError):  # someone's own: the nearest httpx2 kind, not transient
        pass

    error = to_httpx2_error(Mine("no such answer"))
    assert type(error) is httpx2.TransportError and str(error) == "no such answer"


async def test_the_users_client_is_never_closed_by_us() -> None:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=OK))
    )
    async with OpenAI(api_key="k", client=client) as provider:
        await provider.model("gpt-4o").generate(HELLO)
    assert not client.is_closed
    await client.aclose()


def test_a_synchronous_client_is_refused_with_the_reason() -> None:
    for client in (httpx.Client(), httpx2.Client()):
        with pytest.raises(ConfigurationError, match="synchronous"):
            OpenAI(api_key="k", client=client)  # type: ignore[arg-type]


def test_an_httpx2_client_is_used_as_it_is() -> None:
    client = httpx2.AsyncClient()
    assert as_httpx2(client) is client
    wrapped = as_httpx2(httpx.AsyncClient())
    assert isinstance(wrapped, httpx2.AsyncClient) and wrapped is not client


# --- reverie.testing with httpx ----------------------------------------------------------

CHAT = Path(__file__).parents[1] / "testing" / "fixtures" / "chat.yaml"


async def test_a_replay_transport_serves_an_httpx_client_with_httpx_responses() -> None:
    cassette = load_cassette(CHAT)
    request = cassette.interactions[0].request
    transport = ReplayTransport(cassette)
    async with httpx.AsyncClient(transport=transport) as client:
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        response = await client.post(request.url, content=body)
        assert isinstance(response, httpx.Response)
        assert response.content == cassette.interactions[0].response.body_bytes()
    assert transport.open_responses == 0


async def test_a_recorder_records_through_an_httpx_transport_and_into_an_httpx_client(
    tmp_path: Path,
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=OK)

    inner = RecordTransport(tmp_path / "a.yaml", inner=httpx.MockTransport(answer))
    assert isinstance(inner.inner, HttpxTransport)
    model = OpenAI(api_key="sk-a", client=httpx2.AsyncClient(transport=inner)).model("gpt-4o")
    assert (await model.generate(HELLO)).text == "ok"
    outer = RecordTransport(tmp_path / "b.yaml", inner=httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=outer) as client:
        model = OpenAI(api_key="sk-b", client=client).model("gpt-4o")
        assert (await model.generate(HELLO)).text == "ok"
    inner.save()
    for name, key in (("a.yaml", "sk-a"), ("b.yaml", "sk-b")):
        saved = (tmp_path / name).read_text()
        assert '"content":"ok"' in saved.replace(" ", "") and key not in saved
