"""Retries that should happen, and answers that say what came back, in every family: a body
that ends inside its first event (or AWS frame) is a cut, retried like a cut between events;
a 200 answer holding a passing error is retried by the one retry owner; the attempts a call
took are counted on the response and the step; a body that is not the stream asked for says
what it is, naming the provider."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from test_eventstream import encode_frame

from reverie import Agent
from reverie.accumulate import StreamAccumulator
from reverie.errors import OverloadedError, ProviderError, StreamError
from reverie.messages import user_message
from reverie.model import ErrorPart, Finish, StreamPart
from reverie.providers.anthropic import Anthropic
from reverie.providers.bedrock import Bedrock
from reverie.providers.google import Google
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.retry import RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures"
HELLO = Call(prompt=[user_message("hi")])

Answer = tuple[int, bytes, str]


async def no_sleep(seconds: float) -> None:
    return None


RETRY = RetryPolicy(sleep=no_sleep, max_retries=2)


class Server:
    """Answers with the queued answers in order (the last one again when they run out)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests = 0

    def client(self) -> httpx2.AsyncClient:
        def handle(request: httpx2.Request) -> httpx2.Response:
            self.requests += 1
            status, body, kind = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
            return httpx2.Response(status, headers={"content-type": kind}, content=body)

        return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def sse_lines(path: Path) -> bytes:
    """A fixture of ``event:``/``data:`` lines as an SSE body (each data line ends an event)."""
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("data:"):
            out.append(line + "\n\n")
        elif line:
            out.append(line + "\n")
    return "".join(out).encode()


def bedrock_body() -> bytes:
    chunk = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
    frames = []
    for line in (FIXTURES / "anthropic" / "text.sse").read_text().splitlines():
        if line.startswith("data:"):
            wrapped = {"bytes": base64.b64encode(line[5:].strip().encode()).decode()}
            frames.append(encode_frame(chunk, json.dumps(wrapped).encode()))
    return b"".join(frames)


SSE = "text/event-stream"
AWS = "application/vnd.amazon.eventstream"

Make = Callable[[httpx2.AsyncClient], Any]
FAMILIES: dict[str, tuple[Make, bytes, str]] = {
    "openai": (
        lambda c: OpenAI(api_key="k", client=c, retry=RETRY).model("gpt-4o"),
        sse_lines(FIXTURES / "openai_chat" / "text.chunks.txt"),
        SSE,
    ),
    "openai-responses": (
        lambda c: OpenAI(api_key="k", api="responses", client=c, retry=RETRY).model("gpt-4o"),
        sse_lines(FIXTURES / "openai_responses" / "text.chunks.txt"),
        SSE,
    ),
    "anthropic": (
        lambda c: Anthropic(api_key="k", client=c, retry=RETRY).model("claude"),
        (FIXTURES / "anthropic" / "text.sse").read_bytes(),
        SSE,
    ),
    "google": (
        lambda c: Google(api_key="k", client=c, retry=RETRY).model("gemini-2.5-flash"),
        sse_lines(FIXTURES / "google" / "answer.chunks.txt"),
        SSE,
    ),
    "bedrock": (
        lambda c: Bedrock(skip_auth=True, client=c, retry=RETRY).model("anthropic.claude"),
        bedrock_body(),
        AWS,
    ),
}


