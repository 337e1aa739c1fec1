"""OpenRouter: usage/cost, routing options, and reasoning details read and replayed."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FakeServer

from reverie import Settings
from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning
from reverie.conversation import to_messages
from reverie.messages import system_message, user_message
from reverie.model import Response, ToolCall
from reverie.providers.kit import Call
from reverie.providers.openrouter import OpenRouter

HELLO = Call(prompt=[system_message("Be brief"), user_message("Say hi")])
OK = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}


def router(server: FakeServer, model: str = "moonshotai/kimi-k2.5") -> Any:
    return OpenRouter(api_key="k", client=server.client()).model(model)


def answer(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "provider": "xAI",
        "model": "x",
        "choices": [{"message": {"role": "assistant", **message}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10, "cost": 0.25},
    }


async def replayed(server: FakeServer, model: Any, response: Response) -> dict[str, Any]:
    """The assistant message sent back on the next request."""
    await model.generate(Call(prompt=[*HELLO.prompt, *to_messages(response.content, [])]))
    message: dict[str, Any] = server.requests[-1]["messages"][-1]
    return message


@pytest.mark.parametrize(
    ("model", "key"),
    [("openai/gpt-5.4-nano", "max_completion_tokens"), ("x-ai/grok-4.1-fast", "max_tokens")],
)
async def test_every_request_includes_usage_and_the_right_limit(model: str, key: str) -> None:
    server = FakeServer().json(OK)
    call = Call(
        prompt=HELLO.prompt,
        settings=Settings(max_output_tokens=100),
        provider_options={
            "openrouter": {"reasoning": {"effort": "medium"}, "provider": {"order": ["a"]}},
            "openai": {"reasoning_effort": "high"},  # another namespace: ignored
        },
    )
    response = await router(server, model).generate(call)
    body = server.requests[0]
    assert body["usage"] == {"include": True}
    assert body[key] == 100
    assert body["reasoning"] == {"effort": "medium"}
    assert body["provider"] == {"order": ["a"]}
    assert "reasoning_effort" not in body
    assert response.warnings == []


async def test_cost_and_upstream_provider_are_reported() -> None:
    server = FakeServer().json(answer({"content": "hi"}))
    response = await router(server).generate(HELLO)
    assert response.usage.cost == 0.25
    assert response.provider_metadata == {"openrouter": {"provider": "xAI"}}


async def test_summary_then_encrypted_replays_one_plain_detail_without_text() -> None:
    server = (
        FakeServer()
        .json(
            answer(
                {
                    "content": "Oi",
                    "reasoning": "Summary here",
                    "reasoning_details": [
                        {
                            "type": "reasoning.summary",
                            "summary": "Summary here",
                            "format": "xai-responses-v1",
                            "index": 0,
                        },
                        {
                            "type": "reasoning.encrypted",
                            "data": "ENC",
                            "id": "rs_1",
                            "format": "xai-responses-v1",
                            "index": 1,
                        },
                    ],
                }
            )
        )
        .json(OK)
    )
    model = router(server)
    response = await model.generate(HELLO)
    reasoning = [c for c in response.content if isinstance(c, Reasoning)]
    assert [r.text for r in reasoning] == ["Summary here"]
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == [
        {"type": "reasoning.text", "format": "unknown", "index": 0}
    ]
    assert "reasoning" not in message


async def test_gemini_encrypted_reasoning_is_replayed_unchanged() -> None:
    detail = {
        "type": "reasoning.encrypted",
        "data": "EjQK",
        "format": "google-gemini-v1",
        "id": "tool_weather_1",
        "index": 0,
    }
    server = FakeServer().json(answer({"content": "x", "reasoning_details": [detail]})).json(OK)
    model = router(server, "google/gemini-3.1-flash-lite-preview")
    response = await model.generate(HELLO)
    assert (await replayed(server, model, response))["reasoning_details"] == [detail]


async def test_generic_reasoning_text_is_replayed_whole_when_not_streamed() -> None:
    detail = {"type": "reasoning.text", "text": "Let me think.", "format": "unknown", "index": 0}
    server = FakeServer().json(answer({"content": "x", "reasoning_details": [detail]})).json(OK)
    model = router(server)
    response = await model.generate(HELLO)
    assert (await replayed(server, model, response))["reasoning_details"] == [detail]


async def fold(model: Any, call: Call) -> Response:
    accumulator = StreamAccumulator()
    async for part in model.stream(call):
        accumulator.add(part)
    return accumulator.response()


async def test_streamed_generic_reasoning_shows_all_text_but_replays_without_first_delta() -> None:
    server = FakeServer(chunk_size=9).sse("openrouter_generic_reasoning.chunks.txt").json(OK)
    model = router(server)
    response = await fold(model, HELLO)
    assert [c.type for c in response.content] == ["reasoning", "text"]
    assert response.content[0].text == " The user asks."  # type: ignore[union-attr]
    assert response.usage.cost == 0.00002 and response.usage.reasoning_tokens == 8
    assert response.provider_metadata == {"openrouter": {"provider": "Chutes"}}
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == [
        {"type": "reasoning.text", "text": " user asks.", "format": "unknown", "index": 0}
    ]


async def test_streamed_anthropic_reasoning_keeps_its_signature() -> None:
    server = FakeServer(chunk_size=11).sse("openrouter_anthropic_reasoning.chunks.txt").json(OK)
    model = router(server, "anthropic/claude-haiku-4.5")
    response = await fold(model, HELLO)
    reasoning = response.content[0]
    assert isinstance(reasoning, Reasoning)
    assert reasoning.text == "Need the weather tool."
    assert reasoning.provider_metadata["anthropic"] == {"signature": "SIG123"}
    assert isinstance(response.content[1], ToolCall)
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "Need the weather tool.",
            "signature": "SIG123",
            "format": "anthropic-claude-v1",
            "index": 0,
        }
    ]
    assert message["reasoning"] == "Need the weather tool."
    assert message["tool_calls"][0]["id"] == "toolu_1"


async def test_every_typed_option_is_sent_and_an_unknown_one_is_warned_about() -> None:
    from reverie.providers.openrouter import OpenRouterOptions

    options: OpenRouterOptions = {
        "reasoning": {"max_tokens": 500},
        "provider": {"order": ["a"], "allow_fallbacks": False},
        "models": ["x/y"],
        "route": "fallback",
        "transforms": ["middle-out"],
        "plugins": [{"id": "web"}],
        "top_a": 0.1,
        "min_p": 0.2,
        "repetition_penalty": 1.1,
        "parallel_tool_calls": False,
        "user": "u",
    }
    server = FakeServer().json(OK)
    response = await router(server).generate(
        Call(prompt=HELLO.prompt, provider_options={"openrouter": {**options, "gateway": {}}})
    )
    body = server.requests[0]
    assert {key: body[key] for key in options} == options
    assert "gateway" not in body
    assert [w.setting for w in response.warnings] == ["openrouter.gateway"]


async def test_reasoning_metadata_of_another_namespace_is_not_replayed() -> None:
    """A history read through Vercel's gateway keeps its detail under ``vercel``: OpenRouter
    sends it no reasoning_details."""
    from reverie.messages import Message, ReasoningPart

    detail = {"type": "reasoning.text", "text": "t", "format": "unknown", "index": 0}
    part = ReasoningPart(text="t", provider_options={"vercel": {"reasoning_detail": detail}})
    server = FakeServer().json(OK)
    prompt = [*HELLO.prompt, Message(role="assistant", content=(part,))]
    response = await router(server).generate(Call(prompt=prompt))
    # The turn has nothing else to send: chat refuses an empty assistant message.
    assert [m["role"] for m in server.requests[0]["messages"]] == ["system", "user"]
    assert [w.setting for w in response.warnings] == ["foreign_reasoning"]
