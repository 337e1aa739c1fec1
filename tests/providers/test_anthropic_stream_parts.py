"""Anthropic stream events → stream parts (providers/anthropic/stream.py), fed to the parser
event by event: how each content block is framed, what the Finish carries, and the errors for
events that are not the documented shape."""

from __future__ import annotations

from typing import Any

import pytest

from reverie.content import Source, ToolCall, ToolResult
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.messages import TextOutput
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
from reverie.providers.anthropic.stream import AnthropicStream
from reverie.usage import Usage
from reverie.warning import CallWarning


def parse(*events: Any, warnings: list[CallWarning] | None = None) -> list[StreamPart]:
    """Every part the events give, then the closing parts and the Finish."""
    parser = AnthropicStream("anthropic", warnings if warnings is not None else [])
    parts: list[StreamPart] = []
    for event in events:
        parts += parser.feed(event)
    return parts + parser.finish()


def feed(*events: Any) -> list[StreamPart]:
    """The parts the events give, without finishing the stream."""
    parser = AnthropicStream("anthropic", [])
    return [part for event in events for part in parser.feed(event)]


def start(index: int, **block: Any) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, **fields: Any) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": fields}


def stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def finish_of(parts: list[StreamPart]) -> Finish:
    last = parts[-1]
    assert isinstance(last, Finish)
    return last


# ---- message events -------------------------------------------------------------------------


def test_message_stop_marks_the_stream_done() -> None:
    parser = AnthropicStream("anthropic", [])
    assert parser.terminal == "message_stop"
    assert parser.done is False
    assert parser.feed({"type": "message_start", "message": {}}) == []
    assert parser.done is False
    assert parser.feed({"type": "message_stop"}) == []
    assert parser.done is True


def test_ping_and_unknown_events_give_nothing() -> None:
    parser = AnthropicStream("anthropic", [])
    assert parser.feed({"type": "ping"}) == []
    assert parser.feed({"type": "something_new", "index": 0}) == []
    assert not parser.done


def test_the_finish_carries_the_model_stop_reason_usage_and_warnings() -> None:
    warnings = [CallWarning(kind="other", message="w")]
    parts = parse(
        {
            "type": "message_start",
            "message": {"model": "claude-x", "usage": {"input_tokens": 10, "output_tokens": 1}},
        },
        {
            "type": "message_delta",
            "delta": {"stop_reason": "max_tokens"},
            "usage": {"output_tokens": 7},
        },
        {"type": "message_stop"},
        warnings=warnings,
    )
    assert parts == [
        Finish(
            finish_reason=FinishReason.LENGTH,
            usage=Usage(input_tokens=10, output_tokens=7, total_tokens=17),
            warnings=warnings,
            model_id="claude-x",
        )
    ]


def test_a_stream_without_a_stop_reason_finishes_unknown() -> None:
    parts = parse({"type": "message_start", "message": None}, {"type": "message_stop"})
    unreported = Usage(reported=False)
    assert parts == [Finish(finish_reason=FinishReason.UNKNOWN, usage=unreported, model_id="")]


def test_a_stream_without_message_start_finishes_with_no_model() -> None:
    parts = parse({"type": "message_stop"})
    unreported = Usage(reported=False)
    assert parts == [Finish(finish_reason=FinishReason.UNKNOWN, usage=unreported, model_id="")]


def test_a_message_delta_without_a_delta_keeps_its_usage() -> None:
    parts = parse(
        {"type": "message_delta", "usage": {"output_tokens": 3}},
        {"type": "message_delta", "usage": {"input_tokens": 2}},
    )
    finish = finish_of(parts)
    assert finish.finish_reason == FinishReason.UNKNOWN
    assert finish.usage == Usage(input_tokens=2, output_tokens=3, total_tokens=5)


def test_a_delta_that_is_not_an_object_is_a_stream_error_naming_it() -> None:
    with pytest.raises(StreamError, match=r"^anthropic: 'delta' is not an object: 'end_turn'$"):
        parse({"type": "message_delta", "delta": "end_turn", "usage": {"output_tokens": 3}})


def test_an_empty_stop_reason_does_not_replace_an_earlier_one() -> None:
    parts = parse(
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}},
        {"type": "message_delta", "delta": {"stop_reason": None}},
    )
    assert finish_of(parts).finish_reason == FinishReason.TOOL_CALLS


