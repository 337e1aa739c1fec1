"""Vercel AI Gateway: request bodies, options mapping, reasoning read, streamed and replayed
with Anthropic signatures, usage, and the key from the environment.

There are no recordings of the gateway; the fixtures in fixtures/vercel follow its documented
OpenAI-compatible shape (``reasoning`` plus ``reasoning_details``, as OpenRouter sends them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx2
import pytest
from conftest import FakeServer

import reverie
from reverie import Agent, Settings, tool
from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning, Text, ToolCall
from reverie.conversation import to_messages
from reverie.errors import ConfigurationError
from reverie.http.retry import NO_RETRY
from reverie.messages import system_message, user_message
from reverie.model import Response
from reverie.providers.kit import Call
from reverie.providers.vercel import Vercel, VercelOptions

FIXTURES = Path(__file__).parent / "fixtures" / "vercel"
HELLO = Call(prompt=[system_message("Be brief"), user_message("Say hi")])
OK = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
SIGNATURE = "ErUBCkYIBxgCKkD"
SIGNED_DETAIL = {
    "type": "reasoning.text",
    "text": "The user wants the weather.",
    "signature": SIGNATURE,
    "format": "anthropic-claude-v1",
    "index": 0,
}


def gateway(server: FakeServer, model: str = "anthropic/claude-sonnet-4") -> Any:
    return Vercel(api_key="vk-secret", client=server.client(), retry=NO_RETRY).model(model)


def sse(server: FakeServer, name: str) -> FakeServer:
    lines = (FIXTURES / name).read_text().splitlines()
    body = "".join(line + "\n\n" for line in lines if line).encode()
    server.answers.append((200, body, "text/event-stream"))
    return server


def fixture_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


async def fold(model: Any, call: Call) -> Response:
    accumulator = StreamAccumulator()
    async for part in model.stream(call):
        accumulator.add(part)
    return accumulator.response()


async def replayed(server: FakeServer, model: Any, response: Response) -> dict[str, Any]:
    """The assistant message sent back on the next request."""
    await model.generate(Call(prompt=[*HELLO.prompt, *to_messages(response.content, [])]))
    message: dict[str, Any] = server.requests[-1]["messages"][-1]
    return message


# ---- requests -----------------------------------------------------------------------------


async def test_request_goes_to_the_gateway_with_the_plain_chat_body() -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=OK)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
    model = Vercel(api_key="vk-secret", client=client).model("anthropic/claude-sonnet-4")
    response = await model.generate(
        Call(prompt=HELLO.prompt, settings=Settings(max_output_tokens=300, temperature=0.2))
    )
    assert str(seen[0].url) == "https://ai-gateway.vercel.sh/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer vk-secret"
    assert json.loads(seen[0].content) == {
        "model": "anthropic/claude-sonnet-4",
        "messages": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": "Say hi"},
        ],
        "max_tokens": 300,
        "temperature": 0.2,
    }
    assert response.warnings == []
    assert "vk-secret" not in repr(model)


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("openai/gpt-5", "max_completion_tokens"),
        ("openai/gpt-4o", "max_completion_tokens"),
        ("openai/o3", "max_completion_tokens"),
        ("anthropic/claude-sonnet-4", "max_tokens"),
        ("google/gemini-2.5-flash", "max_tokens"),
    ],
)
async def test_output_limit_field_depends_on_the_model(model: str, key: str) -> None:
    server = FakeServer().json(OK)
    await gateway(server, model).generate(
        Call(prompt=HELLO.prompt, settings=Settings(max_output_tokens=100))
    )
    body = server.requests[0]
    assert body[key] == 100
    other = {"max_tokens", "max_completion_tokens"} - {key}
    assert not other & body.keys()


async def test_streaming_request_asks_for_usage() -> None:
    server = sse(FakeServer(), "gpt5_text.chunks.txt")
    await fold(gateway(server, "openai/gpt-5"), HELLO)
    body = server.requests[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "usage" not in body  # OpenRouter's usage.include is not a gateway field


# ---- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reasoning",
    [
        {"enabled": True},
        {"effort": "high"},
        {"enabled": True, "max_tokens": 2000, "exclude": False},
    ],
)
async def test_reasoning_is_sent_as_the_top_level_reasoning_object(
    reasoning: dict[str, Any],
) -> None:
    server = FakeServer().json(OK)
    await gateway(server).generate(
        Call(prompt=HELLO.prompt, provider_options={"vercel": {"reasoning": reasoning}})
    )
    assert server.requests[0]["reasoning"] == reasoning


async def test_reasoning_max_tokens_and_effort_together_are_refused() -> None:
    server = FakeServer().json(OK)
    options = {"vercel": {"reasoning": {"effort": "low", "max_tokens": 1000}}}
    with pytest.raises(ConfigurationError, match="max_tokens or effort, not both"):
        await gateway(server).generate(Call(prompt=HELLO.prompt, provider_options=options))
    with pytest.raises(ConfigurationError, match="max_tokens or effort, not both"):
        gateway(server).stream(Call(prompt=HELLO.prompt, provider_options=options))
    assert server.requests == []


async def test_gateway_routing_and_byok_go_to_provider_options_gateway() -> None:
    server = FakeServer().json(OK)
    options: VercelOptions = {
        "gateway": {
            "order": ["bedrock", "anthropic"],
            "only": ["bedrock", "anthropic", "vertex"],
            "models": ["openai/gpt-5", "google/gemini-2.5-flash"],
            "byok": {"anthropic": [{"apiKey": "sk-ant-own"}]},
        },
        "reasoning": {"enabled": True},
        "user": "u-1",
        "parallel_tool_calls": False,
    }
    response = await gateway(server).generate(
        Call(
            prompt=HELLO.prompt,
            provider_options={"vercel": dict(options), "openrouter": {"provider": {"x": 1}}},
        )
    )
    body = server.requests[0]
    assert body["providerOptions"] == {
        "gateway": {
            "order": ["bedrock", "anthropic"],
            "only": ["bedrock", "anthropic", "vertex"],
            "models": ["openai/gpt-5", "google/gemini-2.5-flash"],
            "byok": {"anthropic": [{"apiKey": "sk-ant-own"}]},
        }
    }
    assert body["reasoning"] == {"enabled": True}
    assert body["user"] == "u-1" and body["parallel_tool_calls"] is False
    assert "provider" not in body and "gateway" not in body  # other namespaces: ignored
    assert response.warnings == []


async def test_an_unknown_option_is_not_sent_and_is_warned_about() -> None:
    server = FakeServer().json(OK)
    response = await gateway(server).generate(
        Call(prompt=HELLO.prompt, provider_options={"vercel": {"route": "fallback", "user": "u"}})
    )
    body = server.requests[0]
    assert "route" not in body and body["user"] == "u"
    assert [(w.kind, w.setting) for w in response.warnings] == [
        ("unsupported-setting", "vercel.route")
    ]


async def test_gateway_options_that_are_not_a_table_are_refused() -> None:
    server = FakeServer().json(OK)
    with pytest.raises(ConfigurationError, match=r"vercel\.gateway"):
        await gateway(server).generate(
            Call(prompt=HELLO.prompt, provider_options={"vercel": {"gateway": ["bedrock"]}})
        )


# ---- key ----------------------------------------------------------------------------------


async def test_key_comes_from_ai_gateway_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_GATEWAY_API_KEY", "vk-from-env")
    server = FakeServer().json(OK)
    model = reverie.provider("vercel", client=server.client()).model("openai/gpt-5")
    await model.generate(HELLO)
    assert server.headers[0]["authorization"] == "Bearer vk-from-env"


def test_a_missing_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_GATEWAY_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="AI_GATEWAY_API_KEY"):
        Vercel()


# ---- reasoning and usage ------------------------------------------------------------------


async def test_message_reasoning_keeps_the_anthropic_signature_and_is_replayed() -> None:
    server = FakeServer().json(fixture_json("anthropic_reasoning.json")).json(OK)
    model = gateway(server)
    response = await model.generate(HELLO)
    reasoning, text, call = response.content
    assert isinstance(reasoning, Reasoning) and isinstance(text, Text)
    assert isinstance(call, ToolCall) and call.tool_call_id == "toolu_02"
    assert reasoning.text == "The user wants the weather."
    assert reasoning.provider_metadata == {
        "vercel": {"reasoning_details": [SIGNED_DETAIL]},
        "anthropic": {"signature": SIGNATURE},
    }
    assert response.usage.reasoning_tokens == 31
    assert response.usage.output_tokens == 96
    message = await replayed(server, model, response)
    assert message == {
        "role": "assistant",
        "content": "Let me check.",
        "tool_calls": [
            {
                "id": "toolu_02",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"location":"Florence, Italy"}'},
            }
        ],
        "reasoning_details": [SIGNED_DETAIL],
        "reasoning": "The user wants the weather.",
    }


@pytest.mark.parametrize("chunk_size", [5, 64, 4096])
async def test_streamed_reasoning_keeps_the_signature_and_is_replayed(chunk_size: int) -> None:
    server = sse(FakeServer(chunk_size=chunk_size), "anthropic_reasoning.chunks.txt").json(OK)
    model = gateway(server)
    response = await fold(model, HELLO)
    assert [c.type for c in response.content] == ["reasoning", "tool-call"]
    reasoning = response.content[0]
    assert isinstance(reasoning, Reasoning)
    assert reasoning.text == "The user wants the weather."
    assert reasoning.provider_metadata["anthropic"] == {"signature": SIGNATURE}
    assert response.usage.reasoning_tokens == 31 and response.usage.input_tokens == 420
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == [SIGNED_DETAIL]
    assert message["reasoning"] == "The user wants the weather."
    assert message["tool_calls"][0]["id"] == "toolu_01"


async def test_streamed_usage_reports_reasoning_tokens_without_reasoning_text() -> None:
    server = sse(FakeServer(), "gpt5_text.chunks.txt")
    response = await fold(gateway(server, "openai/gpt-5"), HELLO)
    assert [c.type for c in response.content] == ["text"]
    assert response.usage.reasoning_tokens == 128
    assert response.usage.total_tokens == 152


async def test_plain_reasoning_text_without_details_is_read() -> None:
    answer = {
        "choices": [
            {
                "message": {"role": "assistant", "content": "hi", "reasoning": "Short."},
                "finish_reason": "stop",
            }
        ]
    }
    server = FakeServer().json(answer)
    response = await gateway(server, "google/gemini-2.5-flash").generate(HELLO)
    reasoning = response.content[0]
    assert isinstance(reasoning, Reasoning) and reasoning.text == "Short."
    assert reasoning.provider_metadata == {
        "vercel": {
            "reasoning_details": [
                {"type": "reasoning.text", "format": "unknown", "index": 0, "text": "Short."}
            ]
        }
    }


def _weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


async def test_agent_sends_the_signed_reasoning_back_on_the_next_step() -> None:
    final = {"choices": [{"message": {"content": "Florence: 40 C"}, "finish_reason": "stop"}]}
    server = sse(FakeServer(), "anthropic_reasoning.chunks.txt")
    server.answers.append((200, b"".join(_sse_lines(final)), "text/event-stream"))
    agent = Agent(
        gateway(server),
        system="You are a helpful assistant",
        tools=[tool(name="weather")(_weather)],
    )
    stream = agent.stream(
        "What's the weather in Florence, Italy?",
        provider_options={"vercel": {"reasoning": {"enabled": True}}},
    )
    async for _ in stream:
        pass
    assert stream.result.text == "Florence: 40 C"
    first, second = server.requests
    assert first["reasoning"] == second["reasoning"] == {"enabled": True}
    assistant, tool_message = second["messages"][2:]
    assert assistant["reasoning_details"] == [SIGNED_DETAIL]
    assert tool_message == {"role": "tool", "tool_call_id": "toolu_01", "content": "40 C"}


def _sse_lines(answer: dict[str, Any]) -> list[bytes]:
    """A non-streamed answer as the two chunks of a stream, then ``[DONE]``."""
    choice = answer["choices"][0]
    chunks = [
        {"choices": [{"index": 0, "delta": choice["message"], "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]},
    ]
    return [f"data: {json.dumps(c)}\n\n".encode() for c in chunks] + [b"data: [DONE]\n\n"]
