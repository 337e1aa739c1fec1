"""A flaky network under every family's stream, on a real socket: a stream that stalls after
its first chunk, a consumer that cancels mid-stream, a connection cut inside an event, a
server that cannot be reached or times out connecting. Each ends typed and closes what it
opened; nothing reached the caller twice."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

import reverie
from reverie import ErrorPart, Finish, ProviderError, TextDelta
from reverie.errors import StreamError

from .chunks import HELLO
from .conftest import Harness
from .families import CASES, Answer, Case
from .server import Connection
from .wire_faults import stream_head

# One host per family (Vertex's are the same families behind another URL).
FAMILIES = [c for c in CASES if c.provider in ("openai", "openai-responses", "anthropic")]
FAMILIES += [c for c in CASES if c.provider in ("bedrock", "google")]
IDS = [c.id for c in FAMILIES]


def model(h: Harness, case: Case, **settings: Any) -> Any:
    settings = {**dict(case.settings), **settings}
    if case.provider == "bedrock":
        settings["base_url"] = h.server.url.removesuffix("/v1")
    return h.provider(case.provider, **settings).model(case.model)


def first_then(case: Case, then: str) -> Any:
    """The stream's head up to one text delta, then ``then``: hang, cut or reset."""
    head = stream_head(case.family.name, "Hel")

    async def answer(conn: Connection) -> None:
        await conn.head(200, case.family.content_type)
        await conn.chunk(head)
        if then == "hang":
            await conn.hang()
        elif then == "cut":  # half an event more, then the connection closes
            await conn.chunk(case.family.stream(Answer(text=("lo",)))[:25])
            conn.close()
        else:
            conn.reset()

    return answer


def whole(case: Case) -> Any:
    body = case.family.stream(Answer(text=("Hello",)))

    async def answer(conn: Connection) -> None:
        await conn.head(200, case.family.content_type)
        await conn.chunk(body)
        await conn.end()

    return answer


def text_of(parts: list[Any]) -> str:
    return "".join(p.delta for p in parts if isinstance(p, TextDelta))


@pytest.mark.parametrize("case", FAMILIES, ids=IDS)
async def test_a_stream_that_stalls_after_its_first_chunk_ends_at_the_idle_timeout(
    h: Harness, case: Case
) -> None:
    h.server.script(first_then(case, "hang"))
    parts = [p async for p in model(h, case, idle_timeout=0.2).stream(HELLO)]
    assert isinstance(parts[-1], ErrorPart)
    error = parts[-1].error
    assert isinstance(error, StreamError) and error.retryable
    assert "silent for 0.2 s (idle timeout)" in str(error)
    assert text_of(parts) == "Hel" and h.server.attempts == 1
    await h.check_clean()


@pytest.mark.parametrize("case", FAMILIES, ids=IDS)
@pytest.mark.parametrize("then", ["cut", "reset"])
async def test_a_connection_lost_mid_stream_keeps_the_text_and_is_not_retried(
    h: Harness, case: Case, then: str
) -> None:
    h.server.script(first_then(case, then), whole(case))
    parts = [p async for p in model(h, case).stream(HELLO)]
    assert isinstance(parts[-1], ErrorPart) and not any(isinstance(p, Finish) for p in parts)
    assert isinstance(parts[-1].error, StreamError) and parts[-1].error.retryable
    assert text_of(parts) == "Hel" and h.server.attempts == 1
    await h.check_clean()


@pytest.mark.parametrize("case", FAMILIES, ids=IDS)
async def test_cancelling_mid_stream_closes_the_connection(h: Harness, case: Case) -> None:
    h.server.script(first_then(case, "hang"))
    stream = model(h, case).stream(HELLO)
    seen = asyncio.Event()

    async def consume() -> None:
        async for part in stream:
            if isinstance(part, TextDelta):
                seen.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(seen.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert h.server.attempts == 1
    await h.check_clean()  # the hung connection was closed by us


@pytest.mark.parametrize("case", FAMILIES, ids=IDS)
async def test_breaking_out_of_a_stream_closes_the_connection(h: Harness, case: Case) -> None:
    h.server.script(first_then(case, "hang"))
    stream = model(h, case).stream(HELLO)
    async for part in stream:
        if isinstance(part, TextDelta):
            break
    await stream.aclose()
    await h.check_clean()


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        (httpx2.ConnectTimeout("timed out"), "timed out (ConnectTimeout)"),
        (httpx2.ConnectError("[Errno 111] Connection refused"), "cannot reach"),
        (httpx2.ReadTimeout("timed out"), "timed out (ReadTimeout)"),
    ],
    ids=["connect-timeout", "refused", "read-timeout"],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "stream"])
async def test_connect_and_read_failures_are_retried_then_named(
    failure: Exception, words: str, streaming: bool
) -> None:
    sent: list[httpx2.Request] = []
    slept: list[float] = []

    def fail(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        raise type(failure)(str(failure), request=request)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(fail))
    provider = reverie.provider(
        "anthropic",
        api_key="sk-ant-transport-test",
        client=client,
        retry=reverie.RetryPolicy(sleep=sleep, max_retries=2),
    )
    model_ = provider.model("claude-x")
    if streaming:
        parts = [p async for p in model_.stream(HELLO)]
        assert isinstance(parts[-1], ErrorPart)
        error = parts[-1].error
    else:
        with pytest.raises(ProviderError) as info:
            await model_.generate(HELLO)
        error = info.value
    await client.aclose()
    assert words in str(error) and error.retryable
    assert len(sent) == 3 and slept == [0.5, 1.0]