def test_an_event_that_is_not_an_object_is_a_stream_error() -> None:
    parser = AnthropicStream("anthropic", [])
    with pytest.raises(StreamError) as error:
        parser.feed(["message_start"])
    assert str(error.value) == "anthropic: stream event is not an object: ['message_start']"
    assert error.value.provider == "anthropic"


def test_a_message_that_is_not_an_object_is_a_stream_error() -> None:
    parser = AnthropicStream("bedrock", [])
    with pytest.raises(StreamError) as error:
        parser.feed({"type": "message_start", "message": "claude"})
    assert str(error.value) == "bedrock: 'message' is not an object: 'claude'"
    assert error.value.provider == "bedrock"


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message_start", "message": {"usage": [1]}},
        {"type": "message_delta", "delta": {}, "usage": [1]},
    ],
)
def test_usage_that_is_not_an_object_is_a_provider_error(event: dict[str, Any]) -> None:
    parser = AnthropicStream("vertex", [])
    with pytest.raises(ProviderError) as error:
        parser.feed(event)
    assert str(error.value) == "vertex: 'usage' is not an object: [1]"
    assert error.value.provider == "vertex"


def test_an_error_event_raises_its_type_and_message() -> None:
    parser = AnthropicStream("anthropic", [])
    event = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    with pytest.raises(StreamError) as error:
        parser.feed(event)
    assert str(error.value) == "anthropic: stream error: rate_limit_error: slow down"
    assert error.value.retryable


# ---- content block events -------------------------------------------------------------------


def test_a_block_event_without_an_index_is_a_stream_error() -> None:
    parser = AnthropicStream("anthropic", [])
    event = {"type": "content_block_stop", "index": "0"}
    with pytest.raises(StreamError) as error:
        parser.feed(event)
    assert str(error.value) == "anthropic: 'index' is not a number: '0'"
    assert error.value.provider == "anthropic"


def test_a_block_that_is_not_an_object_is_a_stream_error() -> None:
    parser = AnthropicStream("anthropic", [])
    with pytest.raises(StreamError) as error:
        parser.feed({"type": "content_block_start", "index": 0, "content_block": "text"})
    assert str(error.value) == "anthropic: 'content_block' is not an object: 'text'"
    assert error.value.provider == "anthropic"


def test_a_block_of_an_unknown_type_gives_nothing() -> None:
    parts = feed(start(0, type="mystery"), delta(0, type="text_delta", text="x"), stop(0))
    assert parts == []


def test_a_text_block_is_framed_under_its_index() -> None:
    parts = feed(
        start(2, type="text", text=""),
        delta(2, type="text_delta", text="Hi"),
        delta(2, type="text_delta", text=" there"),
        stop(2),
    )
    assert parts == [
        TextStart("2"),
        TextDelta("2", "Hi"),
        TextDelta("2", " there"),
        TextEnd("2"),
    ]


def test_text_given_in_the_start_block_is_the_first_delta() -> None:
    parts = feed(start(0, type="text", text="Hello"), stop(0))
    assert parts == [TextStart("0"), TextDelta("0", "Hello"), TextEnd("0")]


def test_an_empty_text_delta_gives_no_part() -> None:
    parts = feed(start(0, type="text"), delta(0, type="text_delta", text=None), stop(0))
    assert parts == [TextStart("0"), TextEnd("0")]


def test_a_delta_for_an_unknown_block_or_without_a_delta_object_is_ignored() -> None:
    parts = feed(
        start(0, type="text"),
        delta(1, type="text_delta", text="elsewhere"),
        {"type": "content_block_delta", "index": 0, "delta": "text"},
        {"type": "content_block_delta", "index": 0},
        delta(0, type="unknown_delta", text="x"),
        stop(1),
    )
    assert parts == [TextStart("0")]


def test_a_signature_delta_for_a_text_block_is_ignored() -> None:
    parts = feed(
        start(0, type="text", text="a"), delta(0, type="signature_delta", signature="S"), stop(0)
    )
    assert parts == [TextStart("0"), TextDelta("0", "a"), TextEnd("0")]


def test_a_block_left_open_is_closed_at_the_finish() -> None:
    parts = parse(start(0, type="text", text="cut"))
    assert parts[:-1] == [TextStart("0"), TextDelta("0", "cut"), TextEnd("0")]


