"""Responses stream events → stream parts, fed to the parser event by event: how text,
reasoning summaries, function calls, web searches and citations are framed, what the Finish
carries, and the errors for in-band failures and events that are not the documented shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reverie.content import Source, ToolCall, ToolResult
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.sse import ServerSentEvent
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
from reverie.providers.openai_responses.stream import ResponsesStreamParser
from reverie.usage import Usage
from reverie.warning import CallWarning


def event(data: dict[str, Any] | str, name: str | None = None) -> ServerSentEvent:
    """An SSE event named, as OpenAI names them, for its JSON ``type``."""
    if isinstance(data, str):
        return ServerSentEvent(event=name or "message", data=data)
    return ServerSentEvent(event=name or str(data.get("type")), data=json.dumps(data))


def completed(**response: Any) -> dict[str, Any]:
    return {"type": "response.completed", "response": {"status": "completed", **response}}


def feed(*events: dict[str, Any], **kw: Any) -> tuple[ResponsesStreamParser, list[StreamPart]]:
    """The parser after ``events``, and the parts they gave (without the finish)."""
    parser = ResponsesStreamParser(
        kw.get("warnings", []), kw.get("provider", "openai"), kw.get("names")
    )
    parts: list[StreamPart] = []
    for data in events:
        parts += parser.feed(event(data))
    return parser, parts


def parse(*events: dict[str, Any], **kw: Any) -> list[StreamPart]:
    """Every part of a stream of ``events`` ended by ``response.completed``, Finish last."""
    parser, parts = feed(*events, completed(), **kw)
    assert parser.done is True
    return parts + parser.finish()


def failure(*events: dict[str, Any] | str, provider: str = "openai") -> StreamError:
    parser = ResponsesStreamParser([], provider)
    with pytest.raises(StreamError) as raised:
        for data in events:
            parser.feed(event(data))
    return raised.value


def text_delta(
    item_id: str, delta: str, kind: str = "response.output_text.delta"
) -> dict[str, Any]:
    return {"type": kind, "item_id": item_id, "output_index": 0, "content_index": 0, "delta": delta}


def added(index: int | None = None, **item: Any) -> dict[str, Any]:
    data = {"type": "response.output_item.added", "item": item}
    return data if index is None else {**data, "output_index": index}


def done(index: int | None = None, **item: Any) -> dict[str, Any]:
    data = {"type": "response.output_item.done", "item": item}
    return data if index is None else {**data, "output_index": index}


def summary(kind: str, item_id: str, index: int | None = None, **more: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": f"response.reasoning_summary_{kind}", "item_id": item_id}
    if index is not None:
        data["summary_index"] = index
    return {**data, **more}


def args_delta(item_id: str, delta: str) -> dict[str, Any]:
    return {"type": "response.function_call_arguments.delta", "item_id": item_id, "delta": delta}


# ---- text ---------------------------------------------------------------------------------


def test_text_deltas_are_one_block_named_for_the_message_item_ended_with_its_id() -> None:
    parts = parse(
        added(type="message", id="msg_1", role="assistant", content=[]),
        text_delta("msg_1", "Hel"),
        text_delta("msg_1", "lo"),
        done(type="message", id="msg_1", content=[{"type": "output_text", "text": "Hello"}]),
    )
    assert parts[:-1] == [
        TextStart("msg_1"),
        TextDelta("msg_1", "Hel"),
        TextDelta("msg_1", "lo"),
        TextEnd("msg_1", {"openai": {"item_id": "msg_1"}}),
    ]


def test_refusal_deltas_are_text() -> None:
    parts = parse(text_delta("msg_1", "I can't", "response.refusal.delta"))
    assert parts[:-1] == [TextStart("msg_1"), TextDelta("msg_1", "I can't"), TextEnd("msg_1")]


def test_a_streamed_message_keeps_its_deltas_not_the_text_repeated_when_done() -> None:
    parts = parse(
        text_delta("msg_1", "Hi"),
        done(type="message", id="msg_1", content=[{"type": "output_text", "text": "Other"}]),
    )
    assert [p for p in parts if isinstance(p, TextDelta)] == [TextDelta("msg_1", "Hi")]


def test_a_message_that_comes_whole_is_its_output_text_parts_joined() -> None:
    content = [
        {"type": "output_text", "text": "One, "},
        "not a part",
        {"type": "output_text", "text": None},
        {"type": "summary_text", "text": "not output"},
        {"type": "output_text", "text": "two."},
    ]
    parts = parse(done(type="message", id="msg_2", content=content))
    assert parts[:-1] == [
        TextStart("msg_2"),
        TextDelta("msg_2", "One, two."),
        TextEnd("msg_2", {"openai": {"item_id": "msg_2"}}),
    ]


def test_a_refusal_that_comes_whole_is_text_as_in_a_non_streamed_answer() -> None:
    content = [{"type": "refusal", "refusal": "I can't help with that.", "text": "ignored"}]
    parts = parse(done(type="message", id="msg_2", content=content))
    assert parts[1:-1] == [
        TextDelta("msg_2", "I can't help with that."),
        TextEnd("msg_2", {"openai": {"item_id": "msg_2"}}),
    ]


@pytest.mark.parametrize(
    "content", [[], None, "text", [{"type": "refusal", "refusal": None}], [{"type": "output_text"}]]
)
def test_a_whole_message_without_text_gives_no_parts(content: Any) -> None:
    parts = parse(done(type="message", id="msg_3", content=content))
    assert [p.type for p in parts] == ["finish"]


def test_a_text_block_still_open_at_the_end_is_closed_without_metadata() -> None:
    parts = parse(text_delta("msg_1", "cut"))
    assert parts[-2:-1] == [TextEnd("msg_1")]


# ---- reasoning ----------------------------------------------------------------------------


def test_each_summary_part_is_a_block_ended_with_the_items_final_metadata() -> None:
    parts = parse(
        added(type="reasoning", id="rs_1", summary=[]),
        summary("part.added", "rs_1", 0),
        summary("text.delta", "rs_1", 0, delta="First"),
        summary("part.added", "rs_1", 1),
        summary("text.delta", "rs_1", 1, delta="Second"),
        done(type="reasoning", id="rs_1", encrypted_content="enc", summary=[]),
    )
    opened = {"openai": {"item_id": "rs_1"}}
    final = {"openai": {"item_id": "rs_1", "encrypted_content": "enc"}}
    assert parts[:-1] == [
        ReasoningStart("rs_1:0", opened),
        ReasoningDelta("rs_1:0", "First"),
        ReasoningStart("rs_1:1", opened),
        ReasoningDelta("rs_1:1", "Second"),
        ReasoningEnd("rs_1:0", final),
        ReasoningEnd("rs_1:1", final),
    ]


def test_a_summary_part_added_without_the_item_opens_its_block() -> None:
    parts = parse(summary("part.added", "rs_1", 2))
    assert parts[:-1] == [
        ReasoningStart("rs_1:2", {"openai": {"item_id": "rs_1"}}),
        ReasoningEnd("rs_1:2"),
    ]


def test_a_summary_delta_without_an_index_belongs_to_the_first_block() -> None:
    parts = parse(summary("text.delta", "rs_1", delta="Hm"))
    assert parts[:2] == [
        ReasoningStart("rs_1:0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:0", "Hm"),
    ]


def test_a_reasoning_item_done_without_being_added_still_keeps_its_metadata() -> None:
    parts = parse(done(type="reasoning", id="rs_2", encrypted_content="enc", summary=[]))
    final = {"openai": {"item_id": "rs_2", "encrypted_content": "enc"}}
    assert parts[:-1] == [ReasoningStart("rs_2:0"), ReasoningEnd("rs_2:0", final)]


def test_a_reasoning_item_ends_only_its_own_blocks() -> None:
    parts = parse(
        added(type="reasoning", id="rs_1"),
        added(type="reasoning", id="rs_2"),
        done(type="reasoning", id="rs_1"),
    )
    assert parts[2:] == [
        ReasoningEnd("rs_1:0", {"openai": {"item_id": "rs_1", "encrypted_content": None}}),
        ReasoningEnd("rs_2:0"),
        parts[-1],
    ]


def test_a_summary_index_that_is_not_a_number_is_an_error() -> None:
    error = failure(summary("text.delta", "rs_1", delta="x", summary_index="1"))
    assert str(error) == "openai: 'summary_index' is not a number: '1'"


# ---- function calls -----------------------------------------------------------------------


def test_a_function_call_is_framed_under_its_call_id_and_ends_with_the_final_arguments() -> None:
    parts = parse(
        added(type="function_call", id="fc_1", call_id="call_1", name="weather", arguments=""),
        args_delta("fc_1", '{"location":'),
        args_delta("fc_1", '"Rome"}'),
        done(
            type="function_call",
            id="fc_1",
            call_id="call_1",
            name="weather",
            arguments='{"location":"Rome"}',
        ),
    )
    assert parts[:-1] == [
        ToolInputStart("call_1", "weather"),
        ToolInputDelta("call_1", '{"location":'),
        ToolInputDelta("call_1", '"Rome"}'),
        ToolInputEnd("call_1"),
        ToolCall(
            tool_call_id="call_1",
            tool_name="weather",
            input='{"location":"Rome"}',
            provider_metadata={"openai": {"item_id": "fc_1"}},
        ),
    ]
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.TOOL_CALLS


def test_the_final_arguments_replace_the_streamed_ones() -> None:
    parts = parse(
        added(type="function_call", id="fc_1", call_id="call_1", name="f"),
        args_delta("fc_1", '{"a":'),
        done(type="function_call", id="fc_1", call_id="call_1", name="f", arguments='{"a":2}'),
    )
    call = next(p for p in parts if isinstance(p, ToolCall))
    assert call.input == '{"a":2}'


@pytest.mark.parametrize("arguments", [None, 42, ["a"]])
def test_a_call_done_without_argument_text_keeps_the_streamed_arguments(arguments: Any) -> None:
    item: dict[str, Any] = {"id": "fc_1", "call_id": "call_1", "name": "f"}
    parts = parse(
        added(type="function_call", **item),
        args_delta("fc_1", '{"a":1}'),
        done(type="function_call", arguments=arguments, **item),
    )
    call = next(p for p in parts if isinstance(p, ToolCall))
    assert call.input == '{"a":1}'


def test_arguments_sent_as_an_object_are_encoded_as_json() -> None:
    parts = parse(done(type="function_call", id="fc_1", call_id="c", name="f", arguments={"a": 1}))
    assert [p for p in parts if isinstance(p, (ToolInputDelta, ToolCall))] == [
        ToolInputDelta("c", '{"a": 1}'),
        ToolCall(
            tool_call_id="c",
            tool_name="f",
            input='{"a": 1}',
            provider_metadata={"openai": {"item_id": "fc_1"}},
        ),
    ]


def test_a_call_done_without_a_name_keeps_the_name_it_started_with() -> None:
    parts = parse(
        added(type="function_call", id="fc_1", call_id="call_1", name="weather"),
        done(type="function_call", id="fc_1", call_id="call_1", arguments="{}"),
    )
    call = next(p for p in parts if isinstance(p, ToolCall))
    assert call.tool_name == "weather"


def test_a_call_added_without_a_name_starts_unnamed() -> None:
    _, parts = feed(added(type="function_call", id="fc_1", call_id="call_1"))
    assert parts == [ToolInputStart("call_1", "")]


def test_a_call_that_arrives_only_when_done_is_framed_whole() -> None:
    parts = parse(
        done(type="function_call", id="fc_1", call_id="call_1", name="f", arguments='{"a":1}')
    )
    assert parts[:-1] == [
        ToolInputStart("call_1", "f"),
        ToolInputDelta("call_1", '{"a":1}'),
        ToolInputEnd("call_1"),
        ToolCall(
            tool_call_id="call_1",
            tool_name="f",
            input='{"a":1}',
            provider_metadata={"openai": {"item_id": "fc_1"}},
        ),
    ]


def test_a_call_still_open_at_the_end_is_closed_with_its_fragments() -> None:
    parts = parse(
        added(type="function_call", id="fc_1", call_id="call_1", name="f"),
        args_delta("fc_1", '{"a":'),
    )
    assert parts[-3:-1] == [
        ToolInputEnd("call_1"),
        ToolCall(tool_call_id="call_1", tool_name="f", input='{"a":'),
    ]
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.STOP


def test_arguments_for_an_unknown_function_call_are_an_error() -> None:
    error = failure(args_delta("fc_9", "{}"))
    assert str(error) == "openai: arguments for an unknown function call 'fc_9'"


def test_arguments_after_the_call_is_done_are_an_error() -> None:
    error = failure(
        added(type="function_call", id="fc_1", call_id="call_1", name="f"),
        done(type="function_call", id="fc_1", call_id="call_1", name="f", arguments="{}"),
        args_delta("fc_1", "{}"),
    )
    assert str(error) == "openai: arguments for an unknown function call 'fc_1'"


# ---- web search and citations -------------------------------------------------------------


def web_search_events() -> tuple[dict[str, Any], ...]:
    action = {"type": "search", "query": "tokyo"}
    return (
        added(type="web_search_call", id="ws_1", status="in_progress"),
        done(type="web_search_call", id="ws_1", status="completed", action=action),
    )


@pytest.mark.parametrize(("names", "name"), [(None, "web_search"), ({"web_search": "s"}, "s")])
def test_a_web_search_is_a_provider_executed_call_and_its_result(
    names: dict[str, str] | None, name: str
) -> None:
    parts = parse(*web_search_events(), names=names)
    action = '{"type":"search","query":"tokyo"}'
    assert parts[:-1] == [
        ToolInputStart("ws_1", name, provider_executed=True),
        ToolInputDelta("ws_1", action),
        ToolInputEnd("ws_1"),
        ToolCall(tool_call_id="ws_1", tool_name=name, input=action, provider_executed=True),
        ToolResult(
            tool_call_id="ws_1",
            tool_name=name,
            output=TextOutput(text=f'{{"status":"completed","action":{action}}}'),
            input=action,
            provider_executed=True,
        ),
    ]
    finish = parts[-1]  # the server ran the search: nothing is left for our side to call
    assert isinstance(finish, Finish) and finish.finish_reason == FinishReason.STOP


def test_a_web_search_starts_when_it_is_added_before_it_is_done() -> None:
    _, parts = feed(web_search_events()[0])
    assert parts == [ToolInputStart("ws_1", "web_search", provider_executed=True)]


def test_a_web_search_that_arrives_only_when_done_is_still_provider_executed() -> None:
    parts = parse(web_search_events()[1], names={"web_search": "s"})
    assert [p for p in parts if isinstance(p, (ToolInputStart, ToolCall))] == [
        ToolInputStart("ws_1", "s", provider_executed=True),
        ToolCall(
            tool_call_id="ws_1",
            tool_name="s",
            input='{"type":"search","query":"tokyo"}',
            provider_executed=True,
        ),
    ]


def test_a_url_citation_is_a_source_named_for_its_place_in_the_message() -> None:
    annotation = {"type": "url_citation", "url": "https://a.example", "title": "A"}
    parts = parse(
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "content_index": 2,
            "annotation_index": 3,
            "annotation": annotation,
        },
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "annotation": annotation,
        },
    )
    assert parts[:-1] == [
        Source(id="msg_1:2:3", url="https://a.example", title="A"),
        Source(id="msg_1:0:0", url="https://a.example", title="A"),
    ]


def test_annotations_that_cite_nothing_give_no_source() -> None:
    parts = parse(
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_1",
            "annotation": {"type": "container_file_citation", "file_id": "f"},
        }
    )
    assert [p.type for p in parts] == ["finish"]


# ---- the end of the stream ----------------------------------------------------------------


def test_the_finish_carries_status_usage_response_id_model_and_the_calls_warnings() -> None:
    warnings = [CallWarning(kind="other", message="w")]
    parser, _ = feed(
        {"type": "response.created", "response": {"id": "resp_0", "model": "gpt-5"}},
        {
            "type": "response.incomplete",
            "response": {
                "id": "resp_1",
                "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
                "usage": {"input_tokens": 5, "output_tokens": 7},
            },
        },
        warnings=warnings,
    )
    assert parser.done is True
    finish = parser.finish()[-1]
    assert finish == Finish(
        finish_reason=FinishReason.LENGTH,
        usage=Usage(input_tokens=5, output_tokens=7, total_tokens=12),
        provider_metadata={"openai": {"response_id": "resp_1"}},
        warnings=warnings,
        model_id="gpt-5",
    )
    assert finish.warnings is warnings  # warnings found while parsing still reach the caller


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("completed", FinishReason.STOP),
        ("cancelled", FinishReason.UNKNOWN),
        ("failed", FinishReason.ERROR),
    ],
)
def test_the_finish_reason_reads_the_final_responses_status(
    status: str, reason: FinishReason
) -> None:
    parser, _ = feed({"type": "response.completed", "response": {"status": status}})
    finish = parser.finish()[-1]
    assert isinstance(finish, Finish) and finish.finish_reason == reason


def test_the_model_named_by_the_last_response_wins() -> None:
    parser, _ = feed(
        {"type": "response.created", "response": {"model": "gpt-5"}},
        completed(model="gpt-5-2025-08-07"),
    )
    finish = parser.finish()[-1]
    assert isinstance(finish, Finish) and finish.model_id == "gpt-5-2025-08-07"


def test_a_stream_without_a_response_finishes_empty() -> None:
    parser, parts = feed(text_delta("msg_1", "x"))
    assert parser.done is False and parts == [TextStart("msg_1"), TextDelta("msg_1", "x")]
    finish = parser.finish()[-1]
    unreported = Usage(reported=False)
    assert finish == Finish(finish_reason=FinishReason.STOP, usage=unreported, model_id="")


def test_created_is_not_terminal_and_unknown_events_give_nothing() -> None:
    parser, parts = feed(
        {"type": "response.created", "response": {"id": "r"}},
        {"type": "response.queued", "response": {"id": "r"}},
        {"type": "rate_limits.updated", "rate_limits": []},
    )
    assert parser.done is False and parts == []
    assert parser.terminal == "response.completed"


def test_bad_usage_in_the_final_response_names_the_streams_provider() -> None:
    parser, _ = feed(completed(usage=[1]), provider="azure")
    with pytest.raises(ProviderError, match=r"^azure: 'usage' is not an object"):
        parser.finish()


# ---- in-band errors -----------------------------------------------------------------------


def test_a_failed_response_is_an_error_with_its_message_code_and_body() -> None:
    error_body = {"code": "invalid_prompt", "message": "Invalid prompt"}
    error = failure(
        {"type": "response.failed", "response": {"status": "failed", "error": error_body}}
    )
    assert str(error) == "openai: Invalid prompt (invalid_prompt)"
    assert (error.provider, error.retryable) == ("openai", False)
    assert error.body == json.dumps(error_body)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"status": "failed", "error": None}, "openai: the response failed"),
        ({"status": "failed", "error": "boom"}, "openai: the response failed"),
        ({"status": "failed", "error": {"code": "x"}}, "openai: the response failed (x)"),
        ("failed", "openai: the response failed"),
    ],
)
def test_a_failed_response_without_an_error_object_still_fails(response: Any, message: str) -> None:
    error = failure({"type": "response.failed", "response": response})
    assert str(error) == message


def test_an_error_event_reads_its_nested_error() -> None:
    nested = {"type": "invalid_request_error", "code": None, "message": "Bad input"}
    error = failure({"type": "error", "error": nested})
    assert str(error) == "openai: Bad input (invalid_request_error)"
    assert error.body == json.dumps(nested)


def test_an_error_event_without_a_nested_error_is_read_whole() -> None:
    data = {"type": "error", "code": "server_error", "message": "The server had an error"}
    error = failure(data, provider="azure")
    assert str(error) == "azure: The server had an error (server_error)"
    assert (error.provider, error.retryable) == ("azure", True)
    assert error.body == json.dumps(data)


def test_an_error_event_without_a_message_says_stream_error() -> None:
    error = failure({"type": "error", "error": {"message": ""}})
    assert str(error) == "openai: stream error"


@pytest.mark.parametrize(
    "code",
    [
        "server_error",
        "internal_error",
        "rate_limit_exceeded",
        "rate_limit_error",
        "server_overloaded",
        "overloaded",
        "overloaded_error",
        "timeout",
    ],
)
def test_transient_error_codes_are_retryable(code: str) -> None:
    error = failure({"type": "error", "error": {"code": code, "message": "m"}})
    assert error.retryable is True


@pytest.mark.parametrize("code", ["invalid_prompt", 500, None])
def test_other_error_codes_are_not_retryable(code: Any) -> None:
    error = failure({"type": "error", "error": {"code": code, "message": "m"}})
    assert error.retryable is False


def test_the_error_body_is_cut_at_2000_characters() -> None:
    nested = {"code": "x", "message": "m" * 3000}
    error = failure({"type": "error", "error": nested})
    assert error.body == json.dumps(nested)[:2000]


# ---- events that are not the documented shape ---------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "response.in_progress",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.function_call_arguments.done",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
    ],
)
def test_events_that_repeat_what_deltas_gave_are_skipped_unread(name: str) -> None:
    parser = ResponsesStreamParser([], "openai")
    assert parser.feed(event("not json", name)) == []


def test_a_malformed_event_is_an_error_quoting_its_first_200_characters() -> None:
    data = "{" + "x" * 300
    error = failure(data)
    assert str(error) == f"openai: malformed stream event: {data[:200]!r}"
    assert error.provider == "openai"


def test_an_event_that_is_not_an_object_is_an_error_quoting_it() -> None:
    data = "[" + ",".join(["1"] * 150) + "]"
    error = failure(data)
    assert str(error) == f"openai: stream event is not an object: {data[:200]!r}"


def test_an_item_that_is_not_an_object_is_an_error() -> None:
    error = failure({"type": "response.output_item.done", "item": "nope"})
    assert str(error) == "openai: 'item' is not an object: 'nope'"


def test_a_field_that_is_not_a_string_is_an_error_naming_the_event_and_key() -> None:
    error = failure(text_delta("msg_1", 5))  # type: ignore[arg-type]
    assert str(error) == "openai: response.output_text.delta: 'delta' is not a string: 5"


def test_a_response_that_is_not_an_object_is_an_error() -> None:
    error = failure({"type": "response.completed", "response": None})
    assert str(error) == "openai: 'response' is not an object: None"
