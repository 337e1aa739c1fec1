"""The Framer's contract: what every stream parser relies on when it says what arrived."""

from __future__ import annotations

import pytest

from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning, Source, Text, ToolCall
from reverie.finish_reason import FinishReason
from reverie.framer import Framer
from reverie.model import (
    Finish,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    Response,
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)

SIGNATURE = {"google": {"thought_signature": "sig"}}


def accumulate(parts: list[StreamPart]) -> Response:
    acc = StreamAccumulator()
    for part in [*parts, Finish(finish_reason=FinishReason.STOP)]:
        acc.add(part)
    return acc.response()


# --- text and reasoning blocks ---------------------------------------------------------


def test_a_start_comes_before_the_first_delta_and_only_once() -> None:
    framer = Framer()
    framer.text("t", "Hel")
    framer.text("t", "lo")
    framer.reasoning("r", "hm", {"x": {"a": 1}})
    framer.reasoning("r", "m", {"x": {"ignored": 2}})
    assert framer.drain() == [
        TextStart("t"),
        TextDelta("t", "Hel"),
        TextDelta("t", "lo"),
        ReasoningStart("r", {"x": {"a": 1}}),
        ReasoningDelta("r", "hm"),
        ReasoningDelta("r", "m"),
    ]


def test_an_empty_delta_only_opens_the_block() -> None:
    framer = Framer()
    framer.text("t", "")
    framer.text("t", "")
    framer.reasoning("r", "")
    assert framer.drain() == [TextStart("t"), ReasoningStart("r")]
    assert framer.is_open("text", "t") and framer.is_open("reasoning", "r")
    assert not framer.is_open("text", "r")


def test_a_block_ends_once() -> None:
    framer = Framer()
    framer.text("t", "a")
    framer.end_text("t")
    framer.end_text("t")
    framer.reasoning("r", "b")
    framer.end_reasoning("r", {"x": {"sig": "s"}})
    framer.end_reasoning("r")
    framer.close()
    assert framer.drain() == [
        TextStart("t"),
        TextDelta("t", "a"),
        TextEnd("t"),
        ReasoningStart("r"),
        ReasoningDelta("r", "b"),
        ReasoningEnd("r", {"x": {"sig": "s"}}),
    ]
    assert not framer.is_open("text", "t") and not framer.is_open("reasoning", "r")


def test_ending_a_block_never_opened_does_nothing() -> None:
    framer = Framer()
    framer.end_text("t")
    framer.end_reasoning("r")
    framer.close()
    assert framer.drain() == []


def test_ending_a_never_opened_text_block_with_metadata_keeps_the_empty_part() -> None:
    # Gemini sends a thought signature on a part with no text; it must be replayed.
    framer = Framer()
    framer.end_text("t", SIGNATURE)
    parts = framer.drain()
    assert parts == [TextStart("t"), TextEnd("t", SIGNATURE)]
    assert accumulate(parts).content == [Text(text="", provider_metadata=SIGNATURE)]


def test_ending_a_never_opened_reasoning_block_with_metadata_keeps_it() -> None:
    redacted = {"anthropic": {"redacted_data": "opaque"}}
    framer = Framer()
    framer.end_reasoning("r", redacted)
    parts = framer.drain()
    assert parts == [ReasoningStart("r"), ReasoningEnd("r", redacted)]
    assert accumulate(parts).content == [Reasoning(text="", provider_metadata=redacted)]


def test_reasoning_end_metadata_replaces_the_starts_in_the_response() -> None:
    signed = {"openai": {"item_id": "rs_1", "encrypted": "e"}}
    framer = Framer()
    framer.reasoning("r", "think", {"openai": {"item_id": "rs_1"}})
    framer.end_reasoning("r", signed)
    framer.reasoning("q", "more", {"openai": {"item_id": "rs_2"}})
    framer.end_reasoning("q")  # nothing at the end: the start's metadata stays
    assert accumulate(framer.drain()).content == [
        Reasoning(
            text="think", provider_metadata={"openai": {"item_id": "rs_1", "encrypted": "e"}}
        ),
        Reasoning(text="more", provider_metadata={"openai": {"item_id": "rs_2"}}),
    ]


def test_metadata_is_copied_not_shared_with_the_caller() -> None:
    metadata = {"x": {"a": 1}}
    framer = Framer()
    framer.end_text("t", metadata)
    metadata["y"] = {}
    [_, end] = framer.drain()
    assert isinstance(end, TextEnd) and end.provider_metadata == {"x": {"a": 1}}


def test_a_block_ended_and_written_again_is_a_new_block() -> None:
    framer = Framer()
    framer.text("t", "a")
    framer.end_text("t")
    framer.text("t", "b")
    framer.close()
    assert accumulate(framer.drain()).content == [Text(text="a"), Text(text="b")]


# --- tool input ------------------------------------------------------------------------