def test_a_stopped_block_is_not_stopped_again() -> None:
    parts = feed(start(0, type="text"), stop(0), stop(0))
    assert parts == [TextStart("0"), TextEnd("0")]


# ---- citations ------------------------------------------------------------------------------


def test_citations_become_numbered_sources() -> None:
    first = {"type": "web_search_result_location", "url": "https://a.example", "title": "A"}
    second = {"type": "char_location", "document_title": "Doc", "document_index": 0}
    parts = feed(
        start(0, type="text", text="", citations=[first, "not a citation"]),
        delta(0, type="citations_delta", citation=second),
        delta(0, type="citations_delta", citation={"type": "char_location"}),
        delta(0, type="citations_delta", citation={"url": "https://b.example"}),
    )
    assert parts == [
        TextStart("0"),
        Source(id="source-0", url="https://a.example", title="A"),
        Source(id="source-1", source_type="document", title="Doc"),
        Source(id="source-2", url="https://b.example"),
    ]


# ---- thinking -------------------------------------------------------------------------------


def test_a_thinking_block_ends_with_its_signature() -> None:
    parts = feed(
        start(0, type="thinking", thinking=""),
        delta(0, type="thinking_delta", thinking="Let me"),
        delta(0, type="thinking_delta", thinking=" think."),
        delta(0, type="signature_delta", signature="AB"),
        delta(0, type="signature_delta", signature="CD"),
        stop(0),
    )
    assert parts == [
        ReasoningStart("0"),
        ReasoningDelta("0", "Let me"),
        ReasoningDelta("0", " think."),
        ReasoningEnd("0", {"anthropic": {"signature": "ABCD"}}),
    ]


def test_thinking_and_signature_given_in_the_start_block_are_kept() -> None:
    parts = feed(
        start(1, type="thinking", thinking="Hmm", signature="S1"),
        delta(1, type="signature_delta", signature=None),
        stop(1),
    )
    assert parts == [
        ReasoningStart("1"),
        ReasoningDelta("1", "Hmm"),
        ReasoningEnd("1", {"anthropic": {"signature": "S1"}}),
    ]


def test_a_redacted_thinking_block_without_data_keeps_empty_data() -> None:
    parts = feed(start(0, type="redacted_thinking"))
    assert parts == [ReasoningStart("0"), ReasoningEnd("0", {"anthropic": {"redacted_data": ""}})]


def test_a_thinking_block_without_a_signature_ends_without_metadata() -> None:
    parts = feed(start(0, type="thinking"), delta(0, type="thinking_delta", thinking=None), stop(0))
    assert parts == [ReasoningStart("0"), ReasoningEnd("0", {})]


def test_a_redacted_thinking_block_is_a_reasoning_block_with_its_data() -> None:
    parts = feed(start(3, type="redacted_thinking", data="RED=="), stop(3))
    assert parts == [
        ReasoningStart("3"),
        ReasoningEnd("3", {"anthropic": {"redacted_data": "RED=="}}),
    ]


# ---- tool calls -----------------------------------------------------------------------------


def test_a_tool_call_is_framed_from_its_json_fragments() -> None:
    parts = feed(
        start(1, type="tool_use", id="toolu_1", name="weather", input={}),
        delta(1, type="input_json_delta", partial_json=""),
        delta(1, type="input_json_delta", partial_json='{"location":'),
        delta(1, type="input_json_delta", partial_json=' "Rome"}'),
        stop(1),
    )
    assert parts == [
        ToolInputStart("toolu_1", "weather", False),
        ToolInputDelta("toolu_1", '{"location":'),
        ToolInputDelta("toolu_1", ' "Rome"}'),
        ToolInputEnd("toolu_1"),
        ToolCall(tool_call_id="toolu_1", tool_name="weather", input='{"location": "Rome"}'),
    ]


def test_a_tool_call_without_fragments_has_empty_input() -> None:
    parts = feed(start(0, type="tool_use", id="t", name="now", input={}), stop(0))
    assert parts[-1] == ToolCall(tool_call_id="t", tool_name="now", input="{}")


def test_a_tool_input_given_whole_in_the_start_block_is_the_call_input() -> None:
    block = {"type": "tool_use", "id": "t", "name": "say", "input": {"text": "olá"}}
    parts = feed(start(0, **block), stop(0))
    assert parts == [
        ToolInputStart("t", "say", False),
        ToolInputDelta("t", '{"text": "olá"}'),  # one delta, as for a streamed input
        ToolInputEnd("t"),
        ToolCall(tool_call_id="t", tool_name="say", input='{"text": "olá"}'),
    ]


