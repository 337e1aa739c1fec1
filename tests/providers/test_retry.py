"""Retries: passing failures are retried with backoff or Retry-After; others are not."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from conftest import FakeServer

from reverie import ProviderError, RetryPolicy
from reverie.messages import user_message
from reverie.model import ErrorPart, Finish
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI

HELLO = Call(prompt=[user_message("hi")])
OK = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
OVERLOADED = b'{"error":{"message":"overloaded"}}'


def policy(slept: list[float], **kw: Any) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return RetryPolicy(sleep=sleep, **kw)


def model(server: FakeServer, retry: RetryPolicy) -> Any:
    return OpenAI(api_key="k", client=server.client(), retry=retry).model("gpt-4o")


async def test_overload_is_retried_with_exponential_backoff() -> None:
    server = FakeServer()
    server.answers += [(503, OVERLOADED, "application/json")] * 2
    server.json(OK)
    slept: list[float] = []
    response = await model(server, policy(slept)).generate(HELLO)
    assert response.text == "ok"
    assert slept == [0.5, 1.0]
    assert len(server.requests) == 3 and server.requests[0] == server.requests[2]


async def test_retry_after_is_honoured_and_capped() -> None:
    server = FakeServer()
    server.answers.append((429, OVERLOADED, "application/json"))
    server.json(OK)
    slept: list[float] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        response = server._handle(request)
        if response.status_code == 429:
            response.headers["Retry-After"] = "90"
        return response

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    llm = OpenAI(api_key="k", client=client, retry=policy(slept, max_delay=20.0)).model("gpt-4o")
    await llm.generate(HELLO)
    assert slept == [20.0]


async def test_giving_up_raises_the_last_error() -> None:
    server = FakeServer()
    server.answers += [(500, OVERLOADED, "application/json")] * 3
    slept: list[float] = []
    with pytest.raises(ProviderError) as info:
        await model(server, policy(slept, max_retries=2)).generate(HELLO)
    assert info.value.status == 500 and "overloaded" in str(info.value)
    assert len(slept) == 2 and len(server.requests) == 3


async def test_client_errors_are_not_retried() -> None:
    server = FakeServer()
    server.answers.append((400, b'{"error":{"message":"bad request"}}', "application/json"))
    slept: list[float] = []
    with pytest.raises(ProviderError):
        await model(server, policy(slept)).generate(HELLO)
    assert slept == [] and len(server.requests) == 1


async def test_a_stream_is_retried_before_its_first_part() -> None:
    server = FakeServer()
    server.answers.append((502, OVERLOADED, "application/json"))
    server.sse("text.chunks.txt")
    slept: list[float] = []
    parts = [p async for p in model(server, policy(slept)).stream(HELLO)]
    assert isinstance(parts[-1], Finish) and slept == [0.5]
    assert server.closed == 2  # the failed response was closed too


async def test_a_dropped_connection_is_retried_and_reported_once_it_gives_up() -> None:
    attempts = 0

    def refuse(request: httpx2.Request) -> httpx2.Response:
        nonlocal attempts
        attempts += 1
        raise httpx2.ConnectError("connection refused", request=request)

    slept: list[float] = []
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(refuse))
    llm = OpenAI(api_key="k", client=client, retry=policy(slept, max_retries=1)).model("gpt-4o")
    parts = [p async for p in llm.stream(HELLO)]
    assert len(parts) == 1 and isinstance(parts[0], ErrorPart)
    assert "cannot reach https://api.openai.com/v1/chat/completions" in str(parts[0].error)
    assert attempts == 2 and slept == [0.5]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "x", "retry-after": "3"}, 3.0),  # unreadable ms: the next form
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after": "-4"}, None),  # no delay: our own backoff applies
        ({"retry-after-ms": "-4", "retry-after": "2"}, 2.0),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], expected: float | None) -> None:
    from reverie.http.retry import retry_after

    assert retry_after(httpx2.Headers(headers)) == expected


def test_a_future_http_date_is_the_seconds_until_it() -> None:
    import email.utils
    import time

    from reverie.http.retry import retry_after

    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    seconds = retry_after(httpx2.Headers({"retry-after": date}))
    assert seconds is not None and 28 <= seconds <= 30


@pytest.mark.parametrize(
    "error",
    [
        httpx2.ReadError(""),
        httpx2.RemoteProtocolError("x"),
        httpx2.ReadTimeout("x"),
        httpx2.ConnectError("x"),
        httpx2.WriteError("x"),
        httpx2.PoolTimeout("x"),
    ],
)
def test_dropped_connections_and_timeouts_are_transient(error: Exception) -> None:
    from reverie.http.retry import is_transient

    assert is_transient(error)


async def test_on_retry_hears_the_error_the_retry_number_and_the_delay() -> None:
    server = FakeServer()
    server.answers += [(503, OVERLOADED, "application/json")] * 2
    server.json(OK)
    heard: list[tuple[str, int, float]] = []
    retry = policy([], on_retry=lambda error, n, seconds: heard.append((str(error), n, seconds)))
    await model(server, retry).generate(HELLO)
    assert [(n, seconds) for _, n, seconds in heard] == [(1, 0.5), (2, 1.0)]
    assert all("overloaded" in message for message, _, _ in heard)


@pytest.mark.parametrize("after", [0.0, 0.5])
def test_a_short_or_zero_retry_after_is_waited_as_given(after: float) -> None:
    error = ProviderError("busy", provider="openai", retryable=True, retry_after=after)
    assert RetryPolicy(initial_delay=3.0).delay(error, 0) == after


def test_a_transport_error_waits_the_backoff() -> None:
    assert RetryPolicy(initial_delay=0.5).delay(httpx2.ConnectError("x"), 2) == 2.0


async def test_the_default_sleep_waits_on_the_event_loop() -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    started = loop.time()
    await RetryPolicy().sleep(0.02)
    assert loop.time() - started >= 0.02
