"""reverie.fallback: an Anthropic model in a 529 storm hands the call to an OpenAI model,
through Agent.run and Agent.stream; history written by one family stays valid for the other."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

import reverie
from reverie import (
    Agent,
    ContextOverflowError,
    ErrorPart,
    FallbackModel,
    ProviderError,
    RetryPolicy,
    StreamPart,
    TextDelta,
    TextStart,
    user_message,
)
from reverie.providers.anthropic import Anthropic
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.testing.fake import ScriptedModel, reply

OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
CLAUDE_TOOL_USE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "I should add.", "signature": "SIG-claude"},
        {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}},
    ],
    "stop_reason": "tool_use",
    "usage": {"input_tokens": 10, "output_tokens": 5},
}
GPT_ANSWER = {
    "id": "chatcmpl-1",
    "model": "gpt-4o-2024-08-06",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "3"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 20, "completion_tokens": 1, "total_tokens": 21},
}
GPT_STREAM = (
    b'data: {"id":"c1","model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":'
    b'{"role":"assistant","content":"3"}}]}\n\n'
    b'data: {"id":"c1","model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},'
    b'"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


class Server:
    """A fake provider endpoint: answers from a queue (the last answer repeats), records
    request bodies."""

    def __init__(self, *answers: tuple[int, Any]) -> None:
        self.answers = list(answers)
        self.bodies: list[dict[str, Any]] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(json.loads(request.content))
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(body, bytes):
            return httpx2.Response(
                status, content=body, headers={"content-type": "text/event-stream"}
            )
        return httpx2.Response(status, json=body)

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))


def retry(slept: list[float]) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return RetryPolicy(max_retries=2, sleep=sleep)


def models(claude: Server, gpt: Server, slept: list[float]) -> FallbackModel:
    return reverie.fallback(
        Anthropic(api_key="k", client=claude.client(), retry=retry(slept)).model(
            "claude-sonnet-4-5"
        ),
        OpenAI(api_key="k", client=gpt.client(), retry=retry(slept)).model("gpt-4o"),
    )


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


async def test_a_529_storm_falls_back_after_the_first_providers_retries() -> None:
    claude, gpt = Server((529, OVERLOADED)), Server((200, GPT_ANSWER))
    slept: list[float] = []
    result = await Agent(models(claude, gpt, slept)).run("1 + 2?")
    assert result.text == "3"
    assert len(claude.bodies) == 3 and slept == [0.5, 1.0]  # Anthropic's own retries first
    assert len(gpt.bodies) == 1
    step = result.steps[0]
    assert step.model == "fallback:anthropic:claude-sonnet-4-5,openai:gpt-4o"
    assert step.model_id == "gpt-4o-2024-08-06"
    fell = step.provider_metadata["fallback"]
    assert fell["model"] == "openai:gpt-4o"
    assert len(fell["failed"]) == 1
    assert fell["failed"][0].startswith("anthropic:claude-sonnet-4-5: OverloadedError:")
    assert "Overloaded" in fell["failed"][0]
    assert [w.message.split(" after:")[0] for w in step.warnings] == ["answered by openai:gpt-4o"]


async def test_a_529_storm_falls_back_in_a_stream() -> None:
    claude, gpt = Server((529, OVERLOADED)), Server((200, GPT_STREAM))
    slept: list[float] = []
    stream = Agent(models(claude, gpt, slept)).stream("1 + 2?")
    deltas = [e.delta async for e in stream if isinstance(e, TextDelta)]
    assert deltas == ["3"]
    assert len(claude.bodies) == 3 and gpt.bodies[0]["stream"] is True
    step = stream.result.steps[0]
    assert step.model_id == "gpt-4o-2024-08-06"
    assert step.provider_metadata["fallback"]["model"] == "openai:gpt-4o"


async def test_history_from_one_family_stays_valid_for_the_next() -> None:
    # Step 1 on Claude (thinking with its signature, a tool call); step 2 Claude is
    # overloaded and GPT continues the same conversation.
    claude = Server((200, CLAUDE_TOOL_USE), (529, OVERLOADED))
    gpt = Server((200, GPT_ANSWER))
    slept: list[float] = []
    result = await Agent(models(claude, gpt, slept), tools=[add]).run("1 + 2?")
    assert result.text == "3"
    assert [s.provider_metadata["fallback"]["model"] for s in result.steps] == [
        "anthropic:claude-sonnet-4-5",
        "openai:gpt-4o",
    ]
    body = gpt.bodies[0]
    assert body["model"] == "gpt-4o"
    assert body["messages"] == [
        {"role": "user", "content": "1 + 2?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "3"},
    ]
    # Claude's thinking and its signature are Anthropic's own: Claude got them back on its
    # second attempt, OpenAI never sees them.
    assert claude.bodies[1]["messages"][1]["content"][0]["signature"] == "SIG-claude"
    assert "SIG-claude" not in json.dumps(body)


async def test_an_error_that_is_not_passing_is_raised_without_falling_back() -> None:
    bad = {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}
    claude, gpt = Server((400, bad)), Server((200, GPT_ANSWER))
    with pytest.raises(ProviderError) as info:
        await Agent(models(claude, gpt, [])).run("hi")
    assert info.value.status == 400
    assert gpt.bodies == []


async def test_when_every_model_fails_the_last_error_is_raised_with_the_others_noted() -> None:
    claude, gpt = Server((529, OVERLOADED)), Server((503, {"error": {"message": "down"}}))
    with pytest.raises(ProviderError) as info:
        await models(claude, gpt, []).generate(Call(prompt=[user_message("hi")]))
    assert info.value.status == 503
    notes = info.value.__notes__
    assert len(notes) == 1 and notes[0].startswith(
        "reverie.fallback: tried first anthropic:claude-sonnet-4-5: OverloadedError"
    )


class Custom(Exception):
    pass


@pytest.mark.parametrize(
    "on", [ContextOverflowError, (Custom, ContextOverflowError), lambda e: "too long" in str(e)]
)
async def test_configured_errors_fall_back_too(on: Any) -> None:
    first = ScriptedModel([ContextOverflowError("prompt too long")], provider="small")
    second = ScriptedModel([reply("fits")], provider="large")
    model = reverie.fallback(first, second, on=on)
    result = await Agent(model).run("a long prompt")
    assert result.text == "fits"
    assert result.steps[0].provider_metadata["fallback"]["model"] == "large:script"


async def test_unconfigured_errors_do_not_fall_back() -> None:
    first = ScriptedModel([Custom("no")])
    with pytest.raises(Custom):
        await reverie.fallback(first, ScriptedModel([reply("x")]), on=KeyError).generate(
            Call(prompt=[user_message("hi")])
        )


class BreaksMidStream:
    """Streams a part, then fails with a retryable error."""

    provider = "broken"
    model_id = "m"

    async def generate(self, call: Call) -> reverie.Response:
        raise AssertionError("not used")

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        yield TextStart("t")
        yield TextDelta("t", "half")
        yield ErrorPart(ProviderError("overloaded", status=529, retryable=True))


async def test_a_stream_does_not_fall_back_after_its_first_part() -> None:
    second = ScriptedModel([reply("whole")])
    model = reverie.fallback(BreaksMidStream(), second)
    parts = [p async for p in model.stream(Call(prompt=[user_message("hi")]))]
    assert [type(p).__name__ for p in parts] == ["TextStart", "TextDelta", "ErrorPart"]
    assert second.calls == []


async def test_a_stream_falls_back_before_its_first_part() -> None:
    first = ScriptedModel([ProviderError("overloaded", status=529, retryable=True)])
    second = ScriptedModel([reply("whole")], provider="other")
    model = reverie.fallback(first, second)
    parts = [p async for p in model.stream(Call(prompt=[user_message("hi")]))]
    assert first.closed_streams == 1  # the failed stream was closed
    finish = parts[-1]
    assert isinstance(finish, reverie.Finish)
    assert finish.provider_metadata["fallback"]["model"] == "other:script"
    assert finish.model_id == "script"


def test_construction_is_checked() -> None:
    with pytest.raises(reverie.ConfigurationError, match="at least one model"):
        reverie.fallback()
    with pytest.raises(TypeError, match="fallback model 2 must be"):
        reverie.fallback(ScriptedModel([]), 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on must be an exception type"):
        reverie.fallback(ScriptedModel([]), on="ProviderError")  # type: ignore[arg-type]
    model = reverie.fallback(ScriptedModel([]), ScriptedModel([], provider="b"))
    assert repr(model) == "FallbackModel(scripted:script,b:script)"


async def test_the_record_of_who_answered_survives_a_saved_result() -> None:
    first = ScriptedModel([ProviderError("overloaded", status=529, retryable=True)], provider="a")
    result = await Agent(reverie.fallback(first, ScriptedModel([reply("hi")], provider="b"))).run(
        "go"
    )
    step = reverie.load_result(reverie.dump_result(result)).steps[0]
    assert step.model == "fallback:a:script,b:script"
    assert step.provider_metadata["fallback"] == {
        "model": "b:script",
        "failed": ["a:script: ProviderError: overloaded"],
    }
    assert (
        step.warnings[0].message
        == "answered by b:script after: a:script: ProviderError: overloaded"
    )
