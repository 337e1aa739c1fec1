"""Gemini API: request bodies, schema conversion, ids, thought signatures, streams, errors."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import FakeServer

from reverie import Agent, Settings, tool
from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning, Text, ToolCall, ToolResult
from reverie.conversation import to_messages
from reverie.errors import ConfigurationError, ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.retry import NO_RETRY
from reverie.messages import (
    FilePart,
    Message,
    TextOutput,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import ErrorPart, Finish, FunctionTool, ResponseFormat, StreamPart
from reverie.providers.google import Google, GoogleOptions
from reverie.providers.google.options import WIRE_FIELDS
from reverie.providers.google.schema import to_gemini_schema
from reverie.providers.kit import Call
from reverie.warning import CallWarning

FIXTURES = Path(__file__).parent / "fixtures" / "google"
SECRET = "goog-test-secret-key"
ROOT = "https://generativelanguage.googleapis.com/v1beta/models"


@dataclass
class GoogleServer(FakeServer):
    """FakeServer that also records the URLs asked for."""

    urls: list[str] = field(default_factory=list)

    def chunks(self, name: str, status: int = 200) -> GoogleServer:
        lines = (FIXTURES / name).read_text().splitlines()
        body = "".join(line + "\r\n\r\n" for line in lines if line).encode()
        self.answers.append((status, body, "text/event-stream"))
        return self

    def client(self) -> httpx2.AsyncClient:
        def handle(request: httpx2.Request) -> httpx2.Response:
            self.urls.append(str(request.url))
            return self._handle(request)

        return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def gemini(server: GoogleServer, model: str = "gemini-2.5-flash", **settings: Any) -> Any:
    provider = Google(api_key=SECRET, client=server.client(), retry=NO_RETRY, **settings)
    return provider.model(model)


def answer(*parts: dict[str, Any], finish: str = "STOP", **extra: Any) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": list(parts)}, "finishReason": finish}
        ],
        "modelVersion": "gemini-2.5-flash",
        **extra,
    }


async def collect(model: Any, call: Call) -> list[StreamPart]:
    return [part async for part in model.stream(call)]


def fold(parts: list[StreamPart]) -> Any:
    acc = StreamAccumulator()
    for part in parts:
        acc.add(part)
    return acc.response()


ADD = FunctionTool(
    name="add",
    description="Add two numbers",
    input_schema={
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    },
)


# ---- schema -------------------------------------------------------------------------------


def convert(schema: dict[str, Any]) -> tuple[dict[str, Any], list[CallWarning]]:
    warnings: list[CallWarning] = []
    return to_gemini_schema(schema, warnings, "tool 't'"), warnings


def test_schema_nested_objects_and_arrays_get_upper_case_types() -> None:
    out, warnings = convert(
        {
            "type": "object",
            "properties": {
                "author": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "description": "who"}},
                    "required": ["name"],
                    "additionalProperties": False,
                },
                "genres": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "year": {"type": "integer", "minimum": 1900},
            },
            "required": ["author"],
            "$schema": "http://json-schema.org/draft-07/schema#",
        }
    )
    assert out == {
        "type": "OBJECT",
        "properties": {
            "author": {
                "type": "OBJECT",
                "properties": {"name": {"type": "STRING", "description": "who"}},
                "required": ["name"],
            },
            "genres": {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": 1},
            "year": {"type": "INTEGER", "minimum": 1900},
        },
        "required": ["author"],
    }
    assert warnings == []


def test_schema_enums_are_strings_and_const_is_an_enum() -> None:
    out, warnings = convert(
        {
            "type": "object",
            "properties": {
                "unit": {"type": "string", "enum": ["C", "F"]},
                "level": {"type": "integer", "enum": [1, 2]},
                "kind": {"const": "celsius"},
            },
        }
    )
    props = out["properties"]
    assert props["unit"] == {"type": "STRING", "enum": ["C", "F"]}
    assert props["level"] == {"type": "STRING", "enum": ["1", "2"]}
    assert props["kind"] == {"type": "STRING", "enum": ["celsius"]}
    assert [w.message for w in warnings] == [
        "tool 't' at level: non-string enum values were sent as strings"
    ]


def test_schema_any_of_with_null_becomes_nullable_and_refs_are_inlined() -> None:
    out, warnings = convert(
        {
            "type": "object",
            "properties": {
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
                "count": {"type": ["integer", "null"]},
                "shape": {"anyOf": [{"$ref": "#/$defs/Circle"}, {"type": "string"}]},
                "pick": {"oneOf": [{"type": "string"}, {"type": "number"}]},
            },
            "$defs": {
                "Circle": {"type": "object", "properties": {"r": {"type": "number"}}},
            },
        }
    )
    props = out["properties"]
    assert props["note"] == {"type": "STRING", "nullable": True, "default": None}
    assert props["count"] == {"type": "INTEGER", "nullable": True}
    assert props["shape"] == {
        "anyOf": [
            {"type": "OBJECT", "properties": {"r": {"type": "NUMBER"}}},
            {"type": "STRING"},
        ]
    }
    assert props["pick"] == {"anyOf": [{"type": "STRING"}, {"type": "NUMBER"}]}
    assert len(warnings) == 1 and "oneOf" in warnings[0].message


def test_schema_unsupported_keywords_are_dropped_with_a_warning() -> None:
    out, warnings = convert(
        {
            "type": "object",
            "properties": {
                "n": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 2},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "examples": [{"n": 2}],
        }
    )
    assert out == {
        "type": "OBJECT",
        "properties": {"n": {"type": "NUMBER"}, "tags": {"type": "OBJECT"}},
    }
    messages = sorted(w.message for w in warnings)
    assert messages == [
        "tool 't' at n: JSON schema keyword 'exclusiveMinimum' is not supported and was dropped",
        "tool 't' at n: JSON schema keyword 'multipleOf' is not supported and was dropped",
        "tool 't' at tags: 'additionalProperties' (a map's value schema) was dropped",
    ]


def test_schema_recursive_ref_is_cut_with_a_warning() -> None:
    out, warnings = convert(
        {
            "$ref": "#/$defs/Node",
            "$defs": {
                "Node": {
                    "type": "object",
                    "properties": {"next": {"$ref": "#/$defs/Node"}},
                }
            },
        }
    )
    depth = 0
    node = out
    while "properties" in node:
        node = node["properties"]["next"]
        depth += 1
    assert node == {"type": "OBJECT"} and depth > 1
    assert any("recursive $ref" in w.message for w in warnings)


# ---- request bodies -----------------------------------------------------------------------


async def test_request_body_url_and_key_header() -> None:
    server = GoogleServer().json(answer({"text": "Oi!"}))
    model = gemini(server)
    call = Call(
        prompt=[system_message("Be brief"), user_message("Say hi")],
        settings=Settings(max_output_tokens=100, temperature=0.5, top_k=4, stop_sequences=("x",)),
    )
    response = await model.generate(call)
    assert response.text == "Oi!"
    assert server.urls == [f"{ROOT}/gemini-2.5-flash:generateContent"]
    assert server.headers[0]["x-goog-api-key"] == SECRET
    assert "authorization" not in server.headers[0]
    assert server.requests[0] == {
        "contents": [{"role": "user", "parts": [{"text": "Say hi"}]}],
        "systemInstruction": {"role": "user", "parts": [{"text": "Be brief"}]},
        "generationConfig": {
            "maxOutputTokens": 100,
            "temperature": 0.5,
            "topK": 4,
            "stopSequences": ["x"],
        },
    }
    assert SECRET not in repr(model) and SECRET not in repr(model.http)


async def test_stream_url_uses_sse() -> None:
    server = GoogleServer().chunks("answer.chunks.txt")
    parts = await collect(gemini(server, "gemini-2.5-pro"), Call(prompt=[user_message("Hi")]))
    assert server.urls == [f"{ROOT}/gemini-2.5-pro:streamGenerateContent?alt=sse"]
    assert fold(parts).text == "5 and 6."
    assert "generationConfig" not in server.requests[0]


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        (None, {"mode": "AUTO"}),
        ("auto", {"mode": "AUTO"}),
        ("required", {"mode": "ANY"}),
        ("none", {"mode": "NONE"}),
        ("add", {"mode": "ANY", "allowedFunctionNames": ["add"]}),
    ],
)
async def test_tools_and_tool_choice(choice: str | None, config: dict[str, Any]) -> None:
    server = GoogleServer().json(answer({"text": "ok"}))
    call = Call(prompt=[user_message("2+3")], tools=[ADD], tool_choice=choice)
    await gemini(server).generate(call)
    body = server.requests[0]
    assert body["toolConfig"] == {"functionCallingConfig": config}
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "add",
                    "description": "Add two numbers",
                    "parameters": {
                        "type": "OBJECT",
                        "properties": {"a": {"type": "INTEGER"}, "b": {"type": "INTEGER"}},
                        "required": ["a", "b"],
                    },
                }
            ]
        }
    ]


async def test_options_go_to_the_wire_in_camel_case() -> None:
    server = GoogleServer().json(answer({"text": "ok"}))
    options = {
        "google": {
            "thinking_config": {"thinking_budget": 100, "include_thoughts": True},
            "safety_settings": [
                {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}
            ],
            "cached_content": "cachedContents/abc",
            "response_modalities": ["TEXT", "IMAGE"],
            "shiny_new_option": 1,
        },
        "openai": {"reasoning_effort": "high"},
    }
    call = Call(
        prompt=[user_message("Hi")],
        provider_options=options,
        response_format=ResponseFormat(schema={"type": "object"}, name="Thing"),
    )
    response = await gemini(server).generate(call)
    body = server.requests[0]
    assert body["generationConfig"] == {
        "thinkingConfig": {"thinkingBudget": 128, "includeThoughts": True},
        "responseModalities": ["TEXT", "IMAGE"],
        "responseMimeType": "application/json",
        "responseJsonSchema": {"type": "object"},
    }
    assert body["safetySettings"] == [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}
    ]
    assert body["cachedContent"] == "cachedContents/abc"
    settings = sorted(w.setting or "" for w in response.warnings)
    assert settings == ["google.shiny_new_option", "google.thinking_config.thinking_budget"]


def test_every_typed_option_has_a_place_on_the_wire() -> None:
    assert set(GoogleOptions.__annotations__) == set(WIRE_FIELDS)


async def test_files_travel_inline_or_by_uri() -> None:
    server = GoogleServer().json(answer({"text": "a star"}))
    files = [
        FilePart(media_type="image/png", data=b"\x89PNG"),
        FilePart(media_type="application/pdf", url="gs://bucket/doc.pdf"),
    ]
    await gemini(server).generate(Call(prompt=[user_message("Describe", files)]))
    assert server.requests[0]["contents"][0]["parts"] == [
        {"text": "Describe"},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://bucket/doc.pdf"}},
    ]


# ---- ids and matching ---------------------------------------------------------------------


CALLS = answer(
    {"functionCall": {"name": "add", "args": {"a": 2, "b": 3}}},
    {"functionCall": {"name": "add", "args": {"a": 1, "b": 1}}},
)


async def test_sequential_ids_count_per_provider_instance() -> None:
    server = GoogleServer().json(CALLS).json(CALLS)
    provider = Google(api_key=SECRET, client=server.client(), retry=NO_RETRY)
    call = Call(prompt=[user_message("add")], tools=[ADD])
    first = await provider.model("gemini-2.5-flash").generate(call)
    second = await provider.model("gemini-2.5-pro").generate(call)
    ids = [c.tool_call_id for r in (first, second) for c in r.content if isinstance(c, ToolCall)]
    assert ids == ["1", "2", "3", "4"]
    assert first.finish_reason is FinishReason.TOOL_CALLS

    fresh = GoogleServer().json(CALLS)
    again = await gemini(fresh).generate(call)
    assert [c.tool_call_id for c in again.content if isinstance(c, ToolCall)] == ["1", "2"]


async def test_tool_name_and_callable_ids_and_api_ids_kept() -> None:
    server = GoogleServer().json(CALLS)
    named = await gemini(server, tool_call_ids="tool_name").generate(Call(prompt=[]))
    assert [c.tool_call_id for c in named.content if isinstance(c, ToolCall)] == ["add", "add"]

    server = GoogleServer().json(CALLS)
    made = await gemini(server, tool_call_ids=lambda name: f"{name}-x").generate(Call(prompt=[]))
    assert [c.tool_call_id for c in made.content if isinstance(c, ToolCall)] == ["add-x"] * 2

    server = GoogleServer().json(answer({"functionCall": {"name": "add", "args": {}, "id": "g3"}}))
    given = await gemini(server).generate(Call(prompt=[]))
    assert [c.tool_call_id for c in given.content if isinstance(c, ToolCall)] == ["g3"]

    with pytest.raises(ConfigurationError, match="tool_call_ids"):
        Google(api_key=SECRET, tool_call_ids="random")  # type: ignore[arg-type]


async def test_parallel_results_are_matched_to_calls_by_order() -> None:
    server = GoogleServer().json(answer({"text": "done"}))
    history = [
        user_message("Add and multiply"),
        Message(
            role="assistant",
            content=(
                ToolCallPart(tool_call_id="1", tool_name="add", input='{"a":2,"b":3}'),
                ToolCallPart(tool_call_id="2", tool_name="multiply", input='{"a":2,"b":3}'),
            ),
        ),
        Message(  # results arriving in the other order go back in call order
            role="tool",
            content=(
                ToolResultPart(tool_call_id="2", tool_name="multiply", output=TextOutput(text="6")),
                ToolResultPart(tool_call_id="1", tool_name="add", output=TextOutput(text="5")),
            ),
        ),
    ]
    await gemini(server).generate(Call(prompt=history))
    contents = server.requests[0]["contents"]
    assert contents[1] == {
        "role": "model",
        "parts": [
            {"functionCall": {"name": "add", "args": {"a": 2, "b": 3}, "id": "1"}},
            {"functionCall": {"name": "multiply", "args": {"a": 2, "b": 3}, "id": "2"}},
        ],
    }
    assert contents[2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "add", "response": {"result": "5"}, "id": "1"}},
            {"functionResponse": {"name": "multiply", "response": {"result": "6"}, "id": "2"}},
        ],
    }


# ---- thought signatures across two turns --------------------------------------------------


@tool
def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two numbers"""
    return a * b


