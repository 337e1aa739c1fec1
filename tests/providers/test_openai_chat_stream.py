"""Chat-completions stream chunks → stream parts, fed to the parser chunk by chunk: which
choice is read, how reasoning, text and tool deltas are framed, what the Finish carries, and
the errors for chunks that are not the documented shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reverie.content import ToolCall
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.sse import ServerSentEvent
from reverie.model import (
    Finish,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.stream import ChatStreamParser
from reverie.providers.openai_compat import CompatDialect
from reverie.providers.openrouter import RouterDialect
from reverie.usage import Usage
from reverie.warning import CallWarning


def parse(*chunks: Any, dialect: ChatDialect | None = None, **kw: Any) -> list[StreamPart]:
    parser = ChatStreamParser(dialect or ChatDialect(), kw.get("warnings", []), "openai")
    parts: list[StreamPart] = []
    for chunk in chunks:
        data = chunk if isinstance(chunk, str) else json.dumps(chunk)
        parts += parser.feed(ServerSentEvent(event="", data=data))
    assert parser.done is ("[DONE]" in chunks)
    return parts + parser.finish()


def delta(index: int = 0, finish: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"choices": [{"index": index, "delta": fields, "finish_reason": finish}]}


def test_only_the_first_choice_is_read() -> None:
    chunk = {
        "choices": [
            {"index": 1, "delta": {"content": "other"}, "finish_reason": "length"},
            {"index": 0, "delta": {"content": "mine"}, "finish_reason": "stop"},
        ]
    }
    parts = parse(chunk, "[DONE]")
    assert [p for p in parts if isinstance(p, TextDelta)] == [TextDelta(id="text-0", delta="mine")]
    assert isinstance(parts[-1], Finish) and parts[-1].finish_reason == FinishReason.STOP


def test_reasoning_and_content_in_one_chunk_are_reasoning_then_text() -> None:
    parts = parse(
        delta(reasoning_content="Think.", content="Answer"), "[DONE]", dialect=CompatDialect()
    )
    assert [type(p) for p in parts[:-1]] == [
        ReasoningStart,
        ReasoningDelta,
        ReasoningEnd,
        TextStart,
        TextDelta,
        TextEnd,
    ]
    assert parts[1].delta == "Think." and parts[4].delta == "Answer"  # type: ignore[union-attr]


def test_a_tool_call_before_any_text_closes_the_reasoning_first() -> None:
    call = {"index": 0, "id": "c1", "function": {"name": "t", "arguments": "{}"}}
    parts = parse(delta(reasoning_content="Hmm"), delta(tool_calls=[call]), dialect=CompatDialect())
    assert [p.type for p in parts[:4]] == [
        "reasoning-start",
        "reasoning-delta",
        "reasoning-end",
        "tool-input-start",
    ]


def test_the_finish_carries_the_calls_warnings_model_usage_and_metadata() -> None:
    warning = CallWarning(kind="other", message="seed ignored")
    chunks = [
        {"model": "gpt-4o-2024", "provider": "Azure", **delta(content="hi")},
        {"model": "other", **delta(finish="length")},
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
        "[DONE]",
    ]
    finish = parse(*chunks, dialect=RouterDialect(), warnings=[warning])[-1]
    assert isinstance(finish, Finish)
    assert finish.warnings == [warning]
    assert finish.model_id == "gpt-4o-2024"
    assert finish.finish_reason == FinishReason.LENGTH
    assert (finish.usage.input_tokens, finish.usage.output_tokens) == (3, 2)
    assert finish.provider_metadata == {"openrouter": {"provider": "Azure"}}


def test_a_stream_without_a_finish_reason_finishes_unknown() -> None:
    finish = parse(delta(content="hi"), "[DONE]")[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.UNKNOWN


def test_tool_deltas_without_index_are_placed_by_position_and_without_name_are_unnamed() -> None:
    first = [
        {"id": "a", "function": {"name": "one", "arguments": '{"x":'}},
        {"id": "b", "function": {"arguments": "{}"}},
    ]
    parts = parse(delta(tool_calls=first), delta(tool_calls=[{"function": {"arguments": "1}"}}]))
    assert [p for p in parts if isinstance(p, ToolInputStart)] == [
        ToolInputStart(id="a", tool_name="one"),
        ToolInputStart(id="b", tool_name=""),
    ]
    assert [p for p in parts if isinstance(p, ToolInputDelta)] == [
        ToolInputDelta(id="a", delta='{"x":'),
        ToolInputDelta(id="b", delta="{}"),
        ToolInputDelta(id="a", delta="1}"),
    ]
    calls = [p for p in parts if isinstance(p, ToolCall)]
    assert [(c.tool_call_id, c.tool_name, c.input) for c in calls] == [
        ("a", "one", '{"x":1}'),
        ("b", "", "{}"),
    ]


def test_a_tool_call_without_an_id_gets_one_from_its_index() -> None:
    parts = parse(delta(tool_calls=[{"index": 3, "function": {"name": "t"}}]))
    assert [p.id for p in parts if isinstance(p, ToolInputEnd)] == ["call_3"]


def test_arguments_sent_as_an_object_are_encoded_as_json() -> None:
    call = {"index": 0, "id": "c", "function": {"name": "t", "arguments": {"city": "Rome"}}}
    parts = parse(delta(tool_calls=[call]))
    assert [p.delta for p in parts if isinstance(p, ToolInputDelta)] == ['{"city": "Rome"}']


def test_an_empty_content_string_opens_no_text() -> None:
    assert [p.type for p in parse(delta(content=""), "[DONE]")] == ["finish"]


def test_an_error_chunk_raises_its_message() -> None:
    with pytest.raises(StreamError) as caught:
        parse({"error": {"message": "overloaded", "code": 529}})
    assert str(caught.value) == "openai: stream error: overloaded"
    assert caught.value.provider == "openai"


def test_an_error_chunk_that_is_a_string_raises_it() -> None:
    with pytest.raises(StreamError, match=r"^openai: stream error: boom$"):
        parse({"error": "boom"})


@pytest.mark.parametrize(
    ("chunk", "message"),
    [
        ("{not json", "openai: malformed stream event: '{not json'"),
        ("[1]", "openai: stream event is not an object: '[1]'"),
        ({"usage": 5}, "openai: 'usage' is not an object: 5"),
        ({"choices": {"a": 1}}, "openai: 'choices' is not a list: {'a': 1}"),
        ({"choices": [3]}, "openai: 'choices[0]' is not an object: 3"),
        ({"choices": [{"delta": [1]}]}, "openai: 'choices[0].delta' is not an object: [1]"),
        (
            delta(tool_calls={"a": 1}),
            "openai: 'choices[0].delta.tool_calls' is not a list: {'a': 1}",
        ),
        (delta(tool_calls=[7]), "openai: 'choices[0].delta.tool_calls[0]' is not an object: 7"),
        (
            delta(tool_calls=[{"index": "0"}]),
            "openai: 'choices[0].delta.tool_calls[0].index' is not a number: '0'",
        ),
        (
            delta(tool_calls=[{"function": [1]}]),
            "openai: 'choices[0].delta.tool_calls[0].function' is not an object: [1]",
        ),
        (
            delta(tool_calls=[{"id": 5}]),
            "openai: 'choices[0].delta.tool_calls[0].id' is not a string: 5",
        ),
    ],
)
def test_a_chunk_of_the_wrong_shape_is_an_error_naming_the_field(chunk: Any, message: str) -> None:
    with pytest.raises(StreamError) as caught:
        parse(chunk)
    assert str(caught.value) == message


def test_a_stream_of_only_done_finishes_with_empty_model_and_metadata() -> None:
    [finish] = parse("[DONE]")
    assert finish == Finish(
        finish_reason=FinishReason.UNKNOWN,
        usage=Usage(reported=False),
        model_id="",
        provider_metadata={},
    )


def test_an_error_chunk_keeps_the_providers_error_as_the_body() -> None:
    with pytest.raises(StreamError) as caught:
        parse({"error": {"message": "overloaded", "code": 529}})
    assert caught.value.body == '{"message": "overloaded", "code": 529}'


@pytest.mark.parametrize(
    ("data", "start"),
    [("{" + "x" * 300, "malformed stream event"), ("9" * 300, "stream event is not")],
)
def test_a_bad_event_is_quoted_up_to_200_characters(data: str, start: str) -> None:
    with pytest.raises(StreamError) as caught:
        parse(data)
    assert str(caught.value).startswith(f"openai: {start}")
    assert str(caught.value).endswith(f": {data[:200]!r}")


def test_bad_usage_is_reported_under_the_streams_provider() -> None:
    parser = ChatStreamParser(ChatDialect(), [], "openrouter")
    parser.feed(ServerSentEvent(event="", data='{"usage": {"prompt_tokens_details": 5}}'))
    with pytest.raises(ProviderError) as caught:
        parser.finish()
    assert str(caught.value) == "openrouter: 'usage.prompt_tokens_details' is not an object: 5"
