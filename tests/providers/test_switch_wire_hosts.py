"""The parsers read through the one reader (wire) and record the host that produced replay
metadata (switch), together: away from a namespace's home the host is stamped, at home it is
not, and a malformed field is still an error naming its path."""

from __future__ import annotations

from typing import Any

import pytest

from reverie.content import Reasoning, Text, ToolCall, ToolResult
from reverie.errors import ProviderError, StreamError
from reverie.model import ReasoningEnd, TextEnd
from reverie.providers.anthropic.response import parse_response as parse_anthropic
from reverie.providers.google.ids import make_id_generator
from reverie.providers.google.response import parse_response as parse_gemini
from reverie.providers.openai_responses.response import parse_response as parse_responses
from reverie.providers.openai_responses.stream import ResponsesStreamParser


def responses_answer(text: Any = "hi") -> dict[str, Any]:
    return {
        "id": "resp_1",
        "model": "gpt-5",
        "status": "completed",
        "output": [
            {"type": "reasoning", "id": "rs_1", "encrypted_content": "enc", "summary": []},
            {
                "type": "message",
                "id": "msg_1",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            },
            {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "call_1",
                "name": "lookup",
                "arguments": "{}",
            },
        ],
    }


@pytest.mark.parametrize(("provider", "host"), [("openai", None), ("azure", "azure")])
def test_a_responses_answer_records_its_host_on_every_replayed_item(
    provider: str, host: str | None
) -> None:
    response = parse_responses(responses_answer(), [], provider)
    reasoning, text, call = response.content
    assert isinstance(reasoning, Reasoning) and isinstance(text, Text)
    assert isinstance(call, ToolCall)
    for item, item_id in ((reasoning, "rs_1"), (text, "msg_1"), (call, "fc_1")):
        values = item.provider_metadata["openai"]
        assert values["item_id"] == item_id
        assert values.get("host") == host
    assert reasoning.provider_metadata["openai"]["encrypted_content"] == "enc"


def test_a_malformed_responses_text_is_an_error_naming_its_path_on_any_host() -> None:
    with pytest.raises(ProviderError, match=r"^azure: 'output\[1\]\.content\[0\]\.text'"):
        parse_responses(responses_answer(text=7), [], "azure")


def stream_call(name: Any) -> list[Any]:
    parser = ResponsesStreamParser([], "azure")
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": name}
    parser.feed_event({"type": "response.output_item.added", "item": item})
    parser.feed_event(
        {"type": "response.output_item.done", "item": {**item, "arguments": '{"q":1}'}}
    )
    message = {
        "type": "message",
        "id": "msg_1",
        "content": [{"type": "output_text", "text": "hi"}],
    }
    parser.feed_event({"type": "response.output_item.done", "item": message})
    reasoning = {"type": "reasoning", "id": "rs_1", "encrypted_content": "enc"}
    parser.feed_event({"type": "response.output_item.added", "item": reasoning})
    parser.feed_event({"type": "response.output_item.done", "item": reasoning})
    return parser.finish()


def test_a_responses_stream_records_its_host_on_calls_text_and_reasoning() -> None:
    parts = stream_call("lookup")
    (call,) = [p for p in parts if isinstance(p, ToolCall)]
    assert call.tool_name == "lookup"
    assert call.provider_metadata == {"openai": {"item_id": "fc_1", "host": "azure"}}
    (text_end,) = [p for p in parts if isinstance(p, TextEnd)]
    assert text_end.provider_metadata == {"openai": {"item_id": "msg_1", "host": "azure"}}
    (reasoning_end,) = [p for p in parts if isinstance(p, ReasoningEnd)]
    assert reasoning_end.provider_metadata["openai"]["host"] == "azure"


def test_a_malformed_streamed_call_name_is_a_stream_error_naming_its_path() -> None:
    with pytest.raises(StreamError, match=r"'item\.name'"):
        stream_call(["lookup"])
    # a call that comes whole, in its done event only, is read as strictly
    parser = ResponsesStreamParser([], "azure")
    item = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": 5}
    with pytest.raises(StreamError, match=r"'item\.name'"):
        parser.feed_event({"type": "response.output_item.done", "item": item})


def gemini_answer(text: Any = "thinking done") -> dict[str, Any]:
    return {
        "modelVersion": "gemini-2.5-pro",
        "candidates": [
            {
                "finishReason": "STOP",
                "content": {"role": "model", "parts": [{"text": text, "thoughtSignature": "s"}]},
            }
        ],
    }


@pytest.mark.parametrize(("provider", "host"), [("google", None), ("vertex", "vertex")])
def test_a_gemini_answer_records_the_host_of_its_signatures(
    provider: str, host: str | None
) -> None:
    ids = make_id_generator(None, provider)
    (text,) = parse_gemini(gemini_answer(), [], provider, ids).content
    assert isinstance(text, Text)
    assert text.provider_metadata["google"]["thought_signature"] == "s"
    assert text.provider_metadata["google"].get("host") == host


def test_a_malformed_gemini_part_is_an_error_naming_its_field_on_any_host() -> None:
    ids = make_id_generator(None, "vertex")
    with pytest.raises(ProviderError, match=r"^vertex: 'part\.text'"):
        parse_gemini(gemini_answer(text=["x"]), [], "vertex", ids)


@pytest.mark.parametrize(("provider", "host"), [("anthropic", None), ("bedrock", "bedrock")])
def test_a_claude_server_result_records_its_host(provider: str, host: str | None) -> None:
    body = {
        "model": "claude-sonnet-4-5",
        "stop_reason": "end_turn",
        "content": [
            {
                "type": "server_tool_use",
                "id": "srvtoolu_1",
                "name": "web_search",
                "input": {"query": "q"},
            },
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
        ],
    }
    (result,) = [
        c for c in parse_anthropic(body, provider, []).content if isinstance(c, ToolResult)
    ]
    assert result.provider_metadata["anthropic"]["type"] == "web_search_tool_result"
    assert result.provider_metadata["anthropic"].get("host") == host