SIGNED_MODEL_TURN = [
    {"text": "**Planning** I should add and multiply.", "thought": True,
     "thoughtSignature": "sig-thought"},
    {"text": "Let me compute.", "thoughtSignature": "sig-text"},
    {"functionCall": {"name": "add", "args": {"a": 2, "b": 3}, "id": "1"},
     "thoughtSignature": "sig-add"},
    {"functionCall": {"name": "multiply", "args": {"a": 2, "b": 3}, "id": "2"},
     "thoughtSignature": "sig-multiply"},
    {"text": "", "thoughtSignature": "sig-empty"},
]  # fmt: skip


async def test_stream_signatures_go_back_on_the_same_kind_of_part() -> None:
    server = GoogleServer(chunk_size=23).chunks("signed_parts.chunks.txt")
    server.chunks("answer.chunks.txt")
    agent = Agent(gemini(server, "gemini-2.5-pro"), tools=[add, multiply])
    result = await agent.stream("Add and multiply 2 and 3").collect()
    assert result.text == "5 and 6."
    step = result.steps[0]
    signatures = [
        (type(c).__name__, c.text if isinstance(c, Text | Reasoning) else c.tool_name)
        for c in step.content
        if not isinstance(c, ToolResult)
    ]
    assert signatures == [
        ("Reasoning", "**Planning** I should add and multiply."),
        ("Text", "Let me compute."),
        ("ToolCall", "add"),
        ("ToolCall", "multiply"),
        ("Text", ""),
    ]
    second = server.requests[1]["contents"]
    assert second[1] == {"role": "model", "parts": SIGNED_MODEL_TURN}
    assert [p["functionResponse"]["name"] for p in second[2]["parts"]] == ["add", "multiply"]
    usage = step.usage
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens) == (40, 32, 12)
    assert usage.cache_read_tokens == 16 and usage.total_tokens == 72


