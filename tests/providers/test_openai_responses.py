"""OpenAI Responses API: request bodies, non-streaming parsing and stream framing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pytest
from conftest import FakeServer

from reverie import Agent, Settings
from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning, Source, Text, ToolCall, ToolResult
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.retry import NO_RETRY
from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import (
    ErrorPart,
    Finish,
    FunctionTool,
    ProviderTool,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    ResponseFormat,
    StreamPart,
    TextDelta,
    ToolInputDelta,
    ToolInputStart,
)
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_responses.request import build_body
from reverie.providers.openai_responses.response import parse_response

FIXTURES = Path(__file__).parent / "fixtures" / "openai_responses"
SECRET = "sk-test-secret-value"
HELLO = Call(prompt=[system_message("Be brief"), user_message("Say hi")])
WEATHER = FunctionTool(
    name="weather",
    description="Get weather information for a location",
    input_schema={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "the city"}},
        "required": ["location"],
    },
)
WEB_SEARCH = ProviderTool(id="openai.web_search", name="web_search")


def sse(name: str) -> bytes:
    """A fixture file as an SSE body: ``event:`` lines belong to the ``data:`` line after."""
    out: list[str] = []
    for line in (FIXTURES / name).read_text().splitlines():
        if line.startswith("event:"):
            out.append(line + "\n")
        elif line:
            out.append(line + "\n\n")
    return "".join(out).encode()


def serve(server: FakeServer, name: str) -> FakeServer:
    server.answers.append((200, sse(name), "text/event-stream"))
    return server


def responses(server: FakeServer, model: str = "gpt-4o") -> Any:
    client = server.client()
    return OpenAI(api_key=SECRET, client=client, retry=NO_RETRY, api="responses").model(model)


async def collect(model: Any, call: Call) -> list[StreamPart]:
    return [part async for part in model.stream(call)]


def body_of(call: Call, model: str = "gpt-4o", stream: bool = False) -> dict[str, Any]:
    return build_body(call, model, "openai", stream=stream)[0]


def fold(parts: list[StreamPart]) -> Any:
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    return accumulator.response()


# ---- request building ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "role"),
    [
        ("gpt-4o", "system"),
        ("gpt-4o-mini", "system"),
        ("gpt-4.1", "system"),
        ("gpt-5", "developer"),
        ("gpt-5-mini", "developer"),
        ("o4-mini", "developer"),
    ],
)
def test_system_prompt_role_depends_on_the_model(model: str, role: str) -> None:
    body = body_of(HELLO, model)
    assert body == {
        "model": model,
        "store": False,
        "input": [
            {"role": role, "content": "Be brief"},
            {"role": "user", "content": [{"type": "input_text", "text": "Say hi"}]},
        ],
    }


async def test_request_goes_to_the_responses_url_with_store_false_and_stream() -> None:
    server = serve(FakeServer(), "text.chunks.txt")
    call = Call(prompt=HELLO.prompt, settings=Settings(max_output_tokens=4000))
    await collect(responses(server), call)
    assert server.requests[0] == {
        "model": "gpt-4o",
        "store": False,
        "stream": True,
        "max_output_tokens": 4000,
        "input": [
            {"role": "system", "content": "Be brief"},
            {"role": "user", "content": [{"type": "input_text", "text": "Say hi"}]},
        ],
    }
    assert server.headers[0]["authorization"] == f"Bearer {SECRET}"


def test_function_and_provider_tools_with_tool_choice() -> None:
    call = Call(prompt=HELLO.prompt, tools=[WEATHER, WEB_SEARCH])
    body = body_of(call)
    assert body["tools"] == [
        {
            "type": "function",
            "name": "weather",
            "description": "Get weather information for a location",
            "parameters": dict(WEATHER.input_schema),
            "strict": False,
        },
        {"type": "web_search"},
    ]
    assert body["tool_choice"] == "auto"
    for choice, wire in [
        ("none", "none"),
        ("required", "required"),
        ("weather", {"type": "function", "name": "weather"}),
        ("web_search", {"type": "web_search"}),
    ]:
        assert (
            body_of(Call(prompt=HELLO.prompt, tools=[WEATHER, WEB_SEARCH], tool_choice=choice))[
                "tool_choice"
            ]
            == wire
        )
    assert "tool_choice" not in body_of(HELLO)


def test_provider_tool_args_are_sent_and_foreign_provider_tools_warn() -> None:
    located = ProviderTool(
        id="openai.web_search",
        name="web_search",
        args={"search_context_size": "low", "user_location": {"type": "approximate"}},
    )
    foreign = ProviderTool(id="anthropic.web_search_20250305", name="anthropic_search")
    body, warnings = build_body(
        Call(prompt=HELLO.prompt, tools=[located, foreign]), "gpt-4.1", "openai", stream=False
    )
    assert body["tools"] == [
        {
            "type": "web_search",
            "search_context_size": "low",
            "user_location": {"type": "approximate"},
        }
    ]
    assert [(w.kind, w.setting) for w in warnings] == [("unsupported-tool", "anthropic_search")]


def test_options_reach_the_wire_and_unknown_ones_warn() -> None:
    options = {
        "openai": {
            "include": ["reasoning.encrypted_content"],
            "reasoning_effort": "high",
            "reasoning_summary": "auto",
            "text_verbosity": "low",
            "previous_response_id": "resp_earlier",
            "store": True,
            "parallel_tool_calls": False,
            "max_tool_calls": 3,
            "prompt_cache_key": "k",
            "safety_identifier": "u-1",
            "service_tier": "flex",
            "truncation": "auto",
            "metadata": {"run": "7"},
            "frobnicate": 1,
        },
        "anthropic": {"thinking": {"budget_tokens": 10}},
    }
    body, warnings = build_body(
        Call(prompt=HELLO.prompt, provider_options=options), "gpt-5", "openai", stream=False
    )
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["reasoning"] == {"effort": "high", "summary": "auto"}
    assert body["text"] == {"verbosity": "low"}
    assert body["previous_response_id"] == "resp_earlier"
    assert body["store"] is True
    assert body["parallel_tool_calls"] is False
    assert body["max_tool_calls"] == 3
    assert body["prompt_cache_key"] == "k"
    assert body["safety_identifier"] == "u-1"
    assert body["service_tier"] == "flex"
    assert body["truncation"] == "auto"
    assert body["metadata"] == {"run": "7"}
    assert "frobnicate" not in body and "thinking" not in body
    assert [(w.kind, w.setting) for w in warnings] == [("unsupported-setting", "openai.frobnicate")]


def test_logprobs_option_extends_include() -> None:
    options = {"openai": {"logprobs": True, "include": ["reasoning.encrypted_content"]}}
    body = body_of(Call(prompt=HELLO.prompt, provider_options=options))
    assert body["top_logprobs"] == 20
    assert body["include"] == ["reasoning.encrypted_content", "message.output_text.logprobs"]
    assert options["openai"]["include"] == ["reasoning.encrypted_content"]  # not mutated


def test_sampling_settings_warn_on_reasoning_models() -> None:
    settings = Settings(temperature=0.2, top_p=0.9, seed=3, stop_sequences=("END",))
    call = Call(prompt=HELLO.prompt, settings=settings)
    body, warnings = build_body(call, "gpt-4o", "openai", stream=False)
    assert body["temperature"] == 0.2 and body["top_p"] == 0.9
    assert {w.setting for w in warnings} == {"seed", "stop_sequences"}
    body, warnings = build_body(call, "o4-mini", "openai", stream=False)
    assert "temperature" not in body and "top_p" not in body
    assert {w.setting for w in warnings} == {"temperature", "top_p", "seed", "stop_sequences"}


def test_response_format_becomes_text_format() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    fmt = ResponseFormat(schema=schema, name="Person", description="A person")
    body = body_of(Call(prompt=[user_message("Alice")], response_format=fmt))
    closed = {**schema, "additionalProperties": False}  # strict schemas are closed objects
    assert body["text"] == {"format": {"type": "json_schema", "name": "Person", "schema": closed}}
    strict = Call(
        prompt=[user_message("Alice")],
        response_format=fmt,
        provider_options={"openai": {"strict_json_schema": True, "text_verbosity": "low"}},
    )
    required = {**closed, "required": ["name"]}  # strict mode knows no optional property
    assert body_of(strict)["text"] == {
        "verbosity": "low",
        "format": {"type": "json_schema", "name": "Person", "schema": required, "strict": True},
    }


def test_user_images_and_files() -> None:
    message = user_message(
        "Describe",
        [
            FilePart(media_type="image/png", data=b"\x89PNG"),
            FilePart(
                media_type="image/jpeg",
                url="https://example.org/cat.jpg",
                provider_options={"openai": {"image_detail": "low"}},
            ),
            FilePart(media_type="application/pdf", data=b"%PDF", filename="a.pdf"),
            FilePart(media_type="application/pdf", url="https://example.org/b.pdf"),
            FilePart(media_type="audio/wav", data=b"RIFF"),
        ],
    )
    body, warnings = build_body(Call(prompt=[message]), "gpt-4o", "openai", stream=False)
    assert body["input"][0]["content"] == [
        {"type": "input_text", "text": "Describe"},
        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw=="},
        {"type": "input_image", "image_url": "https://example.org/cat.jpg", "detail": "low"},
        {
            "type": "input_file",
            "filename": "a.pdf",
            "file_data": "data:application/pdf;base64,JVBERg==",
        },
        {"type": "input_file", "file_url": "https://example.org/b.pdf"},
    ]
    assert len(warnings) == 1 and "audio/wav" in warnings[0].message


def _reasoning(text: str, item_id: str, encrypted: str | None) -> ReasoningPart:
    return ReasoningPart(
        text=text,
        provider_options={"openai": {"item_id": item_id, "encrypted_content": encrypted}},
    )


HISTORY = [
    system_message("S"),
    user_message("Weather in Florence?"),
    Message(
        role="assistant",
        content=(
            _reasoning("first summary", "rs_1", "enc"),
            _reasoning("second summary", "rs_1", "enc"),
            TextPart(text="Let me look."),
            ToolCallPart(
                tool_call_id="ws_1", tool_name="web_search", input="{}", provider_executed=True
            ),
            ToolResultPart(
                tool_call_id="ws_1",
                tool_name="web_search",
                output=TextOutput(text="{}"),
                provider_executed=True,
            ),
            ToolCallPart(tool_call_id="call_1", tool_name="weather", input='{"location":"F"}'),
            ToolCallPart(tool_call_id="call_2", tool_name="weather", input='{"location":"R"}'),
        ),
    ),
    Message(
        role="tool",
        content=(
            ToolResultPart(
                tool_call_id="call_1", tool_name="weather", output=TextOutput(text="40 C")
            ),
            ToolResultPart(
                tool_call_id="call_2", tool_name="weather", output=ErrorOutput(message="boom")
            ),
        ),
    ),
]
TAIL = [
    {"role": "assistant", "content": "Let me look."},
    {
        "type": "function_call",
        "call_id": "call_1",
        "name": "weather",
        "arguments": '{"location":"F"}',
    },
    {
        "type": "function_call",
        "call_id": "call_2",
        "name": "weather",
        "arguments": '{"location":"R"}',
    },
    {"type": "function_call_output", "call_id": "call_1", "output": "40 C"},
    {"type": "function_call_output", "call_id": "call_2", "output": "boom"},
]


def test_history_without_reasoning_replay_sends_calls_and_outputs() -> None:
    body = body_of(Call(prompt=HISTORY), "gpt-5")
    assert body["input"][2:] == TAIL


def test_reasoning_replay_rebuilds_one_item_with_every_summary_part() -> None:
    options = {"openai": {"replay_reasoning": True}}
    body = body_of(Call(prompt=HISTORY, provider_options=options), "gpt-5")
    assert body["input"][2:] == [
        {
            "type": "reasoning",
            "id": "rs_1",
            "encrypted_content": "enc",
            "summary": [
                {"type": "summary_text", "text": "first summary"},
                {"type": "summary_text", "text": "second summary"},
            ],
        },
        *TAIL,
    ]


def test_stored_conversations_refer_to_server_items() -> None:
    options = {"openai": {"replay_reasoning": True, "store": True}}
    body = body_of(Call(prompt=HISTORY, provider_options=options), "gpt-5")
    assert body["input"][2:5] == [
        {"type": "item_reference", "id": "rs_1"},
        {"role": "assistant", "content": "Let me look."},
        {"type": "item_reference", "id": "ws_1"},
    ]


def test_media_tool_output_is_sent_as_input_image() -> None:
    tool = Message(
        role="tool",
        content=(
            ToolResultPart(
                tool_call_id="c",
                tool_name="screenshot",
                output=MediaOutput(data="AAAA", media_type="image/png", text="the screen"),
            ),
        ),
    )
    call = ToolCallPart(tool_call_id="c", tool_name="screenshot", input="{}")
    body = body_of(
        Call(prompt=[user_message("look"), Message(role="assistant", content=(call,)), tool])
    )
    assert body["input"][2] == {
        "type": "function_call_output",
        "call_id": "c",
        "output": [
            {"type": "input_text", "text": "the screen"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
        ],
    }


# ---- non-streaming ------------------------------------------------------------------------

FULL = {
    "id": "resp_full",
    "object": "response",
    "status": "completed",
    "model": "gpt-5-2025-08-07",
    "error": None,
    "incomplete_details": None,
    "output": [
        {
            "id": "rs_1",
            "type": "reasoning",
            "encrypted_content": "enc-1",
            "summary": [
                {"type": "summary_text", "text": "One."},
                {"type": "summary_text", "text": "Two."},
            ],
        },
        {
            "id": "ws_1",
            "type": "web_search_call",
            "status": "completed",
            "action": {"type": "search", "query": "tokyo"},
        },
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "content": [
                {
                    "type": "output_text",
                    "text": "Tokyo is big.",
                    "annotations": [
                        {"type": "url_citation", "url": "https://a.example", "title": "A"},
                        {"type": "container_file_citation", "file_id": "f"},
                    ],
                }
            ],
        },
        {
            "id": "fc_1",
            "type": "function_call",
            "call_id": "call_1",
            "name": "weather",
            "arguments": '{"location":"Tokyo"}',
        },
    ],
    "usage": {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 40},
        "output_tokens": 30,
        "output_tokens_details": {"reasoning_tokens": 12},
        "total_tokens": 130,
    },
}


async def test_generate_parses_every_output_item() -> None:
    server = FakeServer().json(FULL)
    response = await responses(server, "gpt-5").generate(
        Call(prompt=HELLO.prompt, tools=[WEATHER, WEB_SEARCH])
    )
    meta = {"openai": {"item_id": "rs_1", "encrypted_content": "enc-1"}}
    assert response.content == [
        Reasoning(text="One.", provider_metadata=meta),
        Reasoning(text="Two.", provider_metadata=meta),
        ToolCall(
            tool_call_id="ws_1",
            tool_name="web_search",
            input='{"type":"search","query":"tokyo"}',
            provider_executed=True,
        ),
        ToolResult(
            tool_call_id="ws_1",
            tool_name="web_search",
            output=TextOutput(
                text='{"status":"completed","action":{"type":"search","query":"tokyo"}}'
            ),
            input='{"type":"search","query":"tokyo"}',
            provider_executed=True,
        ),
        Text(text="Tokyo is big.", provider_metadata={"openai": {"item_id": "msg_1"}}),
        Source(id="msg_1:0:0", url="https://a.example", title="A"),
        ToolCall(
            tool_call_id="call_1",
            tool_name="weather",
            input='{"location":"Tokyo"}',
            provider_metadata={"openai": {"item_id": "fc_1"}},
        ),
    ]
    assert response.finish_reason == FinishReason.TOOL_CALLS
    assert response.usage.input_tokens == 100
    assert response.usage.cache_read_tokens == 40
    assert response.usage.reasoning_tokens == 12
    assert response.usage.total_tokens == 130
    assert response.provider_metadata == {"openai": {"response_id": "resp_full"}}
    assert response.model_id == "gpt-5-2025-08-07"


async def test_response_id_passed_back_as_previous_response_id_reaches_the_wire() -> None:
    answer = {**FULL, "output": FULL["output"][2:3]}
    server = FakeServer().json(answer).json(answer)
    model = responses(server)
    first = await model.generate(HELLO)
    assert first.finish_reason == FinishReason.STOP
    response_id = first.provider_metadata["openai"]["response_id"]
    options = {"openai": {"store": True, "previous_response_id": response_id}}
    await model.generate(Call(prompt=[user_message("And now?")], provider_options=options))
    assert server.requests[1]["previous_response_id"] == "resp_full"
    assert server.requests[1]["store"] is True


@pytest.mark.parametrize(
    ("incomplete", "reason"),
    [("max_output_tokens", FinishReason.LENGTH), ("content_filter", FinishReason.CONTENT_FILTER)],
)
def test_incomplete_responses_say_why(incomplete: str, reason: FinishReason) -> None:
    body = {
        **FULL,
        "status": "incomplete",
        "incomplete_details": {"reason": incomplete},
        "output": [],
    }
    assert parse_response(body, []).finish_reason == reason


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "not a JSON object"),
        ({"id": "r"}, "'output' is not a list"),
        ({"output": ["x"]}, "'output[0]' is not an object"),
        ({"output": [{"type": "message", "content": "hi"}]}, "'output[0].content' is not a list"),
        ({"output": [{"type": "function_call", "name": "f"}]}, "call_id"),
        ({"output": [{"type": "reasoning", "id": "r", "summary": "x"}]}, "summary"),
        ({"output": [], "usage": [1]}, "'usage' is not an object"),
        ({"output": [], "usage": {"input_tokens": "many"}}, "usage.input_tokens"),
        ({"output": [], "usage": {"input_tokens_details": 3}}, "input_tokens_details"),
    ],
)
def test_malformed_bodies_are_provider_errors_naming_the_field(body: Any, field: str) -> None:
    with pytest.raises(ProviderError, match=re.escape(field)):
        parse_response(body, [])


async def test_error_body_is_a_provider_error() -> None:
    server = FakeServer().json({"error": {"message": "model overloaded", "code": "server_error"}})
    with pytest.raises(ProviderError, match="model overloaded"):
        await responses(server).generate(HELLO)


# ---- streaming ----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 7, 64, 4096])
async def test_text_stream_is_framed_and_folds_to_a_response(chunk_size: int) -> None:
    server = serve(FakeServer(chunk_size=chunk_size), "text.chunks.txt")
    parts = await collect(responses(server), HELLO)
    assert [p.type for p in parts] == [
        "text-start",
        "text-delta",
        "text-delta",
        "text-delta",
        "text-end",
        "finish",
    ]
    finish = parts[-1]
    assert isinstance(finish, Finish)
    assert finish.finish_reason == FinishReason.STOP
    assert finish.usage.input_tokens == 20
    assert finish.usage.cache_read_tokens == 4
    assert finish.provider_metadata == {"openai": {"response_id": "resp_text"}}
    assert finish.model_id == "gpt-4o-2024-08-06"
    response = fold(parts)
    assert response.content == [
        Text(text="Olá! Tudo bem?", provider_metadata={"openai": {"item_id": "msg_1"}})
    ]
    assert server.closed == 1


async def test_reasoning_summaries_and_function_call_stream() -> None:
    server = serve(FakeServer(chunk_size=13), "reasoning_tool.chunks.txt")
    parts = await collect(responses(server, "gpt-5"), Call(prompt=HELLO.prompt, tools=[WEATHER]))
    assert [p.type for p in parts] == [
        "reasoning-start",
        "reasoning-delta",
        "reasoning-delta",
        "reasoning-start",
        "reasoning-delta",
        "reasoning-end",
        "reasoning-end",
        "tool-input-start",
        "tool-input-delta",
        "tool-input-delta",
        "tool-input-end",
        "tool-call",
        "finish",
    ]
    starts = [p for p in parts if isinstance(p, ReasoningStart)]
    assert [s.id for s in starts] == ["rs_1:0", "rs_1:1"]
    ends = [p for p in parts if isinstance(p, ReasoningEnd)]
    # The encrypted content of the finished item, not the early one, is what is kept.
    final = {"openai": {"item_id": "rs_1", "encrypted_content": "enc-final"}}
    assert [e.provider_metadata for e in ends] == [final, final]
    assert "".join(
        p.delta for p in parts if isinstance(p, ReasoningDelta) and p.id == "rs_1:0"
    ) == ("**Plan**\n\nCall the weather tool.")
    start = next(p for p in parts if isinstance(p, ToolInputStart))
    assert (start.id, start.tool_name, start.provider_executed) == ("call_w", "weather", False)
    assert "".join(p.delta for p in parts if isinstance(p, ToolInputDelta)) == (
        '{"location":"Florence"}'
    )
    call = next(p for p in parts if isinstance(p, ToolCall))
    assert call.input == '{"location":"Florence"}'
    assert call.provider_metadata == {"openai": {"item_id": "fc_1"}}
    finish = parts[-1]
    assert isinstance(finish, Finish)
    assert finish.finish_reason == FinishReason.TOOL_CALLS
    assert finish.usage.reasoning_tokens == 64


async def test_web_search_stream_gives_provider_executed_call_result_and_sources() -> None:
    server = serve(FakeServer(), "web_search.chunks.txt")
    named = ProviderTool(id="openai.web_search", name="search")
    parts = await collect(responses(server, "gpt-4.1"), Call(prompt=HELLO.prompt, tools=[named]))
    assert [p.type for p in parts] == [
        "tool-input-start",
        "tool-input-delta",  # the search's input, which came whole
        "tool-input-end",
        "tool-call",
        "tool-result",
        "text-start",
        "text-delta",
        "source",
        "text-delta",
        "text-end",
        "finish",
    ]
    call = next(p for p in parts if isinstance(p, ToolCall))
    assert (call.tool_call_id, call.tool_name, call.provider_executed) == ("ws_1", "search", True)
    assert json.loads(call.input) == {"type": "search", "query": "Tokyo population"}
    result = next(p for p in parts if isinstance(p, ToolResult))
    assert (result.tool_call_id, result.provider_executed) == ("ws_1", True)
    source = next(p for p in parts if isinstance(p, Source))
    assert (source.url, source.title) == ("https://example.org/tokyo", "Tokyo statistics")
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.STOP


async def test_incomplete_is_terminal_and_says_length() -> None:
    server = serve(FakeServer(), "incomplete.chunks.txt")
    parts = await collect(responses(server), HELLO)
    finish = parts[-1]
    assert isinstance(finish, Finish)
    assert finish.finish_reason == FinishReason.LENGTH
    assert "".join(p.delta for p in parts if isinstance(p, TextDelta)) == "Once upon"


async def test_truncated_stream_ends_with_a_stream_error() -> None:
    server = serve(FakeServer(), "truncated.chunks.txt")
    parts = await collect(responses(server), HELLO)
    assert parts[-1].type == "error"
    assert not any(isinstance(p, Finish) for p in parts)
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "response.completed" in str(error.error)


async def test_in_band_error_event_is_a_retryable_stream_error() -> None:
    server = serve(FakeServer(), "error_event.chunks.txt")
    parts = await collect(responses(server), HELLO)
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "server had an error" in str(error.error)
    assert error.error.retryable is True


async def test_failed_response_is_a_stream_error() -> None:
    server = serve(FakeServer(), "failed.chunks.txt")
    parts = await collect(responses(server), HELLO)
    assert len(parts) == 1
    error = parts[0]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "Invalid prompt" in str(error.error) and "invalid_prompt" in str(error.error)
    assert error.error.retryable is False


async def test_malformed_stream_event_is_a_stream_error() -> None:
    server = FakeServer()
    bad = b'data: {"type":"response.output_item.added","item":"nope"}\n\n'
    server.answers.append((200, bad, "text/event-stream"))
    parts = await collect(responses(server), HELLO)
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "'item'" in str(error.error)


# ---- through the agent --------------------------------------------------------------------


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


async def test_agent_round_trips_reasoning_metadata_and_replays_it_on_request() -> None:
    server = serve(serve(FakeServer(), "reasoning_tool.chunks.txt"), "answer.chunks.txt")
    agent = Agent(responses(server, "gpt-5"), system="S", tools=[weather])
    options = {"openai": {"replay_reasoning": True, "include": ["reasoning.encrypted_content"]}}
    events = agent.stream("Weather in Florence?", provider_options=options)
    async for _ in events:
        pass
    result = events.result
    assert result.text == "40 C in Florence."
    reasoning = [
        p
        for step in result.steps
        for m in step.messages
        for p in m.content
        if isinstance(p, ReasoningPart)
    ]
    assert [p.provider_options["openai"]["encrypted_content"] for p in reasoning] == [
        "enc-final",
        "enc-final",
        "enc-2",
    ]
    second = server.requests[1]
    assert second["input"][0] == {"role": "developer", "content": "S"}
    assert second["input"][2:] == [
        {
            "type": "reasoning",
            "id": "rs_1",
            "encrypted_content": "enc-final",
            "summary": [
                {"type": "summary_text", "text": "**Plan**\n\nCall the weather tool."},
                {"type": "summary_text", "text": "**Check** the city."},
            ],
        },
        {
            "type": "function_call",
            "call_id": "call_w",
            "name": "weather",
            "arguments": '{"location":"Florence"}',
        },
        {"type": "function_call_output", "call_id": "call_w", "output": "40 C"},
    ]


def test_repr_hides_the_key() -> None:
    model = OpenAI(api_key=SECRET, api="responses").model("gpt-5")
    assert SECRET not in repr(model)
    assert repr(model) == "ResponsesModel(openai:gpt-5)"
