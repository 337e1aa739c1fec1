"""How a streamed body's bytes reach the parser: straight from the transport when they are
plain, through httpx2 when they are compressed, and from any byte stream a transport gives."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Callable

import httpx2

import reverie
from reverie import ErrorPart, Finish, StreamError, StreamPart, TextDelta, user_message
from reverie.providers.kit import Call

HI = Call(prompt=[user_message("hi")])
EVENTS = (
    b'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n'
    b'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


async def stream_through(handle: Callable[[httpx2.Request], httpx2.Response]) -> list[StreamPart]:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    provider = reverie.provider("openai", api_key="k", client=client)
    async with client:
        return [part async for part in provider.model("m").stream(HI)]


def text_of(parts: list[StreamPart]) -> str:
    return "".join(p.delta for p in parts if isinstance(p, TextDelta))


async def test_a_gzip_compressed_stream_is_decoded_before_it_is_parsed() -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "text/event-stream", "content-encoding": "gzip"}
        return httpx2.Response(200, headers=headers, content=gzip.compress(EVENTS))

    parts = await stream_through(handle)
    assert text_of(parts) == "Hello"
    assert isinstance(parts[-1], Finish) and parts[-1].finish_reason == "stop"


async def test_an_identity_encoded_stream_is_read_as_it_comes() -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "text/event-stream", "content-encoding": "Identity"}
        return httpx2.Response(200, headers=headers, content=EVENTS)

    parts = await stream_through(handle)
    assert text_of(parts) == "Hello" and isinstance(parts[-1], Finish)


class Trickle(httpx2.AsyncByteStream):
    """A transport's own byte stream whose iterator is a plain object (no ``aclose``),
    giving the body a few bytes at a time."""

    def __init__(self, body: bytes) -> None:
        self.pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
        self.closed = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._Iterator(self.pieces)

    class _Iterator:
        def __init__(self, pieces: list[bytes]) -> None:
            self.pieces = list(pieces)

        def __aiter__(self) -> Trickle._Iterator:
            return self

        async def __anext__(self) -> bytes:
            if not self.pieces:
                raise StopAsyncIteration
            return self.pieces.pop(0)

    async def aclose(self) -> None:
        self.closed = True


async def test_a_transport_stream_without_aclose_is_read_and_then_closed() -> None:
    body = Trickle(EVENTS)

    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=body)

    parts = await stream_through(handle)
    assert text_of(parts) == "Hello" and isinstance(parts[-1], Finish)
    assert body.closed  # the response was closed once read


async def test_a_compressed_body_cut_short_is_a_stream_error_not_a_crash() -> None:
    def handle(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": "text/event-stream", "content-encoding": "gzip"}
        return httpx2.Response(200, headers=headers, content=gzip.compress(EVENTS)[:-12])

    parts = await stream_through(handle)
    assert isinstance(parts[-1], ErrorPart) and isinstance(parts[-1].error, StreamError)
    assert str(parts[-1].error).startswith("openai: ")
    assert text_of(parts) == "Hello"  # what came whole before the cut was kept