def cut_inside_first_event(body: bytes, kind: str) -> bytes:
    """The body up to the middle of its first event (the first frame, for AWS)."""
    if kind == AWS:
        total = int.from_bytes(body[:4], "big")
        return body[: total // 2]
    end = body.index(b"\n\n")
    data = body.index(b"data:")
    return body[: data + (end - data) // 2]


async def collect(model: Any) -> list[StreamPart]:
    return [part async for part in model.stream(HELLO)]


def test_the_cuts_end_inside_their_first_event() -> None:
    for name, (_, body, kind) in FAMILIES.items():
        cut = cut_inside_first_event(body, kind)
        assert 0 < len(cut) < len(body) and b"\n\n" not in cut, name


@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_a_body_ending_inside_its_first_event_is_retried(family: str) -> None:
    make, body, kind = FAMILIES[family]
    server = Server((200, cut_inside_first_event(body, kind), kind), (200, body, kind))
    parts = await collect(make(server.client()))
    assert isinstance(parts[-1], Finish), parts[-1]
    assert parts[-1].attempts == 2 and server.requests == 2
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    assert accumulator.response().text and accumulator.response().attempts == 2


@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_a_body_always_cut_ends_in_a_retryable_error_after_the_retries(family: str) -> None:
    make, body, kind = FAMILIES[family]
    server = Server((200, cut_inside_first_event(body, kind), kind))
    [error] = await collect(make(server.client()))
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert error.error.retryable and server.requests == 3
    assert error.error.provider == ("bedrock" if family == "bedrock" else error.error.provider)
    assert str(error.error).startswith(f"{error.error.provider}: ")


@pytest.mark.parametrize("family", sorted(FAMILIES))
async def test_an_uncut_answer_took_one_attempt(family: str) -> None:
    make, body, kind = FAMILIES[family]
    parts = await collect(make(Server((200, body, kind)).client()))
    assert isinstance(parts[-1], Finish) and parts[-1].attempts == 1


# ---- Gemini's 200 answers holding an error --------------------------------------------------

UNAVAILABLE = json.dumps(
    {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
).encode()
ANSWER = json.dumps(
    {
        "candidates": [{"content": {"parts": [{"text": "Hi"}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 2, "candidatesTokenCount": 1},
    }
).encode()


def gemini(server: Server) -> Any:
    return Google(api_key="k", client=server.client(), retry=RETRY).model("gemini-2.5-flash")


async def test_a_gemini_200_holding_unavailable_is_retried() -> None:
    server = Server((200, UNAVAILABLE, "application/json"), (200, ANSWER, "application/json"))
    response = await gemini(server).generate(HELLO)
    assert response.text == "Hi" and response.attempts == 2 and server.requests == 2


async def test_a_gemini_200_always_unavailable_is_an_overload_after_the_retries() -> None:
    server = Server((200, UNAVAILABLE, "application/json"))
    with pytest.raises(OverloadedError) as caught:
        await gemini(server).generate(HELLO)
    assert caught.value.retryable and server.requests == 3


async def test_a_gemini_stream_answered_with_unavailable_json_is_retried() -> None:
    server = Server(
        (200, UNAVAILABLE, "application/json"),
        (200, sse_lines(FIXTURES / "google" / "answer.chunks.txt"), SSE),
    )
    parts = await collect(gemini(server))
    assert isinstance(parts[-1], Finish) and parts[-1].attempts == 2


async def test_a_400_is_not_retried_and_took_one_attempt() -> None:
    bad = json.dumps({"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}})
    server = Server((400, bad.encode(), "application/json"))
    with pytest.raises(ProviderError):
        await gemini(server).generate(HELLO)
    assert server.requests == 1


async def test_the_steps_attempts_count_the_retries() -> None:
    server = Server((503, UNAVAILABLE, "application/json"), (200, ANSWER, "application/json"))
    result = await Agent(gemini(server)).run("hi")
    assert result.steps[0].attempts == 2 and result.text == "Hi"
    server = Server((200, ANSWER, "application/json"))
    assert (await Agent(gemini(server)).run("hi")).steps[0].attempts == 1


async def test_a_streamed_steps_attempts_count_the_retries() -> None:
    make, body, kind = FAMILIES["anthropic"]
    server = Server((529, b'{"type":"error"}', "application/json"), (200, body, kind))
    stream = Agent(make(server.client())).stream("hi")
    async for _ in stream:
        pass
    assert stream.result.steps[0].attempts == 2


# ---- bodies that are not the stream asked for --------------------------------------------------

PAGE = b"<html><body>Sign in to continue</body></html>"


async def test_bedrock_given_an_html_page_says_so_naming_itself() -> None:
    make = FAMILIES["bedrock"][0]
    [error] = await collect(make(Server((200, PAGE, "text/html")).client()))
    assert isinstance(error, ErrorPart) and isinstance(error.error, ProviderError)
    assert str(error.error).startswith(
        "bedrock: expected an AWS event stream, got text/html: '<html><body>Sign in"
    )
    assert error.error.provider == "bedrock" and not error.error.retryable


async def test_bedrock_given_a_page_without_a_content_type_says_what_it_begins_with() -> None:
    make = FAMILIES["bedrock"][0]
    [error] = await collect(make(Server((200, PAGE, "")).client()))
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert error.error.provider == "bedrock"
    message = str(error.error)
    assert message.startswith("bedrock: event stream: prelude CRC mismatch in the first frame")
    assert "not an AWS event stream, it begins b'<html><body>Sign in" in message


async def test_bedrocks_corrupt_frames_name_the_provider() -> None:
    make, body, kind = FAMILIES["bedrock"]
    total = int.from_bytes(body[:4], "big")
    broken = body[:total] + bytes([body[total] ^ 0xFF]) + body[total + 1 :]
    [*_, error] = await collect(make(Server((200, broken, kind)).client()))
    assert isinstance(error, ErrorPart) and error.error.provider == "bedrock"  # type: ignore[attr-defined]
    assert str(error.error) == "bedrock: event stream: prelude CRC mismatch"


@pytest.mark.parametrize("family", ["openai", "openai-responses", "anthropic", "google"])
@pytest.mark.parametrize("kind", ["text/html", "text/plain"])
async def test_an_sse_family_given_something_else_says_what_came(family: str, kind: str) -> None:
    make = FAMILIES[family][0]
    server = Server((200, PAGE, kind))
    [error] = await collect(make(server.client()))
    assert isinstance(error, ErrorPart) and isinstance(error.error, ProviderError)
    provider = error.error.provider
    assert provider and str(error.error).startswith(f"{provider}: expected ")
    assert f"got {kind}: " in str(error.error) and "Sign in to continue" in str(error.error)
    assert not error.error.retryable and server.requests == 1


async def test_a_stream_labelled_in_capitals_is_still_a_stream_cut_short() -> None:
    make, body, _ = FAMILIES["openai"]
    server = Server((200, body[: body.index(b"\n\n") + 2], "Text/Event-Stream; charset=UTF-8"))
    [*_, error] = await collect(make(server.client()))
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "ended before [DONE]" in str(error.error) and error.error.retryable