def test_fragments_replace_an_input_given_in_the_start_block() -> None:
    block = {"type": "tool_use", "id": "t", "name": "say", "input": {"text": "old"}}
    parts = feed(start(0, **block), delta(0, type="input_json_delta", partial_json="{}"), stop(0))
    assert parts[-1] == ToolCall(tool_call_id="t", tool_name="say", input="{}")


def test_a_tool_call_without_an_id_or_name_is_named_for_its_index() -> None:
    parts = feed(start(4, type="tool_use"), stop(4))
    assert parts == [
        ToolInputStart("call_4", "", False),
        ToolInputEnd("call_4"),
        ToolCall(tool_call_id="call_4", tool_name="", input="{}"),
    ]


def test_a_server_tool_call_and_its_result_are_provider_executed() -> None:
    result = {
        "type": "web_search_tool_result",
        "tool_use_id": "srv_1",
        "content": [{"type": "web_search_result", "url": "https://a.example", "page_age": None}],
    }
    parts = feed(
        start(0, type="server_tool_use", id="srv_1", name="web_search", input={}),
        delta(0, type="input_json_delta", partial_json='{"query":"q"}'),
        stop(0),
        start(1, **result),
        stop(1),
    )
    assert parts == [
        ToolInputStart("srv_1", "web_search", True),
        ToolInputDelta("srv_1", '{"query":"q"}'),
        ToolInputEnd("srv_1"),
        ToolCall(
            tool_call_id="srv_1",
            tool_name="web_search",
            input='{"query":"q"}',
            provider_executed=True,
        ),
        ToolResult(
            tool_call_id="srv_1",
            tool_name="web_search",
            output=TextOutput(
                text='[{"type": "web_search_result", "url": "https://a.example", "page_age": null}]'
            ),
            provider_executed=True,
            provider_metadata={
                "anthropic": {
                    "type": "web_search_tool_result",
                    "content": [{"type": "web_search_result", "url": "https://a.example"}],
                }
            },
        ),
    ]


def test_a_server_result_is_named_for_its_call() -> None:
    result = {"type": "web_fetch_tool_result", "tool_use_id": "srv_2", "content": {}}
    parts = feed(
        start(0, type="server_tool_use", id="srv_2", name="fetch_page", input={"url": "u"}),
        stop(0),
        start(1, **result),
    )
    tool_result = parts[-1]
    assert isinstance(tool_result, ToolResult)
    assert (tool_result.tool_call_id, tool_result.tool_name) == ("srv_2", "fetch_page")


def test_a_result_block_without_a_call_id_gives_nothing() -> None:
    parts = feed(start(0, type="web_search_tool_result", content=[]))
    assert parts == []


# ---- a message started again --------------------------------------------------------------


def message_start(id: str | None, output_tokens: int = 1) -> dict[str, Any]:
    message: dict[str, Any] = {"model": "m", "usage": {"input_tokens": 5, "output_tokens": 1}}
    if id is not None:
        message["id"] = id
    return {"type": "message_start", "message": message}


def test_the_same_message_start_repeated_is_ignored() -> None:
    parts = parse(
        message_start("msg_1"),
        message_start("msg_1"),
        start(0, type="text", text="Hi"),
        stop(0),
        {"type": "message_stop"},
    )
    assert parts[:3] == [TextStart("0"), TextDelta("0", "Hi"), TextEnd("0")]
    assert finish_of(parts).usage.input_tokens == 5  # counted once


@pytest.mark.parametrize(
    ("first", "second", "named"),
    [
        ("msg_1", "msg_2", "'msg_1'"),
        ("msg_1", None, "'msg_1'"),
        (None, None, "''"),
        (None, "m", "''"),
    ],
)
def test_another_message_start_before_the_stop_is_a_retryable_stream_error(
    first: str | None, second: str | None, named: str
) -> None:
    with pytest.raises(StreamError) as raised:
        feed(message_start(first), start(0, type="text", text="Hi"), message_start(second))
    assert str(raised.value) == (
        f"anthropic: a new message started before message {named} finished; "
        "its partial content was dropped"
    )
    assert raised.value.retryable and raised.value.provider == "anthropic"