async def test_generate_signatures_go_back_on_the_same_kind_of_part() -> None:
    wire = copy.deepcopy(SIGNED_MODEL_TURN)
    for part in wire:  # Gemini 2.5 sends no ids; ours are counted
        part.get("functionCall", {}).pop("id", None)
    server = GoogleServer().json(answer(*wire)).json(answer({"text": "5 and 6."}))
    agent = Agent(gemini(server, "gemini-2.5-pro"), tools=[add, multiply])
    result = await agent.run("Add and multiply 2 and 3")
    assert result.text == "5 and 6."
    assert server.requests[1]["contents"][1] == {"role": "model", "parts": SIGNED_MODEL_TURN}


async def test_thought_without_signature_is_not_sent_back() -> None:
    response = answer(
        {"text": "thinking…", "thought": True},
        {"functionCall": {"name": "add", "args": {"a": 1, "b": 2}}, "thoughtSignature": "s"},
    )
    server = GoogleServer().json(response).json(answer({"text": "3"}))
    agent = Agent(gemini(server), tools=[add])
    result = await agent.run("1+2")
    assert isinstance(result.steps[0].content[0], Reasoning)
    assert server.requests[1]["contents"][1]["parts"] == [
        {"functionCall": {"name": "add", "args": {"a": 1, "b": 2}, "id": "1"},
         "thoughtSignature": "s"}
    ]  # fmt: skip


