"""Object generation through real provider families over a mock transport: what each mode
puts on the wire, and what comes back."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import BaseModel

import reverie
from reverie import FinishReason, PartialObject
from reverie.conformance.groups import load_cases
from reverie.conformance.runner import run_all


class Author(BaseModel):
    name: str
    nationality: str


class Book(BaseModel):
    title: str
    author: Author


BOOK = {"title": "LOTR", "author": {"name": "Tolkien", "nationality": "British"}}


class Server:
    """Answers each request with the next body; keeps the request bodies."""

    def __init__(self, *answers: tuple[str, str]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def client(self) -> httpx2.AsyncClient:
        def handle(request: httpx2.Request) -> httpx2.Response:
            self.requests.append(json.loads(request.content))
            body, content_type = self.answers.pop(0)
            return httpx2.Response(200, content=body, headers={"content-type": content_type})

        return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def sse(*events: dict[str, Any], done: bool = False) -> tuple[str, str]:
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    return body + ("data: [DONE]\n\n" if done else ""), "text/event-stream"


def chat_answer(message: dict[str, Any], finish: str) -> tuple[str, str]:
    body = {
        "id": "x",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    return json.dumps(body), "application/json"


def model(name: str, server: Server, model_id: str, **kwargs: Any) -> Any:
    return reverie.provider(name, api_key="k", client=server.client(), **kwargs).model(model_id)


async def test_openai_chat_sends_a_strict_schema_with_every_object_closed() -> None:
    server = Server(chat_answer({"role": "assistant", "content": json.dumps(BOOK)}, "stop"))
    book = await reverie.generate_object(
        model("openai", server, "gpt-4o"), Book, prompt="x", description="A book"
    )
    assert book.author.name == "Tolkien"
    fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    wire = fmt["json_schema"]
    assert (wire["name"], wire["strict"], wire["description"]) == ("Book", True, "A book")
    assert wire["schema"]["additionalProperties"] is False
    assert wire["schema"]["$defs"]["Author"]["additionalProperties"] is False
    assert wire["schema"]["properties"]["author"] == {"$ref": "#/$defs/Author"}


async def test_openai_responses_sends_text_format_without_description() -> None:
    answer = {
        "id": "r",
        "model": "gpt-4o",
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "m",
                "role": "assistant",
                "content": [{"type": "output_text", "text": json.dumps(BOOK), "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
    }
    server = Server((json.dumps(answer), "application/json"))
    llm = model("openai", server, "gpt-4o", api="responses")
    await reverie.generate_object(llm, Book, prompt="x", description="A book")
    wire = server.requests[0]["text"]["format"]
    assert set(wire) == {"type", "name", "schema"}
    assert wire["schema"]["$defs"]["Author"]["additionalProperties"] is False


async def test_openai_compatible_servers_get_one_forced_tool() -> None:
    call = {
        "id": "c1",
        "type": "function",
        "function": {"name": "Book", "arguments": json.dumps(BOOK)},
    }
    server = Server(chat_answer({"role": "assistant", "tool_calls": [call]}, "tool_calls"))
    llm = model("openai-compat", server, "llama", base_url="http://localhost:1/v1")
    result = await reverie.generate_object_result(llm, Book, prompt="x", description="A book")
    assert result.object == Book.model_validate(BOOK)
    assert result.finish_reason == FinishReason.STOP
    body = server.requests[0]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Book"}}
    [tool] = body["tools"]
    assert tool["function"]["name"] == "Book"
    assert tool["function"]["description"] == "A book"
    assert "response_format" not in body


async def test_gemini_gets_the_schema_unchanged() -> None:
    answer = {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": json.dumps(BOOK)}]}, "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
    }
    server = Server((json.dumps(answer), "application/json"))
    schema = {"type": "object", "properties": {"title": {"type": "string"}}}
    await reverie.generate_object(model("google", server, "gemini-2.5-flash"), schema, prompt="x")
    config = server.requests[0]["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"] == schema


async def test_anthropic_streams_the_forced_tool_input_as_partials() -> None:
    text = json.dumps(BOOK)
    pieces = [text[i : i + 7] for i in range(0, len(text), 7)]
    events = [
        {"type": "message_start", "message": {"model": "claude", "usage": {"input_tokens": 5}}},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "t1", "name": "Book", "input": {}},
        },
        *(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": p},
            }
            for p in pieces
        ),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 9},
        },
        {"type": "message_stop"},
    ]
    server = Server(sse(*events))
    llm = model("anthropic", server, "claude-sonnet-4")
    stream = reverie.stream_object(llm, Book, prompt="x")
    partials = [p.object async for p in stream if isinstance(p, PartialObject)]
    assert partials[-1] == BOOK and len(partials) > 3
    assert stream.result.finish_reason == FinishReason.STOP
    assert stream.result.usage.total_tokens == 14
    body = server.requests[0]
    assert body["tool_choice"] == {
        "type": "tool",
        "name": "Book",
        "disable_parallel_tool_use": False,
    }


CORPUS = Path(os.environ["REVERIE_CONFORMANCE"])
GROUPS = ["OpenAI", "OpenAIResponses", "Anthropic", "Google"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_the_object_generation_groups_pass() -> None:
    import io

    files = [CORPUS / "groups" / f"Test{g}ObjectGeneration.toml" for g in GROUPS]
    cases = [c for f in files for c in load_cases(f, CORPUS / "cassettes")]
    out = io.StringIO()
    failed = run_all(cases, CORPUS / "cassettes", out)
    assert out.getvalue().splitlines()[-1] == "48 passed, 0 failed, 0 skipped", out.getvalue()
    assert failed == 0
