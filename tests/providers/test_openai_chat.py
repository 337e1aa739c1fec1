"""OpenAI chat completions: request bodies, non-streaming parsing and stream framing."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FakeServer

from reverie import Settings
from reverie.accumulate import StreamAccumulator
from reverie.content import Text, ToolCall
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.retry import NO_RETRY
from reverie.messages import (
    FilePart,
    MediaOutput,
    Message,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import (
    ErrorPart,
    Finish,
    FunctionTool,
    StreamPart,
    TextDelta,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_compat import OpenAICompatible

SECRET = "sk-test-secret-value"
HELLO = Call(prompt=[system_message("Be brief"), user_message("Say hi")])


def openai(server: FakeServer, model: str = "gpt-4o") -> Any:
    return OpenAI(api_key=SECRET, client=server.client(), retry=NO_RETRY).model(model)


async def collect(model: Any, call: Call) -> list[StreamPart]:
    return [part async for part in model.stream(call)]


def kinds(parts: list[StreamPart]) -> list[str]:
    return [p.type for p in parts]


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 4096])
async def test_text_stream_is_framed_and_folds_to_a_response(chunk_size: int) -> None:
    server = FakeServer(chunk_size=chunk_size).sse("text.chunks.txt")
    parts = await collect(openai(server), HELLO)
    assert kinds(parts) == [
        "text-start",
        "text-delta",
        "text-delta",
        "text-delta",
        "text-end",
        "finish",
    ]
    assert "".join(p.delta for p in parts if isinstance(p, TextDelta)) == "Olá! Tudo bem?"
    finish = parts[-1]
    assert isinstance(finish, Finish)
    assert finish.finish_reason == FinishReason.STOP
    assert finish.usage.input_tokens == 20
    assert finish.usage.cache_read_tokens == 4
    assert finish.usage.total_tokens == 26
    assert finish.model_id == "gpt-4o-2024-08-06"
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    assert accumulator.response().text == "Olá! Tudo bem?"
    assert server.closed == 1


async def test_stream_request_asks_for_usage_and_streams() -> None:
    server = FakeServer().sse("text.chunks.txt")
    await collect(openai(server), HELLO)
    body = server.requests[0]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [
        {"role": "system", "content": "Be brief"},
        {"role": "user", "content": "Say hi"},
    ]


async def test_interleaved_tool_calls_are_assembled_in_index_order() -> None:
    server = FakeServer(chunk_size=5).sse("tool_calls.chunks.txt")
    parts = await collect(openai(server), HELLO)
    assert kinds(parts) == [
        "tool-input-start",
        "tool-input-delta",
        "tool-input-start",
        "tool-input-delta",
        "tool-input-delta",
        "tool-input-delta",
        "tool-input-end",
        "tool-call",
        "tool-input-end",
        "tool-call",
        "finish",
    ]
    starts = [p for p in parts if isinstance(p, ToolInputStart)]
    assert [(s.id, s.tool_name) for s in starts] == [("call_add", "add"), ("call_mul", "multiply")]
    calls = [p for p in parts if isinstance(p, ToolCall)]
    assert [(c.tool_call_id, c.tool_name, c.input) for c in calls] == [
        ("call_add", "add", '{"a": 2, "b": 3}'),
        ("call_mul", "multiply", '{"a": 2, "b": 3}'),
    ]
    deltas = "".join(p.delta for p in parts if isinstance(p, ToolInputDelta) and p.id == "call_add")
    assert deltas == '{"a": 2, "b": 3}'
    assert all(isinstance(p, ToolInputEnd) for p in parts if p.type == "tool-input-end")
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.TOOL_CALLS


async def test_a_stream_without_done_is_an_error_not_a_success() -> None:
    server = FakeServer().sse("truncated.chunks.txt")
    parts = await collect(openai(server), HELLO)
    assert kinds(parts)[:3] == ["text-start", "text-delta", "text-delta"]
    assert isinstance(parts[-1], ErrorPart)
    assert isinstance(parts[-1].error, StreamError)
    assert "[DONE]" in str(parts[-1].error)
    assert not any(isinstance(p, Finish) for p in parts)
    assert server.closed == 1


async def test_in_band_error_event_ends_the_stream_with_the_error() -> None:
    server = FakeServer().sse("error_event.chunks.txt")
    parts = await collect(openai(server), HELLO)
    assert isinstance(parts[-1], ErrorPart)
    assert "Upstream overloaded" in str(parts[-1].error)
    assert sum(isinstance(p, ErrorPart | Finish) for p in parts) == 1


async def test_http_error_in_stream_is_one_error_part_without_the_key() -> None:
    server = FakeServer()
    server.answers.append((429, b'{"error":{"message":"Rate limit reached"}}', "application/json"))
    parts = await collect(openai(server), HELLO)
    assert len(parts) == 1 and isinstance(parts[0], ErrorPart)
    error = parts[0].error
    assert isinstance(error, ProviderError)
    assert error.status == 429 and error.retryable
    assert "Rate limit reached" in str(error)
    assert SECRET not in str(error) and SECRET not in (error.body or "")


async def test_generate_raises_provider_error_without_the_key() -> None:
    server = FakeServer().json({"error": {"message": "Incorrect API key provided"}}, status=401)
    with pytest.raises(ProviderError) as info:
        await openai(server).generate(HELLO)
    assert info.value.status == 401 and not info.value.retryable
    assert SECRET not in str(info.value)
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"


async def test_breaking_out_of_a_stream_closes_the_response() -> None:
    server = FakeServer(chunk_size=16).sse("text.chunks.txt")
    stream = openai(server).stream(HELLO)
    async for part in stream:
        if isinstance(part, TextStart):
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert server.closed == 1


async def test_generate_parses_text_tool_calls_usage() -> None:
    server = FakeServer().json(
        {
            "model": "gpt-4o-2024-08-06",
            "choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": "Checking.",
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "weather", "arguments": '{"location":"x"}'},
                            }
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 3,
                "total_tokens": 13,
                "completion_tokens_details": {"reasoning_tokens": 2},
            },
        }
    )
    response = await openai(server).generate(HELLO)
    assert response.content == [
        Text(text="Checking."),
        ToolCall(tool_call_id="call_1", tool_name="weather", input='{"location":"x"}'),
    ]
    assert response.finish_reason == FinishReason.TOOL_CALLS
    assert response.usage.reasoning_tokens == 2
    # OpenAI reports no cost: it is reverie's estimate from the price table
    assert response.usage.cost_source == "estimate" and response.usage.cost
    assert "stream" not in server.requests[0]


OK = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("gpt-4o", "max_tokens"),
        ("gpt-4o-mini", "max_tokens"),
        ("gpt-5", "max_completion_tokens"),
        ("o4-mini", "max_completion_tokens"),
        ("gpt-5-chat-latest", "max_tokens"),
    ],
)
async def test_output_limit_field_depends_on_the_model(model: str, key: str) -> None:
    server = FakeServer().json(OK)
    call = Call(prompt=HELLO.prompt, settings=Settings(max_output_tokens=4000))
    await openai(server, model).generate(call)
    body = server.requests[0]
    assert body[key] == 4000
    assert {"max_tokens", "max_completion_tokens"} - {key} - set(body) == {
        "max_tokens",
        "max_completion_tokens",
    } - {key}


async def test_settings_a_model_cannot_take_become_warnings() -> None:
    server = FakeServer().json(OK)
    call = Call(
        prompt=HELLO.prompt,
        settings=Settings(temperature=0.2, top_k=5, seed=7, stop_sequences=("END",)),
        provider_options={"openai": {"reasoning_effort": "low", "bogus": 1}},
    )
    response = await openai(server, "o4-mini").generate(call)
    body = server.requests[0]
    assert "temperature" not in body and "top_k" not in body
    assert body["seed"] == 7 and body["stop"] == ["END"]
    assert body["reasoning_effort"] == "low" and "bogus" not in body
    assert sorted(w.setting or "" for w in response.warnings) == [
        "openai.bogus",
        "temperature",
        "top_k",
    ]


async def test_tools_and_tool_choice_on_the_wire() -> None:
    server = FakeServer().json(OK).json(OK)
    tool = FunctionTool(
        name="weather",
        description="Get weather",
        input_schema={"type": "object", "properties": {}},
    )
    model = openai(server)
    await model.generate(Call(prompt=HELLO.prompt, tools=[tool]))
    await model.generate(Call(prompt=HELLO.prompt, tools=[tool], tool_choice="weather"))
    assert server.requests[0]["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "weather",
                "description": "Get weather",
                "parameters": {"type": "object", "properties": {}},
                "strict": False,
            },
        }
    ]
    assert server.requests[0]["tool_choice"] == "auto"
    assert server.requests[1]["tool_choice"] == {
        "type": "function",
        "function": {"name": "weather"},
    }


async def test_history_images_and_tool_results_on_the_wire() -> None:
    server = FakeServer().json(OK)
    prompt = [
        user_message("Look", [FilePart(data=b"\x89PNG", media_type="image/png")]),
        Message(
            role="assistant",
            content=(ToolCallPart(tool_call_id="c1", tool_name="shot", input="{}"),),
        ),
        Message(
            role="tool",
            content=(
                ToolResultPart(
                    tool_call_id="c1",
                    tool_name="shot",
                    output=MediaOutput(data="aGk=", media_type="image/png"),
                ),
            ),
        ),
    ]
    response = await openai(server).generate(Call(prompt=prompt))
    messages = server.requests[0]["messages"]
    assert messages[0]["content"] == [
        {"type": "text", "text": "Look"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw=="}},
    ]
    assert "content" not in messages[1]
    assert messages[2]["role"] == "tool" and messages[2]["tool_call_id"] == "c1"
    # The tool's image follows in a user message: tool messages take text only.
    assert messages[3]["role"] == "user"
    assert messages[3]["content"][1]["image_url"]["url"] == "data:image/png;base64,aGk="
    assert response.warnings == []


async def test_compat_reads_and_replays_reasoning_content() -> None:
    server = FakeServer().sse("compat_reasoning.chunks.txt").json(OK)
    model = OpenAICompatible(base_url="http://localhost:1/v1", client=server.client()).model("ds")
    parts = await collect(model, HELLO)
    assert kinds(parts) == [
        "reasoning-start",
        "reasoning-delta",
        "reasoning-delta",
        "reasoning-end",
        "text-start",
        "text-delta",
        "text-end",
        "finish",
    ]
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    response = accumulator.response()
    assert response.finish_reason == FinishReason.LENGTH
    assert [c.type for c in response.content] == ["reasoning", "text"]
    from reverie.conversation import to_messages

    history = [*HELLO.prompt, *to_messages(response.content, [])]
    await model.generate(Call(prompt=history))
    assistant = server.requests[1]["messages"][-1]
    assert assistant == {"role": "assistant", "content": "Answer", "reasoning_content": "Thinking."}
    assert "authorization" not in server.headers[0]


async def test_compat_extra_body_is_merged() -> None:
    server = FakeServer().json(OK)
    model = OpenAICompatible(base_url="http://h/v1", client=server.client()).model("m")
    call = Call(
        prompt=HELLO.prompt,
        provider_options={"openai-compat": {"extra_body": {"top_k": 20, "chat_template": "x"}}},
    )
    await model.generate(call)
    assert server.requests[0]["top_k"] == 20 and server.requests[0]["chat_template"] == "x"