async def test_hidden_thoughts_leave_an_empty_reasoning_part_when_asked_for() -> None:
    options = {"google": {"thinking_config": {"include_thoughts": True}}}
    call = Call(prompt=[user_message("weather?")], provider_options=options)
    parts = await collect(gemini(GoogleServer().chunks("hidden_thoughts.chunks.txt")), call)
    content = fold(parts).content
    assert [type(c).__name__ for c in content] == ["Reasoning", "ToolCall"]
    assert content[0].text == "" and content[0].provider_metadata == {}
    assert content[1].tool_call_id == "g3-call"
    assert content[1].provider_metadata == {"google": {"thought_signature": "sig-call"}}
    messages = to_messages(content, [])
    assert messages[0].content[1].provider_options == content[1].provider_metadata

    # Not asked for: no reasoning part is made up.
    plain = Call(prompt=[user_message("weather?")])
    parts = await collect(gemini(GoogleServer().chunks("hidden_thoughts.chunks.txt")), plain)
    assert [type(c).__name__ for c in fold(parts).content] == ["ToolCall"]


# ---- stream ends and errors ---------------------------------------------------------------


async def test_truncated_stream_is_a_stream_error() -> None:
    server = GoogleServer().chunks("truncated.chunks.txt")
    parts = await collect(gemini(server), Call(prompt=[user_message("weather?")]))
    assert isinstance(parts[-1], ErrorPart)
    assert isinstance(parts[-1].error, StreamError)
    assert "finishReason" in str(parts[-1].error)
    assert not any(isinstance(p, Finish) for p in parts)


