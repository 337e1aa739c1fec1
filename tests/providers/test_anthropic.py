"""Anthropic Messages: prompt conversion per block type, tools and options on the wire,
non-streaming parsing, stream framing from hand-written SSE fixtures, errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import FakeServer

import reverie
from reverie import ProviderTool, Settings
from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning, Source, Text, ToolCall, ToolResult
from reverie.conversation import to_messages
from reverie.errors import ConfigurationError, ContextOverflowError, ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.retry import NO_RETRY, RetryPolicy
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
    assistant_message,
    system_message,
    user_message,
)
from reverie.model import (
    ErrorPart,
    Finish,
    FunctionTool,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    StreamPart,
    TextDelta,
    ToolInputDelta,
    ToolInputEnd,
)
from reverie.providers.anthropic import Anthropic
from reverie.providers.anthropic.messages import convert_prompt
from reverie.providers.anthropic.request import build_request
from reverie.providers.kit import Call, ResponseFormat

FIXTURES = Path(__file__).parent / "fixtures" / "anthropic"
SECRET = "sk-ant-test-secret"
CACHE = {"anthropic": {"cache_control": {"type": "ephemeral"}}}
WEATHER = FunctionTool(
    name="weather",
    description="Get weather information for a location",
    input_schema={"type": "object", "properties": {"location": {"type": "string"}}},
)
HELLO = Call(prompt=[system_message("Be brief"), user_message("Say hi")])


class Server(FakeServer):
    """The shared fake server, also keeping request URLs; answers with our SSE fixtures."""

    def __init__(self, chunk_size: int = 64) -> None:
        super().__init__(chunk_size=chunk_size)
        self.urls: list[str] = []

    def events(self, name: str, status: int = 200) -> Server:
        self.answers.append((status, (FIXTURES / name).read_bytes(), "text/event-stream"))
        return self

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.urls.append(str(request.url))
        return super()._handle(request)


def anthropic(server: FakeServer, retry: RetryPolicy = NO_RETRY) -> Any:
    return Anthropic(api_key=SECRET, client=server.client(), retry=retry).model(
        "claude-sonnet-4-20250514"
    )


async def collect(model: Any, call: Call) -> list[StreamPart]:
    return [part async for part in model.stream(call)]


def fold(parts: list[StreamPart]) -> Any:
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    return accumulator.response()


# ---- prompt conversion ------------------------------------------------------------------


def test_system_messages_become_system_blocks_and_same_role_turns_merge() -> None:
    system, messages, warnings = convert_prompt(
        [
            system_message("Be brief"),
            system_message("Answer in Portuguese"),
            user_message("Hi"),
            user_message("Still there?"),
            assistant_message("Olá"),
            assistant_message("Sim"),
        ]
    )
    assert system == [
        {"type": "text", "text": "Be brief"},
        {"type": "text", "text": "Answer in Portuguese"},
    ]
    assert messages == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "Still there?"}],
        },
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "Olá"}, {"type": "text", "text": "Sim"}],
        },
    ]
    assert warnings == []


def test_files_become_image_and_document_blocks() -> None:
    files = [
        FilePart(media_type="image/png", data=b"\x89PNG"),
        FilePart(media_type="image/jpeg", url="https://example.com/cat.jpg"),
        FilePart(media_type="application/pdf", data=b"%PDF-1.4", filename="report.pdf"),
        FilePart(media_type="application/pdf", url="https://example.com/a.pdf"),
        FilePart(media_type="text/plain", data=b"plain words", filename="notes.txt"),
        FilePart(media_type="audio/wav", data=b"RIFF"),
    ]
    _, [message], warnings = convert_prompt([user_message("Look", files)])
    assert message["content"] == [
        {"type": "text", "text": "Look"},
        {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw=="},
        },
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjQ="},
            "title": "report.pdf",
        },
        {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "plain words"},
            "title": "notes.txt",
        },
    ]
    assert [w.message for w in warnings] == [
        "files of type audio/wav are not supported by Anthropic"
    ]


def test_tool_calls_and_results_travel_in_assistant_and_user_turns() -> None:
    prompt = [
        user_message("Weather and a screenshot?"),
        Message(
            role="assistant",
            content=(
                ToolCallPart(tool_call_id="t1", tool_name="weather", input='{"location":"Rome"}'),
                ToolCallPart(tool_call_id="t2", tool_name="computer", input='{"action":"shot"}'),
                ToolCallPart(tool_call_id="t3", tool_name="broken", input="not json"),
            ),
        ),
        Message(
            role="tool",
            content=(
                ToolResultPart(
                    tool_call_id="t1", tool_name="weather", output=TextOutput(text="40 C")
                ),
                ToolResultPart(
                    tool_call_id="t2",
                    tool_name="computer",
                    output=MediaOutput(data="iVBORw==", media_type="image/png"),
                ),
                ToolResultPart(
                    tool_call_id="t3", tool_name="broken", output=ErrorOutput(message="bad input")
                ),
            ),
        ),
        user_message("Thanks"),
    ]
    _, messages, warnings = convert_prompt(prompt)
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == [
        {"type": "tool_use", "id": "t1", "name": "weather", "input": {"location": "Rome"}},
        {"type": "tool_use", "id": "t2", "name": "computer", "input": {"action": "shot"}},
        {"type": "tool_use", "id": "t3", "name": "broken", "input": {}},
    ]
    assert messages[2]["content"] == [
        {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "40 C"}]},
        {
            "type": "tool_result",
            "tool_use_id": "t2",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw=="},
                }
            ],
        },
        {
            "type": "tool_result",
            "tool_use_id": "t3",
            "content": [{"type": "text", "text": "bad input"}],
            "is_error": True,
        },
        {"type": "text", "text": "Thanks"},  # the next user message joins the tool results' turn
    ]
    assert len(warnings) == 1 and "t3" in warnings[0].message


def test_thinking_and_redacted_thinking_are_replayed_byte_for_byte() -> None:
    assistant = Message(
        role="assistant",
        content=(
            ReasoningPart(
                text="Let me think.", provider_options={"anthropic": {"signature": "SIG=="}}
            ),
            ReasoningPart(text="", provider_options={"anthropic": {"redacted_data": "REDACTED"}}),
            ReasoningPart(text="unsigned", provider_options={"openrouter": {"x": 1}}),
            TextPart(text="Done."),
        ),
    )
    _, [_, wire], warnings = convert_prompt([user_message("Q"), assistant])
    assert wire["content"] == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "SIG=="},
        {"type": "redacted_thinking", "data": "REDACTED"},
        {"type": "text", "text": "Done."},
    ]
    assert [w.message for w in warnings] == [
        "1 reasoning part(s) without replay data for anthropic were not sent "
        "(foreign_reasoning='drop')"
    ]
    _, [_, without], _ = convert_prompt([user_message("Q"), assistant], send_reasoning=False)
    assert without["content"] == [{"type": "text", "text": "Done."}]


def test_cache_markers_land_on_the_last_block_of_marked_messages_parts_and_tools() -> None:
    prompt = [
        Message(role="system", content=(TextPart(text="S"),), provider_options=CACHE),
        Message(
            role="user",
            content=(TextPart(text="a", provider_options=CACHE), TextPart(text="b")),
        ),
        Message(
            role="assistant",
            content=(
                TextPart(text="c"),
                ToolCallPart(tool_call_id="t1", tool_name="weather", input="{}"),
            ),
            provider_options=CACHE,
        ),
        Message(
            role="tool",
            content=(
                ToolResultPart(tool_call_id="t1", tool_name="weather", output=TextOutput(text="x")),
            ),
            provider_options=CACHE,
        ),
    ]
    tool = FunctionTool(
        name="weather", description="", input_schema={"type": "object"}, provider_options=CACHE
    )
    # Four markers: Anthropic's limit. The tool's marker would be a fifth, so it goes alone.
    request = build_request(
        Call(prompt=prompt, tools=[replace(tool, provider_options={})]), "m", "anthropic"
    )
    marker = {"type": "ephemeral"}
    body = request.body
    assert body["system"] == [{"type": "text", "text": "S", "cache_control": marker}]
    user, assistant, tool_turn = body["messages"]
    assert [b.get("cache_control") for b in user["content"]] == [marker, None]
    assert [b.get("cache_control") for b in assistant["content"]] == [None, marker]
    assert tool_turn["content"][0]["cache_control"] == marker
    assert body["tools"] == [{"name": "weather", "input_schema": {"type": "object"}}]
    alone = build_request(Call(prompt=prompt[1:2], tools=[tool]), "m", "anthropic").body
    assert alone["tools"] == [
        {"name": "weather", "input_schema": {"type": "object"}, "cache_control": marker}
    ]
    with pytest.raises(ConfigurationError) as refused:
        build_request(Call(prompt=prompt, tools=[tool]), "m", "anthropic")
    assert str(refused.value) == (
        "anthropic: 5 cache_control markers in one request; Anthropic takes at most 4 "
        "(system, messages and tools together): mark fewer messages, parts or tools"
    )


# ---- request body, tools and options ------------------------------------------------------


async def test_request_body_headers_and_key_handling() -> None:
    server = Server().events("text.sse")
    model = anthropic(server)
    parts = await collect(model, HELLO)
    assert isinstance(parts[-1], Finish)
    [body] = server.requests
    assert body == {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 4096,  # recorded default when the call sets none
        "system": [{"type": "text", "text": "Be brief"}],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hi"}]}],
        "stream": True,
    }
    assert server.urls == ["https://api.anthropic.com/v1/messages"]
    headers = server.headers[0]
    assert headers["x-api-key"] == SECRET
    assert headers["anthropic-version"] == "2023-06-01"
    assert SECRET not in repr(model) and SECRET not in repr(model.http)


def test_tool_choice_forms_and_parallel_flag() -> None:
    def choice(tool_choice: str | None, **options: Any) -> Any:
        call = Call(
            prompt=HELLO.prompt,
            tools=[WEATHER],
            tool_choice=tool_choice,
            provider_options={"anthropic": options},
        )
        return build_request(call, "m", "anthropic").body.get("tool_choice")

    assert choice(None) is None  # unset: Anthropic's own default
    assert choice("auto") == {"type": "auto", "disable_parallel_tool_use": False}
    assert choice("required") == {"type": "any", "disable_parallel_tool_use": False}
    assert choice("weather") == {
        "type": "tool",
        "name": "weather",
        "disable_parallel_tool_use": False,
    }
    assert choice("none") == {"type": "none"}
    assert choice(None, disable_parallel_tool_use=True) == {
        "type": "auto",
        "disable_parallel_tool_use": True,
    }
    bedrock_style = build_request(
        Call(prompt=HELLO.prompt, tools=[WEATHER], tool_choice="auto"),
        "m",
        "anthropic",
        explicit_parallel_flag=False,
    )
    assert bedrock_style.body["tool_choice"] == {"type": "auto"}


async def test_provider_tools_web_search_and_computer_use_with_its_beta() -> None:
    server = Server().json(
        {
            "model": "claude-sonnet-4-20250514",
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "computer",
                    "input": {"action": "screenshot"},
                }
            ],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }
    )
    computer = ProviderTool(
        id="anthropic.computer_20250124",
        name="computer",
        args={"display_width_px": 1920.0, "display_height_px": 1080.0},
    )
    search = ProviderTool(
        id="anthropic.web_search_20250305", name="web_search", args={"max_uses": 2}
    )
    other = ProviderTool(id="openai.web_search", name="openai_search")
    response = await anthropic(server).generate(
        Call(prompt=HELLO.prompt, tools=[computer, search, other])
    )
    body = server.requests[0]
    assert body["tools"] == [
        {
            "type": "computer_20250124",
            "name": "computer",
            "display_width_px": 1920,
            "display_height_px": 1080,
        },
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 2},
    ]
    assert isinstance(body["tools"][0]["display_width_px"], int)
    assert "tool_choice" not in body
    assert server.urls == ["https://api.anthropic.com/v1/messages?beta=true"]
    assert server.headers[0]["anthropic-beta"] == "computer-use-2025-01-24"
    assert [w.kind for w in response.warnings] == ["unsupported-tool"]
    assert response.finish_reason == FinishReason.TOOL_CALLS
    [call] = response.content
    assert isinstance(call, ToolCall) and json.loads(call.input) == {"action": "screenshot"}


def test_thinking_options_max_tokens_and_sampling_warnings() -> None:
    def body(options: dict[str, Any], settings: Settings | None = None) -> Any:
        call = Call(
            prompt=HELLO.prompt,
            settings=settings or Settings(),
            provider_options={"anthropic": options},
        )
        return build_request(call, "m", "anthropic")

    budget = body({"thinking": {"budget_tokens": 4000}})
    assert budget.body["thinking"] == {"type": "enabled", "budget_tokens": 4000}
    assert budget.body["max_tokens"] == 4096  # recorded: the budget is not added
    assert body({"thinking": {"budget_tokens": 10000}}).body["max_tokens"] == 14096
    assert body({"thinking": {"type": "adaptive"}, "effort": "high"}).body | {"messages": 0} == {
        "messages": 0,
        "system": [{"type": "text", "text": "Be brief"}],
        "max_tokens": 4096,
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "high"},
    }
    sampled = body(
        {"thinking": {"budget_tokens": 2000}, "colour": "blue"},
        Settings(max_output_tokens=100, temperature=0.5, seed=3, stop_sequences=("END",)),
    )
    assert "temperature" not in sampled.body
    assert sampled.body["max_tokens"] == 100
    assert sampled.body["stop_sequences"] == ["END"]
    assert sorted(w.setting or "" for w in sampled.warnings) == [
        "anthropic.colour",
        "seed",
        "temperature",
    ]
    plain = body({}, Settings(temperature=0.2, top_k=5))
    assert (plain.body["temperature"], plain.body["top_k"]) == (0.2, 5)


async def test_generate_object_asks_claude_for_one_forced_tool() -> None:
    server = Server().json(
        {
            "content": [
                {"type": "tool_use", "id": "t", "name": "Person", "input": {"name": "Alice"}}
            ],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    result = await reverie.generate_object_result(
        anthropic(server), schema, prompt="Alice", name="Person", description="A person"
    )
    body = server.requests[0]
    assert body["tools"] == [{"name": "Person", "description": "A person", "input_schema": schema}]
    assert body["tool_choice"] == {
        "type": "tool",
        "name": "Person",
        "disable_parallel_tool_use": False,
    }
    assert result.object == {"name": "Alice"}
    assert result.finish_reason == FinishReason.STOP


async def test_a_response_format_on_a_call_is_a_warning_not_a_tool() -> None:
    server = Server().json(
        {
            "content": [{"type": "text", "text": "{}"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
        }
    )
    fmt = ResponseFormat(schema={"type": "object"}, name="Person")
    response = await anthropic(server).generate(
        Call(prompt=[user_message("Alice")], response_format=fmt)
    )
    assert "tools" not in server.requests[0]
    assert [w.setting for w in response.warnings] == ["response_format"]


# ---- non-streaming answers --------------------------------------------------------------


async def test_generate_parses_every_block_kind_and_usage() -> None:
    server = Server().json(
        {
            "model": "claude-sonnet-4-20250514",
            "content": [
                {"type": "thinking", "thinking": "Hmm.", "signature": "SIG"},
                {"type": "redacted_thinking", "data": "RED"},
                {
                    "type": "server_tool_use",
                    "id": "s1",
                    "name": "web_search",
                    "input": {"query": "q"},
                },
                {
                    "type": "web_search_tool_result",
                    "tool_use_id": "s1",
                    "content": [
                        {
                            "type": "web_search_result",
                            "url": "https://a.example",
                            "title": "A",
                            "encrypted_content": "E",
                            "page_age": None,
                        }
                    ],
                },
                {
                    "type": "text",
                    "text": "Answer.",
                    "citations": [
                        {
                            "type": "web_search_result_location",
                            "url": "https://a.example",
                            "title": "A",
                        }
                    ],
                },
                {"type": "tool_use", "id": "t1", "name": "weather", "input": {"location": "Rome"}},
            ],
            "stop_reason": "tool_use",
            "usage": {
                "input_tokens": 100,
                "cache_creation_input_tokens": 20,
                "cache_read_input_tokens": 30,
                "output_tokens": 50,
            },
        }
    )
    response = await anthropic(server).generate(HELLO)
    thinking, redacted, search, result, text, source, call = response.content
    assert thinking == Reasoning(text="Hmm.", provider_metadata={"anthropic": {"signature": "SIG"}})
    assert redacted == Reasoning(text="", provider_metadata={"anthropic": {"redacted_data": "RED"}})
    assert isinstance(search, ToolCall) and search.provider_executed
    assert isinstance(result, ToolResult) and result.provider_executed
    assert result.tool_name == "web_search"
    assert result.provider_metadata["anthropic"]["content"] == [
        {
            "type": "web_search_result",
            "url": "https://a.example",
            "title": "A",
            "encrypted_content": "E",
        }
    ]
    assert "encrypted_content" not in result.output.text  # type: ignore[union-attr]
    assert text == Text(text="Answer.")
    assert isinstance(source, Source) and source.url == "https://a.example"
    assert isinstance(call, ToolCall) and not call.provider_executed
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (150, 50, 200)
    assert (usage.cache_read_tokens, usage.cache_write_tokens) == (30, 20)
    assert response.model_id == "claude-sonnet-4-20250514"

    # What came back goes back unchanged on the next turn.
    [assistant] = to_messages(response.content, [])
    _, [wire], _ = convert_prompt([assistant])
    assert wire["content"][:4] == [
        {"type": "thinking", "thinking": "Hmm.", "signature": "SIG"},
        {"type": "redacted_thinking", "data": "RED"},
        {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": "q"}},
        {
            "type": "web_search_tool_result",
            "tool_use_id": "s1",
            "content": [
                {
                    "type": "web_search_result",
                    "url": "https://a.example",
                    "title": "A",
                    "encrypted_content": "E",
                }
            ],
        },
    ]


@pytest.mark.parametrize(
    ("stop_reason", "expected"),
    [
        ("end_turn", FinishReason.STOP),
        ("stop_sequence", FinishReason.STOP),
        ("pause_turn", FinishReason.STOP),
        ("max_tokens", FinishReason.LENGTH),
        ("tool_use", FinishReason.TOOL_CALLS),
        ("refusal", FinishReason.CONTENT_FILTER),
        ("model_context_window_exceeded", FinishReason.LENGTH),
        ("something_new", FinishReason.OTHER),
    ],
)
async def test_stop_reasons(stop_reason: str, expected: FinishReason) -> None:
    server = Server().json({"content": [], "stop_reason": stop_reason, "usage": {}})
    assert (await anthropic(server).generate(HELLO)).finish_reason == expected


async def test_errors_are_typed_and_context_overflow_carries_the_counts() -> None:
    too_long = {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "prompt is too long: 208451 tokens > 200000 maximum",
        },
    }
    server = Server().json(too_long, status=400)
    with pytest.raises(ContextOverflowError) as overflow:
        await anthropic(server).generate(HELLO)
    assert (overflow.value.used_tokens, overflow.value.max_tokens) == (208451, 200000)
    assert overflow.value.status == 400 and not overflow.value.retryable

    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    server = Server().json(overloaded, status=529)
    with pytest.raises(ProviderError, match="Overloaded") as error:
        await anthropic(server).generate(HELLO)
    assert error.value.retryable and not isinstance(error.value, ContextOverflowError)

    server = Server().json(too_long, status=400)
    [part] = await collect(anthropic(server), HELLO)
    assert isinstance(part, ErrorPart) and isinstance(part.error, ContextOverflowError)


# ---- streaming --------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 9, 64, 4096])
async def test_text_stream_is_framed_with_usage(chunk_size: int) -> None:
    server = Server(chunk_size).events("text.sse")
    parts = await collect(anthropic(server), HELLO)
    assert [p.type for p in parts] == [
        "text-start",
        "text-delta",
        "text-delta",
        "text-end",
        "finish",
    ]
    finish = parts[-1]
    assert isinstance(finish, Finish)
    assert finish.finish_reason == FinishReason.STOP
    assert finish.usage.input_tokens == 18  # 10 + 3 written to + 5 read from the cache
    assert finish.usage.output_tokens == 7
    assert (finish.usage.cache_write_tokens, finish.usage.cache_read_tokens) == (3, 5)
    assert fold(parts).text == "Olá! Tudo bem?"
    assert server.closed == 1


async def test_thinking_stream_keeps_the_signature_and_the_redacted_block() -> None:
    parts = await collect(anthropic(Server(7).events("thinking.sse")), HELLO)
    starts = [p for p in parts if isinstance(p, ReasoningStart)]
    ends = [p for p in parts if isinstance(p, ReasoningEnd)]
    assert len(starts) == len(ends) == 2
    assert ends[0].provider_metadata == {"anthropic": {"signature": "EqQBCkYIBxgCKkB+sig=="}}
    assert ends[1].provider_metadata == {
        "anthropic": {
            "redacted_data": "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"
        }
    }
    deltas = "".join(p.delta for p in parts if isinstance(p, ReasoningDelta))
    assert deltas == "The user wants the weather."
    response = fold(parts)
    thinking, redacted, call = response.content
    assert isinstance(thinking, Reasoning) and thinking.text == "The user wants the weather."
    assert isinstance(redacted, Reasoning) and redacted.text == ""
    assert isinstance(call, ToolCall) and json.loads(call.input) == {"location": "Florence"}
    assert response.finish_reason == FinishReason.TOOL_CALLS
    _, [wire], _ = convert_prompt(to_messages(response.content, []))
    assert [b["type"] for b in wire["content"]] == ["thinking", "redacted_thinking", "tool_use"]
    assert wire["content"][0]["signature"] == "EqQBCkYIBxgCKkB+sig=="


async def test_web_search_stream_gives_provider_executed_call_result_and_sources() -> None:
    parts = await collect(anthropic(Server().events("web_search.sse")), HELLO)
    response = fold(parts)
    call, result, text, source = response.content
    assert isinstance(call, ToolCall) and call.provider_executed and call.tool_name == "web_search"
    assert isinstance(result, ToolResult) and result.provider_executed
    assert result.provider_metadata["anthropic"]["content"][0] == {
        "type": "web_search_result",
        "title": "Tokyo",
        "url": "https://example.com/tokyo",
        "encrypted_content": "ENC1",
    }
    assert isinstance(text, Text) and "14 million" in text.text
    assert isinstance(source, Source) and source.url == "https://example.com/tokyo"
    assert response.finish_reason == FinishReason.STOP


@pytest.mark.parametrize("fixture", ["truncated.sse", "no_message_stop.sse"])
async def test_a_stream_without_message_stop_ends_in_a_retryable_error(fixture: str) -> None:
    parts = await collect(anthropic(Server().events(fixture)), HELLO)
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "message_stop" in str(error.error) and error.error.retryable
    assert not any(isinstance(p, Finish) for p in parts)


async def test_in_band_overloaded_error_is_retryable_and_retried() -> None:
    parts = await collect(anthropic(Server().events("overloaded.sse")), HELLO)
    [error] = parts
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert error.error.retryable and "overloaded_error" in str(error.error)

    async def no_sleep(seconds: float) -> None:
        return None

    server = Server().events("overloaded.sse").events("text.sse")
    parts = await collect(anthropic(server, RetryPolicy(sleep=no_sleep)), HELLO)
    assert fold(parts).text == "Olá! Tudo bem?"
    assert len(server.requests) == 2


async def test_an_invalid_request_error_in_the_stream_is_not_retryable() -> None:
    body = (
        b'event: error\ndata: {"type":"error","error":'
        b'{"type":"invalid_request_error","message":"bad"}}\n\n'
    )
    server = Server()
    server.answers.append((200, body, "text/event-stream"))
    [error] = await collect(anthropic(server), HELLO)
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert not error.error.retryable


async def test_leaving_a_stream_early_closes_the_response() -> None:
    server = Server(4).events("text.sse")
    stream = anthropic(server).stream(HELLO)
    async for part in stream:
        if isinstance(part, TextDelta):
            break
    await stream.aclose()  # type: ignore[attr-defined]
    assert server.closed == 1


# ---- an upstream that starts the message again ----------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 4096])
async def test_a_second_message_start_mid_message_is_a_stream_error_not_a_call(
    chunk_size: int,
) -> None:
    parts = await collect(anthropic(Server(chunk_size).events("restarted.sse")), HELLO)
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert str(error.error) == (
        "anthropic: a new message started before message 'msg_first' finished; "
        "its partial content was dropped"
    )
    assert error.error.retryable
    # The abandoned call never completes, and nothing of the second message is read.
    assert not any(isinstance(p, (ToolCall, ToolInputEnd, Finish)) for p in parts)
    deltas = [p.delta for p in parts if isinstance(p, (ReasoningDelta, ToolInputDelta))]
    assert deltas == ["Call the tool.", '{"value":"Spa']


async def test_a_restart_before_any_part_is_retried_whole() -> None:
    restart = (FIXTURES / "restarted.sse").read_bytes()
    # Only the two starts: nothing reached the caller, so a new attempt is made.
    first, _, rest = restart.partition(b"event: content_block_start")
    second = rest[rest.index(b"event: message_start") :]
    server = Server()
    server.answers.append((200, first + second, "text/event-stream"))
    server.events("text.sse")

    async def no_sleep(seconds: float) -> None:
        return None

    parts = await collect(anthropic(server, RetryPolicy(sleep=no_sleep)), HELLO)
    assert fold(parts).text == "Olá! Tudo bem?"
    assert len(server.requests) == 2