def test_tool_end_emits_the_input_end_then_the_call_with_the_joined_fragments() -> None:
    framer = Framer()
    framer.tool_start("c1", "weather")
    framer.tool_start("c1", "weather")  # a repeated start is ignored
    framer.tool_delta("c1", '{"city"')
    framer.tool_delta("c1", "")
    framer.tool_delta("c1", ': "Rome"}')
    assert framer.tool_name("c1") == "weather"
    call = framer.tool_end("c1", metadata={"x": {"id": "i"}})
    expected = ToolCall(
        tool_call_id="c1",
        tool_name="weather",
        input='{"city": "Rome"}',
        provider_metadata={"x": {"id": "i"}},
    )
    assert call == expected
    assert framer.drain() == [
        ToolInputStart("c1", "weather"),
        ToolInputDelta("c1", '{"city"'),
        ToolInputDelta("c1", ': "Rome"}'),
        ToolInputEnd("c1"),
        expected,
    ]
    framer.tool_delta("c1", "")  # an empty fragment after the end is ignored


def test_tool_end_input_replaces_the_fragments_and_name_the_start_name() -> None:
    framer = Framer()
    framer.tool_start("c1", "", provider_executed=True)
    framer.tool_delta("c1", '{"partial')
    call = framer.tool_end("c1", input='{"whole": 1}', name="search")
    assert call == ToolCall(
        tool_call_id="c1", tool_name="search", input='{"whole": 1}', provider_executed=True
    )


def test_an_input_given_whole_after_the_start_is_still_one_delta() -> None:
    framer = Framer()
    framer.tool_start("c1", "add")
    call = framer.tool_end("c1", input='{"a": 1}')
    assert framer.drain() == [
        ToolInputStart("c1", "add"),
        ToolInputDelta("c1", '{"a": 1}'),
        ToolInputEnd("c1"),
        call,
    ]


def test_a_whole_input_after_streamed_fragments_adds_no_delta() -> None:
    framer = Framer()
    framer.tool_start("c1", "add")
    framer.tool_delta("c1", '{"a"')
    framer.tool_end("c1", input='{"a": 1}')
    deltas = [p for p in framer.drain() if isinstance(p, ToolInputDelta)]
    assert deltas == [ToolInputDelta("c1", '{"a"')]


@pytest.mark.parametrize("input", [None, ""])
def test_a_call_with_no_input_has_an_empty_object(input: str | None) -> None:
    framer = Framer()
    framer.tool_start("c1", "now")
    assert framer.tool_end("c1", input=input).input == "{}"


def test_a_call_never_started_is_started_by_its_end() -> None:
    framer = Framer()
    call = framer.tool_end("c1", input='{"a": 1}', name="add")
    assert framer.drain() == [
        ToolInputStart("c1", "add"),
        ToolInputDelta("c1", '{"a": 1}'),
        ToolInputEnd("c1"),
        call,
    ]
    assert call == ToolCall(tool_call_id="c1", tool_name="add", input='{"a": 1}')
    framer.tool_end("c2", name="now")
    assert framer.drain() == [
        ToolInputStart("c2", "now"),
        ToolInputEnd("c2"),
        ToolCall(tool_call_id="c2", tool_name="now", input="{}"),
    ]


# --- close, emit and drain -------------------------------------------------------------


def test_close_ends_open_blocks_in_opening_order_then_unfinished_calls() -> None:
    framer = Framer()
    framer.tool_start("c1", "a")
    framer.tool_delta("c1", '{"x": 1}')
    framer.reasoning("r", "think")
    framer.text("t", "say")
    framer.tool_start("c2", "b")
    framer.text("u", "more")
    framer.end_text("t")
    framer.drain()
    framer.close()
    assert framer.drain() == [
        ReasoningEnd("r"),
        TextEnd("u"),
        ToolInputEnd("c1"),
        ToolCall(tool_call_id="c1", tool_name="a", input='{"x": 1}'),
        ToolInputEnd("c2"),
        ToolCall(tool_call_id="c2", tool_name="b", input="{}"),
    ]
    framer.close()
    assert framer.drain() == []


def test_whole_parts_keep_their_place_among_framed_ones() -> None:
    source = Source(id="s1", url="https://example.com")
    framer = Framer()
    framer.text("t", "a")
    framer.emit(source)
    framer.text("t", "b")
    assert framer.drain() == [TextStart("t"), TextDelta("t", "a"), source, TextDelta("t", "b")]


def test_drain_hands_parts_on_once() -> None:
    framer = Framer()
    framer.text("t", "a")
    first = framer.drain()
    assert first == [TextStart("t"), TextDelta("t", "a")]
    assert framer.drain() == []
    framer.text("t", "b")
    assert framer.drain() == [TextDelta("t", "b")]
    assert first == [TextStart("t"), TextDelta("t", "a")]  # a drained list is not reused