async def test_in_band_stream_error_is_a_retryable_stream_error() -> None:
    server = GoogleServer().chunks("error_event.chunks.txt")
    parts = await collect(gemini(server), Call(prompt=[user_message("Hi")]))
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, StreamError)
    assert "overloaded" in str(error.error) and "UNAVAILABLE" in str(error.error)
    assert error.error.retryable and error.error.status == 503


async def test_http_error_body_is_a_provider_error() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    server = GoogleServer().json(body, status=429)
    with pytest.raises(ProviderError) as caught:
        await gemini(server).generate(Call(prompt=[user_message("Hi")]))
    assert caught.value.status == 429 and caught.value.retryable
    assert "Resource has been exhausted" in str(caught.value)
    assert SECRET not in str(caught.value)


async def test_error_in_a_200_answer_is_a_provider_error() -> None:
    body = [{"error": {"code": 400, "message": "Invalid argument", "status": "INVALID_ARGUMENT"}}]
    server = GoogleServer()
    server.answers.append((200, json.dumps(body).encode(), "application/json"))
    with pytest.raises(ProviderError, match="INVALID_ARGUMENT: Invalid argument") as caught:
        await gemini(server).generate(Call(prompt=[user_message("Hi")]))
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("wire", "ours"),
    [
        ("MAX_TOKENS", FinishReason.LENGTH),
        ("SAFETY", FinishReason.CONTENT_FILTER),
        ("RECITATION", FinishReason.CONTENT_FILTER),
        ("PROHIBITED_CONTENT", FinishReason.CONTENT_FILTER),
        ("MALFORMED_FUNCTION_CALL", FinishReason.ERROR),
        ("SOMETHING_NEW", FinishReason.OTHER),
    ],
)
async def test_finish_reasons(wire: str, ours: FinishReason) -> None:
    server = GoogleServer().json(answer({"text": "x"}, finish=wire))
    response = await gemini(server).generate(Call(prompt=[user_message("Hi")]))
    assert response.finish_reason is ours


