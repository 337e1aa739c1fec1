"""Leaving a streamed run early closes the model's HTTP stream promptly: at once with
``async with`` or ``aclose()``, within a few event-loop turns after a plain ``break``, and not
only when the stream object is garbage-collected."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx2

import reverie
from reverie import Agent, TextDelta
from reverie.testing.fake import ScriptedModel, reply


async def turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def chunk(content: str) -> bytes:
    data = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


class HangingBody(httpx2.AsyncByteStream):
    """A server that sends two deltas, then keeps the connection open without a word."""

    def __init__(self) -> None:
        self.closed = False
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in ("Hel", "lo"):
            self.sent += 1
            yield chunk(piece)
        await asyncio.Event().wait()  # hangs until the response is closed
        yield b""  # pragma: no cover

    async def aclose(self) -> None:
        self.closed = True


def http_agent() -> tuple[Agent, list[HangingBody]]:
    bodies: list[HangingBody] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        body = HangingBody()
        bodies.append(body)
        return httpx2.Response(200, headers={"Content-Type": "text/event-stream"}, stream=body)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    model = reverie.provider("openai", api_key="sk-test", client=client).model("gpt-4o")
    return Agent(model), bodies


async def test_a_plain_break_closes_the_model_stream_while_the_stream_is_referenced() -> None:
    model = ScriptedModel([reply("a long answer to close early")])
    async for event in (stream := Agent(model).stream("hi")):
        if isinstance(event, TextDelta):
            break
    await turns()
    assert model.closed_streams == 1
    assert stream is not None  # still referenced: the close did not wait for collection
    assert [e async for e in stream] == []  # closed: nothing more to read


async def test_a_plain_break_closes_the_http_response() -> None:
    agent, bodies = http_agent()
    async for event in (stream := agent.stream("hi")):
        if isinstance(event, TextDelta):
            break
    await turns()
    assert len(bodies) == 1 and bodies[0].closed
    assert stream is not None


async def test_an_error_in_the_loop_body_closes_the_http_response() -> None:
    agent, bodies = http_agent()
    try:
        async for event in agent.stream("hi"):
            if isinstance(event, TextDelta):
                raise LookupError("the consumer failed")
    except LookupError:
        pass
    await turns()
    assert bodies[0].closed


async def test_async_with_closes_the_http_response_before_the_next_line() -> None:
    agent, bodies = http_agent()
    async with agent.stream("hi") as stream:
        async for event in stream:
            if isinstance(event, TextDelta):
                break
    assert bodies[0].closed  # no turn of the event loop needed


async def test_aclose_closes_the_http_response_at_once_and_twice_is_harmless() -> None:
    agent, bodies = http_agent()
    stream = agent.stream("hi")
    while not isinstance(await stream.__anext__(), TextDelta):
        pass
    await asyncio.gather(stream.aclose(), stream.aclose())
    assert bodies[0].closed
    await stream.aclose()


def test_leaving_stream_sync_closes_the_http_response_at_once() -> None:
    agent, bodies = http_agent()
    for event in agent.stream_sync("hi"):
        if isinstance(event, TextDelta):
            break
    assert bodies[0].closed


async def test_a_model_stream_without_aclose_is_read_to_the_end() -> None:
    from reverie.testing.fake import frame

    class PlainStream:
        """An async iterator with no aclose, as a hand-written model may return."""

        def __init__(self, parts: list[object]) -> None:
            self.parts = iter(parts)

        def __aiter__(self) -> PlainStream:
            return self

        async def __anext__(self) -> object:
            try:
                return next(self.parts)
            except StopIteration:
                raise StopAsyncIteration from None

    class PlainModel(ScriptedModel):
        def stream(self, call: object) -> PlainStream:  # type: ignore[override]
            return PlainStream(frame(self._next(call)))  # type: ignore[arg-type]

    result = await Agent(PlainModel([reply("fine")])).stream("hi").collect()
    assert result.text == "fine"
