"""Errors mean the same thing everywhere: every provider's documented answers for a prompt too
long, a rate limit (or a spent quota), an overload and refused credentials come out as the
same typed errors, on the plain path and the streamed one (HTTP statuses, errors inside a 200
answer, and in-band stream errors alike)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from test_eventstream import encode_frame

import reverie
from reverie.errors import (
    AuthenticationError,
    ContextOverflowError,
    OverloadedError,
    ProviderError,
    RateLimitError,
    StreamError,
)
from reverie.messages import user_message
from reverie.model import ErrorPart
from reverie.providers.anthropic import Anthropic
from reverie.providers.azure import Azure
from reverie.providers.bedrock import Bedrock
from reverie.providers.google import Google
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_compat import OpenAICompatible
from reverie.providers.openrouter import OpenRouter
from reverie.providers.vercel import Vercel
from reverie.providers.vertex import Vertex
from reverie.retry import NO_RETRY

HELLO = Call(prompt=[user_message("hi")])

Answer = tuple[int, bytes, dict[str, str]]


def answer(
    status: int, body: Any, content_type: str = "application/json", **headers: str
) -> Answer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return status, raw, {"content-type": content_type, **headers}


def sse(*events: Any) -> Answer:
    lines = []
    for event in events:
        if isinstance(event, tuple):
            name, data = event
            lines.append(f"event: {name}\ndata: {json.dumps(data)}\n\n")
        else:
            lines.append(f"data: {json.dumps(event)}\n\n")
    return 200, "".join(lines).encode(), {"content-type": "text/event-stream"}


def client(*answers: Answer) -> httpx2.AsyncClient:
    queue = list(answers)

    def handle(request: httpx2.Request) -> httpx2.Response:
        status, body, headers = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx2.Response(status, headers=headers, content=body)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


Make = Callable[[httpx2.AsyncClient], Any]

MODELS: dict[str, Make] = {
    "openai": lambda c: OpenAI(api_key="k", client=c, retry=NO_RETRY).model("gpt-4o"),
    "openai-responses": lambda c: OpenAI(
        api_key="k", api="responses", client=c, retry=NO_RETRY
    ).model("gpt-5"),
    "azure": lambda c: Azure(api_key="k", resource_name="res", client=c, retry=NO_RETRY).model("g"),
    "openrouter": lambda c: OpenRouter(api_key="k", client=c, retry=NO_RETRY).model("a/b"),
    "vercel": lambda c: Vercel(api_key="k", client=c, retry=NO_RETRY).model("a/b"),
    "compat": lambda c: OpenAICompatible(
        base_url="http://localhost:8080/v1", client=c, retry=NO_RETRY
    ).model("local"),
    "anthropic": lambda c: Anthropic(api_key="k", client=c, retry=NO_RETRY).model("claude"),
    "bedrock": lambda c: Bedrock(skip_auth=True, client=c, retry=NO_RETRY).model("anthropic.c"),
    "vertex-claude": lambda c: Vertex(
        project="p", location="us-east5", skip_auth=True, client=c, retry=NO_RETRY
    ).model("claude-sonnet-4-5"),
    "google": lambda c: Google(api_key="k", client=c, retry=NO_RETRY).model("gemini-2.5-flash"),
    "vertex-gemini": lambda c: Vertex(
        project="p", location="us-east5", skip_auth=True, client=c, retry=NO_RETRY
    ).model("gemini-2.5-flash"),
}

OPENAI_LIKE = ("openai", "openai-responses", "azure", "openrouter", "vercel", "compat")
CLAUDE = ("anthropic", "bedrock", "vertex-claude")
GEMINI = ("google", "vertex-gemini")


def openai_error(message: str, kind: str, code: str | int | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def claude_error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def google_error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


OPENAI_OVERFLOW = openai_error(
    "This model's maximum context length is 128000 tokens. However, your messages resulted in "
    "130532 tokens. Please reduce the length of the messages.",
    "invalid_request_error",
    "context_length_exceeded",
)
CLAUDE_OVERFLOW = claude_error(
    "invalid_request_error", "prompt is too long: 208451 tokens > 200000 maximum"
)
GEMINI_OVERFLOW = google_error(
    400,
    "INVALID_ARGUMENT",
    "The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).",
)

# provider → (kind, HTTP answer, expected type, used, max)
CASES: list[tuple[str, str, Answer, type[ProviderError], int | None, int | None]] = []
for name in OPENAI_LIKE:
    CASES += [
        (name, "overflow", answer(400, OPENAI_OVERFLOW), ContextOverflowError, 130532, 128000),
        (
            name,
            "rate limit",
            answer(
                429,
                openai_error("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
                **{"retry-after": "3"},
            ),
            RateLimitError,
            None,
            None,
        ),
        (
            name,
            "auth",
            answer(
                401,
                openai_error(
                    "Incorrect API key provided: sk-***", "invalid_request_error", "invalid_api_key"
                ),
            ),
            AuthenticationError,
            None,
            None,
        ),
        (
            name,
            "overloaded",
            answer(
                503,
                openai_error("The server is overloaded", "server_error", "server_is_overloaded"),
            ),
            OverloadedError,
            None,
            None,
        ),
    ]
for name in CLAUDE:
    CASES += [
        (name, "overflow", answer(400, CLAUDE_OVERFLOW), ContextOverflowError, 208451, 200000),
        (
            name,
            "rate limit",
            answer(429, claude_error("rate_limit_error", "slow down")),
            RateLimitError,
            None,
            None,
        ),
        (
            name,
            "auth",
            answer(401, claude_error("authentication_error", "invalid x-api-key")),
            AuthenticationError,
            None,
            None,
        ),
        (
            name,
            "overloaded",
            answer(529, claude_error("overloaded_error", "Overloaded")),
            OverloadedError,
            None,
            None,
        ),
    ]
for name in GEMINI:
    CASES += [
        (name, "overflow", answer(400, GEMINI_OVERFLOW), ContextOverflowError, 1200293, 1048576),
        (
            name,
            "rate limit",
            answer(429, google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded")),
            RateLimitError,
            None,
            None,
        ),
        (
            name,
            "auth",
            answer(403, google_error(403, "PERMISSION_DENIED", "denied")),
            AuthenticationError,
            None,
            None,
        ),
        (
            name,
            "overloaded",
            answer(503, google_error(503, "UNAVAILABLE", "The model is overloaded.")),
            OverloadedError,
            None,
            None,
        ),
    ]

RETRYABLE = {
    ContextOverflowError: False,
    RateLimitError: True,
    OverloadedError: True,
    AuthenticationError: False,
}


async def plain(make: Make, *answers: Answer) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await make(client(*answers)).generate(HELLO)
    return caught.value


async def streamed(make: Make, *answers: Answer) -> ProviderError:
    parts = [part async for part in make(client(*answers)).stream(HELLO)]
    assert isinstance(parts[-1], ErrorPart) and len(parts) == 1
    error = parts[-1].error
    assert isinstance(error, ProviderError)
    return error


@pytest.mark.parametrize(
    ("provider", "kind", "reply", "expected", "used", "limit"),
    CASES,
    ids=[f"{c[0]}-{c[1]}" for c in CASES],
)
@pytest.mark.parametrize("path", ["plain", "streamed"])
async def test_each_providers_http_answers_are_the_same_typed_errors(
    provider: str,
    kind: str,
    reply: Answer,
    expected: type[ProviderError],
    used: int | None,
    limit: int | None,
    path: str,
) -> None:
    run = plain if path == "plain" else streamed
    error = await run(MODELS[provider], reply)
    assert type(error) is expected, (provider, kind, error)
    assert error.provider and error.status == reply[0]
    assert error.retryable is RETRYABLE[expected]
    if isinstance(error, ContextOverflowError):
        assert (error.used_tokens, error.max_tokens) == (used, limit)
    if "retry-after" in reply[2]:
        assert error.retry_after == 3.0


def test_the_typed_errors_are_exported() -> None:
    for name in (
        "RateLimitError",
        "OverloadedError",
        "AuthenticationError",
        "ContextOverflowError",
    ):
        assert issubclass(getattr(reverie, name), reverie.ProviderError)
        assert name in reverie.__all__


async def test_a_spent_quota_is_a_rate_limit_that_is_not_retried() -> None:
    quota = openai_error(
        "You exceeded your current quota", "insufficient_quota", "insufficient_quota"
    )
    error = await plain(MODELS["openai"], answer(429, quota))
    assert type(error) is RateLimitError and not error.retryable
    credits = {"error": {"code": 402, "message": "Insufficient credits"}}
    error = await plain(MODELS["openrouter"], answer(402, credits))
    assert type(error) is RateLimitError and not error.retryable


async def test_bedrock_errors_named_in_the_aws_header() -> None:
    make = MODELS["bedrock"]
    throttled = answer(
        429,
        {"message": "Too many requests"},
        **{"x-amzn-ErrorType": "ThrottlingException:http://internal"},
    )
    error = await plain(make, throttled)
    assert type(error) is RateLimitError and error.code == "ThrottlingException"
    long = answer(
        400,
        {"message": "Input is too long for requested model."},
        **{"x-amzn-ErrorType": "ValidationException"},
    )
    assert type(await streamed(make, long)) is ContextOverflowError
    denied = answer(
        403,
        {"message": "You don't have access to the model"},
        **{"x-amzn-ErrorType": "AccessDeniedException"},
    )
    assert type(await plain(make, denied)) is AuthenticationError
    down = answer(
        503, {"message": "unavailable"}, **{"x-amzn-ErrorType": "ServiceUnavailableException"}
    )
    assert type(await plain(make, down)) is OverloadedError


async def test_a_gemini_api_key_refused_with_400_is_an_authentication_error() -> None:
    body = google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
    assert type(await plain(MODELS["google"], answer(400, body))) is AuthenticationError


async def test_llama_cpp_servers_overflow_gives_its_counts() -> None:
    body = {
        "error": {
            "code": 400,
            "message": "the request exceeds the available context size, try increasing it",
            "type": "exceed_context_size_error",
            "n_prompt_tokens": 5000,
            "n_ctx": 4096,
        }
    }
    error = await streamed(MODELS["compat"], answer(400, body))
    assert isinstance(error, ContextOverflowError)
    assert (error.used_tokens, error.max_tokens) == (5000, 4096)


# ---- errors inside a 200 answer and inside the stream ------------------------------------------


async def test_errors_in_a_200_answer_are_typed_too() -> None:
    overloaded = google_error(503, "UNAVAILABLE", "The model is overloaded.")
    assert type(await plain(MODELS["google"], answer(200, overloaded))) is OverloadedError
    assert (
        type(await plain(MODELS["anthropic"], answer(200, CLAUDE_OVERFLOW))) is ContextOverflowError
    )
    assert (
        type(
            await plain(
                MODELS["openrouter"],
                answer(200, {"error": {"code": 429, "message": "Rate limited"}}),
            )
        )
        is RateLimitError
    )
    failed = {
        "id": "r",
        "status": "failed",
        "output": [],
        "error": {"code": "rate_limit_exceeded", "message": "slow"},
    }
    error = await plain(MODELS["openai-responses"], answer(200, failed))
    assert type(error) is RateLimitError and error.retryable


IN_STREAM: list[tuple[str, Answer, type[ProviderError]]] = [
    ("anthropic", sse(("error", claude_error("overloaded_error", "Overloaded"))), OverloadedError),
    ("anthropic", sse(("error", claude_error("rate_limit_error", "slow"))), RateLimitError),
    ("anthropic", sse(("error", CLAUDE_OVERFLOW)), ContextOverflowError),
    (
        "vertex-claude",
        sse(("error", claude_error("authentication_error", "no"))),
        AuthenticationError,
    ),
    (
        "openai-responses",
        sse(
            {
                "type": "response.failed",
                "response": {
                    "error": {
                        "code": "context_length_exceeded",
                        "message": "Your input exceeds the context window of this model.",
                    }
                },
            }
        ),
        ContextOverflowError,
    ),
    (
        "openai-responses",
        sse({"type": "error", "code": "rate_limit_exceeded", "message": "slow"}),
        RateLimitError,
    ),
    (
        "openai-responses",
        sse(
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                    "message": "bad key",
                },
            }
        ),
        AuthenticationError,
    ),
    (
        "openrouter",
        sse(
            {
                "error": {"code": 502, "message": "upstream down"},
                "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}],
            }
        ),
        ProviderError,
    ),
    ("openrouter", sse({"error": {"code": 529, "message": "overloaded"}}), OverloadedError),
    (
        "openrouter",
        sse(
            {
                "error": {
                    "code": 400,
                    "message": "This endpoint's maximum context length is 200000 tokens. "
                    "However, you requested about 250000 tokens",
                }
            }
        ),
        ContextOverflowError,
    ),
    ("vercel", sse({"error": {"type": "rate_limit_exceeded", "message": "slow"}}), RateLimitError),
    ("google", sse(google_error(429, "RESOURCE_EXHAUSTED", "quota")), RateLimitError),
    ("vertex-gemini", sse(GEMINI_OVERFLOW), ContextOverflowError),
]


@pytest.mark.parametrize(
    ("provider", "reply", "expected"),
    IN_STREAM,
    ids=[f"{c[0]}-{c[2].__name__}-{i}" for i, c in enumerate(IN_STREAM)],
)
async def test_in_band_stream_errors_are_the_same_typed_errors(
    provider: str, reply: Answer, expected: type[ProviderError]
) -> None:
    error = await streamed(MODELS[provider], reply)
    assert isinstance(error, expected) and isinstance(error, StreamError)
    if expected is not ProviderError:
        assert type(error).__mro__[1] is expected  # the typed error, in its stream variant
        assert error.retryable is RETRYABLE[expected]


def bedrock_exception(name: str, message: str) -> Answer:
    headers = {
        ":message-type": "exception",
        ":exception-type": name,
        ":content-type": "application/json",
    }
    frame = encode_frame(headers, json.dumps({"message": message}).encode())
    return 200, frame, {"content-type": "application/vnd.amazon.eventstream"}


@pytest.mark.parametrize(
    ("name", "message", "expected"),
    [
        ("throttlingException", "Too many tokens, please wait", RateLimitError),
        ("serviceUnavailableException", "unavailable", OverloadedError),
        ("validationException", "Input is too long for requested model.", ContextOverflowError),
    ],
)
async def test_bedrock_exception_frames_are_the_same_typed_errors(
    name: str, message: str, expected: type[ProviderError]
) -> None:
    error = await streamed(MODELS["bedrock"], bedrock_exception(name, message))
    assert isinstance(error, expected) and isinstance(error, StreamError)
    assert error.provider == "bedrock"


async def test_a_claude_event_stream_chunk_carrying_an_error_is_typed() -> None:
    chunk = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
    event = base64.b64encode(json.dumps(claude_error("overloaded_error", "Overloaded")).encode())
    frame = encode_frame(chunk, json.dumps({"bytes": event.decode()}).encode())
    reply = (200, frame, {"content-type": "application/vnd.amazon.eventstream"})
    assert isinstance(await streamed(MODELS["bedrock"], reply), OverloadedError)


@pytest.mark.parametrize("provider", ["openai", "google", "openai-responses", "vercel"])
@pytest.mark.parametrize("path", ["plain", "streamed"])
async def test_fallback_on_context_overflow_moves_on_from_every_family(
    provider: str, path: str
) -> None:
    from reverie import Agent, fallback
    from reverie.testing import ScriptedModel

    overflow = {
        "openai": answer(400, OPENAI_OVERFLOW),
        "openai-responses": answer(400, OPENAI_OVERFLOW),
        "vercel": answer(400, OPENAI_OVERFLOW),
        "google": answer(400, GEMINI_OVERFLOW),
    }[provider]
    from reverie.content import Text
    from reverie.finish_reason import FinishReason
    from reverie.model import Response

    reply = Response(content=[Text(text="from the larger window")], finish_reason=FinishReason.STOP)
    larger = ScriptedModel([reply])
    agent = Agent(fallback(MODELS[provider](client(overflow)), larger, on=ContextOverflowError))
    if path == "plain":
        result = await agent.run("a long prompt")
    else:
        stream = agent.stream("a long prompt")
        async for _ in stream:
            pass
        result = stream.result
    assert result.text == "from the larger window"
    assert "ContextOverflowError" in result.steps[0].provider_metadata["fallback"]["failed"][0]


@pytest.mark.parametrize(
    ("provider", "body", "used", "limit"),
    [
        (
            "anthropic",
            claude_error(
                "invalid_request_error",
                "input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000, "
                "decrease input length or `max_tokens` and try again",
            ),
            197000,
            200000,
        ),
        (
            "openai-responses",
            openai_error(
                "Input tokens exceed the configured limit of 272000 tokens. Your messages "
                "resulted in 300000 tokens. Please reduce the length of the messages.",
                "invalid_request_error",
                "context_length_exceeded",
            ),
            300000,
            272000,
        ),
        (
            "openrouter",
            {
                "error": {
                    "code": 400,
                    "message": "prompt is too long: 210000 tokens > 200000 maximum",
                }
            },
            210000,
            200000,
        ),
    ],
)
async def test_other_documented_overflow_wordings_give_their_counts(
    provider: str, body: dict[str, Any], used: int, limit: int
) -> None:
    error = await plain(MODELS[provider], answer(400, body))
    assert isinstance(error, ContextOverflowError)
    assert (error.used_tokens, error.max_tokens) == (used, limit)


async def test_a_rate_limit_mentioning_tokens_is_not_an_overflow() -> None:
    throttled = answer(
        429,
        openai_error(
            "Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Requested 50000.",
            "tokens",
            "rate_limit_exceeded",
        ),
    )
    assert type(await plain(MODELS["openai"], throttled)) is RateLimitError
