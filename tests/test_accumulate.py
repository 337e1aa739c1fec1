"""A stream of parts folded into the Response ``generate`` would return: content in the order
its blocks started, metadata from the ends, and the Finish's fields."""

from __future__ import annotations

import pytest

from reverie.accumulate import StreamAccumulator
from reverie.content import File, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.messages import TextOutput
from reverie.model import (
    ErrorPart,
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
    ToolInputStart,
)
from reverie.usage import Usage
from reverie.warning import CallWarning

STOP = Finish(finish_reason=FinishReason.STOP)


def fold(*parts: StreamPart) -> Response:
    accumulator = StreamAccumulator()
    for part in parts:
        accumulator.add(part)
    return accumulator.response()


def test_deltas_are_joined_per_block_in_the_order_blocks_started() -> None:
    response = fold(
        ReasoningStart(id="r"),
        TextStart(id="a"),
        TextStart(id="b"),
        TextDelta(id="b", delta="B1"),
        ReasoningDelta(id="r", delta="R1"),
        TextDelta(id="a", delta="A1"),
        TextDelta(id="b", delta="B2"),
        ReasoningDelta(id="r", delta="R2"),
        TextDelta(id="a", delta="A2"),
        STOP,
    )
    assert response.content == [Reasoning(text="R1R2"), Text(text="A1A2"), Text(text="B1B2")]


def test_text_and_reasoning_blocks_of_the_same_id_are_apart() -> None:
    response = fold(
        TextStart(id="0"),
        ReasoningStart(id="0"),
        TextDelta(id="0", delta="t"),
        ReasoningDelta(id="0", delta="r"),
        STOP,
    )
    assert response.content == [Text(text="t"), Reasoning(text="r")]


def test_a_delta_without_a_start_opens_its_block() -> None:
    response = fold(TextDelta(id="x", delta="hi"), ReasoningDelta(id="y", delta="so"), STOP)
    assert response.content == [Text(text="hi"), Reasoning(text="so")]


def test_end_metadata_replaces_the_starts_and_an_empty_end_keeps_it() -> None:
    response = fold(
        ReasoningStart(id="r", provider_metadata={"p": {"start": 1}}),
        ReasoningEnd(id="r", provider_metadata={"p": {"signature": "s"}}),
        ReasoningStart(id="q", provider_metadata={"p": {"start": 2}}),
        ReasoningEnd(id="q"),
        TextStart(id="t"),
        TextDelta(id="t", delta="x"),
        TextEnd(id="t", provider_metadata={"p": {"id": "m1"}}),
        STOP,
    )
    assert response.content == [
        Reasoning(text="", provider_metadata={"p": {"signature": "s"}}),
        Reasoning(text="", provider_metadata={"p": {"start": 2}}),
        Text(text="x", provider_metadata={"p": {"id": "m1"}}),
    ]


def test_an_empty_text_block_counts_only_with_metadata() -> None:
    response = fold(
        TextStart(id="a"),
        TextEnd(id="a"),
        TextStart(id="b"),
        TextEnd(id="b", provider_metadata={"google": {"thoughtSignature": "sig"}}),
        STOP,
    )
    assert response.content == [
        Text(text="", provider_metadata={"google": {"thoughtSignature": "sig"}})
    ]


def test_whole_parts_keep_their_place_and_input_framing_is_dropped() -> None:
    call = ToolCall(tool_call_id="c", tool_name="t", input="{}")
    source = Source(id="s", url="https://x.test")
    file = File(data=b"x", media_type="image/png")
    result = ToolResult(tool_call_id="c", tool_name="t", output=TextOutput(text="ok"))
    response = fold(
        TextStart(id="a"),
        ToolInputStart(id="c", tool_name="t"),
        ToolInputDelta(id="c", delta="{}"),
        call,
        source,
        TextDelta(id="a", delta="hi"),
        file,
        result,
        STOP,
    )
    assert response.content == [Text(text="hi"), call, source, file, result]


def test_the_response_takes_the_finishs_fields() -> None:
    warning = CallWarning(kind="other", message="w")
    usage = Usage(input_tokens=3, output_tokens=4)
    finish = Finish(
        finish_reason=FinishReason.TOOL_CALLS,
        usage=usage,
        provider_metadata={"p": {"id": "r1"}},
        warnings=[warning],
        model_id="m-1",
    )
    accumulator = StreamAccumulator()
    assert accumulator.finish_reason is None
    accumulator.add(finish)
    assert accumulator.finish_reason == FinishReason.TOOL_CALLS
    response = accumulator.response()
    assert (response.finish_reason, response.usage, response.model_id) == (
        FinishReason.TOOL_CALLS,
        usage,
        "m-1",
    )
    assert response.provider_metadata == {"p": {"id": "r1"}}
    assert response.warnings == [warning]


def test_a_stream_without_a_finish_is_an_error() -> None:
    accumulator = StreamAccumulator()
    accumulator.add(TextDelta(id="a", delta="hi"))
    with pytest.raises(StreamError, match=r"^stream ended without a finish part$"):
        accumulator.response()


def test_an_error_part_raises_its_error() -> None:
    error = ProviderError("down", provider="p")
    with pytest.raises(ProviderError) as caught:
        StreamAccumulator().add(ErrorPart(error=error))
    assert caught.value is error