async def test_blocked_prompt_ends_with_content_filter() -> None:
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 5},
    }
    server = GoogleServer().json(blocked)
    response = await gemini(server).generate(Call(prompt=[user_message("…")]))
    assert response.content == [] and response.finish_reason is FinishReason.CONTENT_FILTER
    assert response.provider_metadata["google"]["prompt_feedback"] == {"blockReason": "SAFETY"}

    server = GoogleServer()
    event = f"data: {json.dumps(blocked)}\r\n\r\n".encode()
    server.answers.append((200, event, "text/event-stream"))
    parts = await collect(gemini(server), Call(prompt=[user_message("…")]))
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason is FinishReason.CONTENT_FILTER


# ---- imports ------------------------------------------------------------------------------


def test_the_gemini_path_needs_no_extra() -> None:
    code = (
        "import sys, json; from reverie.providers.google import Google; "
        "Google(api_key='k').model('gemini-2.5-flash'); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not any(m == "google" or m.startswith("google.") for m in loaded)
    assert "reverie.http.google_auth" not in loaded
    assert "reverie.providers.openai_chat" not in loaded


async def test_images_and_grounding_sources_come_back() -> None:
    grounding = {
        "groundingChunks": [
            {"web": {"uri": "https://example.com/a", "title": "A"}},
            {"web": {"uri": "https://example.com/b", "title": "B"}},
        ]
    }
    body = answer(
        {"text": "Here:"},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}},
        responseId="resp-1",
    )
    body["candidates"][0]["groundingMetadata"] = grounding
    server = GoogleServer().json(body)
    response = await gemini(server).generate(Call(prompt=[user_message("Draw")]))
    kinds = [type(c).__name__ for c in response.content]
    assert kinds == ["Text", "File", "Source", "Source"]
    assert response.content[1].data == b"\x89PNG"  # type: ignore[union-attr]
    assert [s.url for s in response.content[2:]] == [  # type: ignore[union-attr]
        "https://example.com/a",
        "https://example.com/b",
    ]
    google = response.provider_metadata["google"]
    assert google["grounding_metadata"] == grounding and google["response_id"] == "resp-1"

    server = GoogleServer()
    event = f"data: {json.dumps(body)}\r\n\r\n".encode()
    server.answers.append((200, event, "text/event-stream"))
    streamed = fold(await collect(gemini(server), Call(prompt=[user_message("Draw")])))
    assert [type(c).__name__ for c in streamed.content] == kinds
