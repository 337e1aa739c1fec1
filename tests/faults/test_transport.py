"""Transport faults: resets, cut streams, hangs, rate limits, overload storms, streams without
their terminal event, malformed SSE, plain JSON where a stream was asked for.

Each case checks the outcome (a result or a typed error naming the problem), the attempts
the server saw, the delays slept (an instant fake), and that nothing of ours is left open.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

import pytest

from reverie import ErrorPart, Finish, ProviderError, TextDelta, ToolInputStart
from reverie.errors import StreamError
from reverie.model import ToolCall as ToolCallPart

from .chunks import HELLO, OK_STREAM, completion, error, finish, text, tool_args, tool_start
from .conftest import Harness
from .server import Connection, hang, reset, respond, stream


async def collect(model: Any) -> list[Any]:
    return [part async for part in model.stream(HELLO)]


def failure(parts: list[Any]) -> ProviderError:
    assert isinstance(parts[-1], ErrorPart), parts[-1]
    assert not any(isinstance(p, Finish) for p in parts)
    error = parts[-1].error
    assert isinstance(error, ProviderError)
    return error


# ---- resets ---------------------------------------------------------------------------------


async def test_reset_before_the_response_is_retried(h: Harness) -> None:
    h.server.script(reset, respond(200, completion("fine")))
    response = await h.model().generate(HELLO)
    assert response.text == "fine"
    assert h.server.attempts == 2 and h.slept == [0.5]
    await h.check_clean()


async def test_resets_that_go_on_end_in_a_named_retryable_error(h: Harness) -> None:
    h.server.script(reset)
    with pytest.raises(ProviderError) as info:
        await h.model().generate(HELLO)
    message = str(info.value)
    assert "/v1/chat/completions failed: " in message
    assert message.endswith("the connection was reset or dropped (ReadError)")
    assert info.value.retryable and not isinstance(info.value, StreamError)
    assert h.server.attempts == 3 and h.slept == [0.5, 1.0]
    await h.check_clean()


async def test_a_streamed_request_reset_before_its_response_is_retried(h: Harness) -> None:
    h.server.script(reset, stream(OK_STREAM))
    parts = await collect(h.model())
    assert isinstance(parts[-1], Finish)
    assert "".join(p.delta for p in parts if isinstance(p, TextDelta)) == "Hello"
    assert h.server.attempts == 2
    await h.check_clean()


@pytest.mark.parametrize("then", ["reset", "close"])
async def test_a_stream_cut_after_text_keeps_the_text_and_ends_in_stream_error(
    h: Harness, then: str
) -> None:
    h.server.script(stream([text("Hel"), text("lo")], then=then))
    parts = await collect(h.model())
    error = failure(parts)
    assert isinstance(error, StreamError) and "the stream broke off" in str(error)
    assert [p.delta for p in parts if isinstance(p, TextDelta)] == ["Hel", "lo"]
    assert h.server.attempts == 1  # parts had reached the caller: never sent twice
    await h.check_clean()


@pytest.mark.parametrize("then", ["reset", "close"])
async def test_a_stream_cut_inside_tool_arguments_emits_no_tool_call(h: Harness, then: str) -> None:
    h.server.script(stream([tool_start(), tool_args('{"locat')], then=then))
    parts = await collect(h.model())
    assert isinstance(failure(parts), StreamError)
    assert any(isinstance(p, ToolInputStart) for p in parts)
    assert not any(isinstance(p, ToolCallPart) for p in parts)  # never a half call
    assert h.server.attempts == 1
    await h.check_clean()


# ---- hangs and timeouts -----------------------------------------------------------------------


async def test_a_hung_stream_ends_at_the_idle_timeout(h: Harness) -> None:
    h.server.script(stream([text("Hel")], then="hang"))
    started = time.monotonic()
    parts = await collect(h.model(idle_timeout=0.2))
    error = failure(parts)
    assert isinstance(error, StreamError) and error.retryable
    assert "silent for 0.2 s (idle timeout)" in str(error)
    assert time.monotonic() - started < 2
    assert h.server.attempts == 1
    await h.check_clean()  # the hung connection was closed


async def test_a_stream_silent_before_its_first_event_is_retried(h: Harness) -> None:
    h.server.script(stream([], then="hang"), stream(OK_STREAM))
    parts = await collect(h.model(idle_timeout=0.2))
    assert isinstance(parts[-1], Finish) and h.server.attempts == 2
    await h.check_clean()


async def test_a_server_that_never_answers_a_stream_is_retried_then_named(h: Harness) -> None:
    h.server.script(hang)
    parts = await collect(h.model(idle_timeout=0.1, retry=_instant(h, max_retries=1)))
    error = failure(parts)
    assert "timed out (ReadTimeout)" in str(error) and error.retryable
    assert h.server.attempts == 2
    await h.check_clean()


async def test_an_unstreamed_request_ends_at_the_total_timeout(h: Harness) -> None:
    h.server.script(hang)
    with pytest.raises(ProviderError) as info:
        await h.model(timeout=0.2).generate(HELLO)
    assert "exceeded its total timeout (0.2 s)" in str(info.value)
    assert not info.value.retryable and h.server.attempts == 1
    await h.check_clean()


async def test_a_trickling_stream_ends_at_the_total_timeout(h: Harness) -> None:
    async def trickle(conn: Connection) -> None:
        await conn.head(200, "text/event-stream")
        while True:
            await conn.chunk(b'data: {"choices":[{"index":0,"delta":{"content":"."}}]}\n\n')
            await asyncio.sleep(0.02)

    h.server.script(trickle)
    parts = await collect(h.model(timeout=0.3, idle_timeout=5))
    error = failure(parts)
    assert isinstance(error, StreamError) and "exceeded its total timeout (0.3 s)" in str(error)
    assert sum(isinstance(p, TextDelta) for p in parts) > 3
    await h.check_clean()


async def test_cancelling_mid_stream_closes_the_connection(h: Harness) -> None:
    h.server.script(stream([text("Hel")], then="hang"))
    model = h.model()
    seen = asyncio.Event()

    async def consume() -> None:
        async for part in model.stream(HELLO):
            if isinstance(part, TextDelta):
                seen.set()

    task = asyncio.create_task(consume())
    await seen.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert h.server.attempts == 1
    await h.check_clean()


def _instant(h: Harness, **kw: Any) -> Any:
    from reverie import RetryPolicy

    async def sleep(seconds: float) -> None:
        h.slept.append(seconds)

    return RetryPolicy(sleep=sleep, **kw)


# ---- rate limits and overload -----------------------------------------------------------------


def _http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"retry-after-ms": "1500"}, 1.5, 1.5),
        ({"Retry-After": "7"}, 7.0, 7.0),
        ({"Retry-After": "__date__"}, 10.0, 12.0),
        ({"Retry-After": "not a delay"}, 0.5, 0.5),  # unreadable: our own backoff
    ],
    ids=["retry-after-ms", "seconds", "http-date", "garbage"],
)
async def test_429_honours_retry_after(
    h: Harness, headers: dict[str, str], low: float, high: float
) -> None:
    if headers.get("Retry-After") == "__date__":
        headers = {"Retry-After": _http_date(12)}
    h.server.script(respond(429, error("slow down"), headers=headers), stream(OK_STREAM))
    parts = await collect(h.model())
    assert isinstance(parts[-1], Finish)
    assert h.server.attempts == 2 and len(h.slept) == 1 and low <= h.slept[0] <= high
    await h.check_clean()


@pytest.mark.parametrize("status", [500, 503, 529])
async def test_an_overload_storm_is_retried_then_reported(h: Harness, status: int) -> None:
    h.server.script(respond(status, error("overloaded")))
    with pytest.raises(ProviderError) as info:
        await h.model().generate(HELLO)
    assert info.value.status == status and f"HTTP {status}: overloaded" in str(info.value)
    assert h.server.attempts == 3 and h.slept == [0.5, 1.0]
    await h.check_clean()


async def test_a_mixed_storm_that_passes_succeeds(h: Harness) -> None:
    h.server.script(
        respond(500, error("a")),
        respond(529, error("b")),
        respond(503, "<html>busy</html>", "text/html"),
        stream(OK_STREAM),
    )
    parts = await collect(h.model(retry=_instant(h, max_retries=3)))
    assert isinstance(parts[-1], Finish) and h.server.attempts == 4
    await h.check_clean()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_are_never_retried(h: Harness, status: int) -> None:
    h.server.script(respond(status, error("no")))
    parts = await collect(h.model())
    assert failure(parts).status == status and h.server.attempts == 1 and h.slept == []
    await h.check_clean()


# ---- streams that are not what they say --------------------------------------------------------


async def test_a_stream_without_done_after_text_is_a_stream_error(h: Harness) -> None:
    h.server.script(stream([text("Hel"), finish()]))
    error = failure(await collect(h.model()))
    assert isinstance(error, StreamError) and "ended before [DONE]" in str(error)
    assert h.server.attempts == 1
    await h.check_clean()


async def test_an_empty_stream_without_done_is_retried(h: Harness) -> None:
    h.server.script(stream([]), stream(OK_STREAM))
    assert isinstance((await collect(h.model()))[-1], Finish)
    assert h.server.attempts == 2
    await h.check_clean()


async def test_malformed_sse_is_not_taken_for_a_stream(h: Harness) -> None:
    garbage = b"data {not sse}\nevent:\n\n:\n\ndat: x\n\n\xff\xfe\n\n"
    h.server.script(stream([], raw=garbage))
    error = failure(await collect(h.model()))
    assert isinstance(error, StreamError) and "ended before [DONE]" in str(error)
    assert h.server.attempts == 3  # nothing reached the caller: retried, then reported
    await h.check_clean()


async def test_invalid_json_in_a_chunk_is_a_stream_error_quoting_it(h: Harness) -> None:
    h.server.script(stream([text("Hel"), '{"choices": [', "[DONE]"]))
    parts = await collect(h.model())
    error = failure(parts)
    assert isinstance(error, StreamError) and "malformed stream event" in str(error)
    assert '{"choices": [' in str(error)
    assert h.server.attempts == 1
    await h.check_clean()


async def test_a_stream_answered_with_a_json_error_is_the_providers_error(h: Harness) -> None:
    body = {"error": {"message": "bad request", "type": "invalid_request_error"}}
    h.server.script(respond(200, body))
    got = failure(await collect(h.model()))
    assert str(got) == "openai: bad request" and not isinstance(got, StreamError)
    assert h.server.attempts == 1
    await h.check_clean()


async def test_a_stream_answered_with_a_passing_json_error_is_retried(h: Harness) -> None:
    h.server.script(respond(200, error("model is overloaded")), respond(200, error("again")))
    got = failure(await collect(h.model()))
    assert str(got) == "openai: again" and got.retryable
    assert h.server.attempts == 3
    await h.check_clean()


async def test_a_stream_answered_with_a_json_completion_names_the_type(h: Harness) -> None:
    h.server.script(respond(200, completion("hi")))
    error = failure(await collect(h.model()))
    assert isinstance(error, StreamError)
    assert "expected a stream but the answer is application/json" in str(error)
    assert h.server.attempts == 1
    await h.check_clean()


async def test_an_html_page_instead_of_a_stream_names_its_type(h: Harness) -> None:
    h.server.script(respond(200, "<html>login</html>", "text/html"))
    error = failure(await collect(h.model()))
    assert str(error) == (
        "openai: expected an event stream (text/event-stream), got text/html: '<html>login</html>'"
    )
    assert not error.retryable and h.server.attempts == 1  # a page, not a cut stream
    await h.check_clean()


async def test_a_plain_answer_that_is_not_json_names_its_type(h: Harness) -> None:
    h.server.script(respond(200, "<html>login</html>", "text/html"))
    with pytest.raises(ProviderError) as info:
        await h.model().generate(HELLO)
    assert "not JSON (content-type 'text/html')" in str(info.value)
    await h.check_clean()


async def test_the_total_timeout_passing_while_the_caller_is_busy_ends_the_stream(
    h: Harness,
) -> None:
    h.server.script(stream([text("a"), text("b"), text("c")], then="hang"))
    seen: list[Any] = []
    async for part in h.model(timeout=0.1).stream(HELLO):
        seen.append(part)
        if len(seen) == 1:
            await asyncio.sleep(0.2)  # the caller is slow: the deadline passes meanwhile
    error = failure(seen)
    assert "exceeded its total timeout (0.1 s)" in str(error) and not error.retryable
    await h.check_clean()


async def test_timeouts_apply_to_a_client_passed_in(h: Harness) -> None:
    import httpx2

    h.server.script(stream([text("a")], then="hang"))
    async with httpx2.AsyncClient(timeout=600) as client:
        parts = await collect(h.model(client=client, idle_timeout=0.2))
        assert "(idle timeout)" in str(failure(parts))
    await h.check_clean()


async def test_the_total_timeout_cancels_only_the_task_reading_when_it_passes(
    h: Harness,
) -> None:
    # One task reads the first part and moves on; another reads the rest. The deadline must
    # end the read in progress (the second task's) and never cancel the first.
    h.server.script(stream([text("a"), text("b")], then="hang"))
    parts = h.model(timeout=0.3, idle_timeout=3).stream(HELLO)  # a regression fails in 3 s
    first_read = asyncio.Event()

    async def first_reader() -> Any:
        part = await anext(parts)
        first_read.set()
        await asyncio.sleep(0.6)  # busy elsewhere while the deadline passes
        return part

    first = asyncio.create_task(first_reader())
    await first_read.wait()
    rest = [part async for part in parts]
    error = failure([await first, *rest])  # the first reader was not cancelled
    assert "exceeded its total timeout (0.3 s)" in str(error) and not error.retryable
    await h.check_clean()
