"""What Responses-compatible servers send beyond OpenAI's own streams: raw reasoning text
(``response.reasoning_text.delta`` / ``.done``, reasoning items whose ``content`` holds
``reasoning_text`` parts, as open-weight reasoning models are served) and ``item_id``s that
change on every event (parts are keyed by ``output_index``).

Hand-made after the Responses API reference's event shapes; every stream is also fed through
a model in 1..7-byte network pieces.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import FakeServer

from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning, Text, ToolCall
from reverie.conversation import to_messages
from reverie.errors import ProviderError, StreamError
from reverie.http.retry import NO_RETRY
from reverie.http.sse import ServerSentEvent
from reverie.messages import user_message
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
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_responses.response import parse_response
from reverie.providers.openai_responses.stream import ResponsesStreamParser

HELLO = Call(prompt=[user_message("Say hi")])
RAW = {"openai": {"item_id": "rs_1", "encrypted_content": None, "reasoning_text": True}}
PLAIN = {"openai": {"item_id": "rs_1", "encrypted_content": None}}
COMPLETED = {
    "type": "response.completed",
    "response": {"id": "resp_1", "status": "completed", "model": "gpt-oss-120b"},
}


def parts_of(*events: dict[str, Any]) -> list[StreamPart]:
    parser = ResponsesStreamParser([], "openai")
    parts: list[StreamPart] = []
    for data in (*events, COMPLETED):
        parts += parser.feed(ServerSentEvent(event=str(data["type"]), data=json.dumps(data)))
    assert parser.done
    return parts + parser.finish()


def reasoning_item(**more: Any) -> dict[str, Any]:
    return {"type": "reasoning", "id": "rs_1", "summary": [], **more}


def raw_delta(delta: str, content_index: int = 0, item_id: str = "rs_1") -> dict[str, Any]:
    return {
        "type": "response.reasoning_text.delta",
        "item_id": item_id,
        "output_index": 0,
        "content_index": content_index,
        "delta": delta,
    }


def raw_done(text: str, content_index: int = 0, item_id: str = "rs_1") -> dict[str, Any]:
    return {
        "type": "response.reasoning_text.done",
        "item_id": item_id,
        "output_index": 0,
        "content_index": content_index,
        "text": text,
    }


def added(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def done(index: int, item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "response.output_item.done", "output_index": index, "item": item}


def message(text: str, id: str = "msg_1") -> dict[str, Any]:
    return {
        "type": "message",
        "id": id,
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


RAW_CONTENT = [{"type": "reasoning_text", "text": "Think. Then answer."}]

# ---- raw reasoning --------------------------------------------------------------------------


def test_raw_reasoning_deltas_are_read_and_end_with_the_items_metadata() -> None:
    parts = parts_of(
        added(0, reasoning_item()),
        raw_delta("Think."),
        raw_delta(" Then answer."),
        raw_done("Think. Then answer."),
        done(0, reasoning_item(content=RAW_CONTENT)),
    )
    assert parts[:-1] == [
        ReasoningStart("rs_1:0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:0", "Think."),
        ReasoningDelta("rs_1:0", " Then answer."),
        ReasoningEnd("rs_1:0", RAW),
    ]
    assert isinstance(parts[-1], Finish)


def test_raw_reasoning_that_comes_only_when_done_is_read_once() -> None:
    """A ``.done`` without deltas carries the text; the item's done event does not repeat it."""
    parts = parts_of(
        added(0, reasoning_item()),
        raw_done("Whole."),
        done(0, reasoning_item(content=[{"type": "reasoning_text", "text": "Whole."}])),
    )
    assert parts[:-1] == [
        ReasoningStart("rs_1:0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:0", "Whole."),
        ReasoningEnd("rs_1:0", RAW),
    ]


def test_a_reasoning_item_that_comes_whole_gives_its_raw_parts() -> None:
    content = [
        {"type": "reasoning_text", "text": "One."},
        {"type": "other", "text": "no"},
        {"text": "no type"},
        {"type": "reasoning_text", "text": "Two."},
    ]
    parts = parts_of(done(0, reasoning_item(content=content)))
    assert parts[:-1] == [
        ReasoningStart("rs_1:r0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:r0", "One."),
        ReasoningStart("rs_1:r3", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:r3", "Two."),
        ReasoningEnd("rs_1:r0", RAW),
        ReasoningEnd("rs_1:r3", RAW),
    ]
    assert [
        p.text for p in parse_response({"output": [reasoning_item(content=content)]}, []).content
    ] == ["One.", "Two."]


def test_summary_and_raw_text_of_one_item_are_separate_blocks() -> None:
    summary = {
        "type": "response.reasoning_summary_text.delta",
        "item_id": "rs_1",
        "output_index": 0,
        "summary_index": 0,
        "delta": "Sum.",
    }
    item = reasoning_item(
        summary=[{"type": "summary_text", "text": "Sum."}],
        content=[{"type": "reasoning_text", "text": "Raw."}],
        encrypted_content="enc",
    )
    parts = parts_of(added(0, reasoning_item()), summary, raw_delta("Raw."), done(0, item))
    metadata = {"openai": {"item_id": "rs_1", "encrypted_content": "enc"}}
    assert parts[:-1] == [
        ReasoningStart("rs_1:0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:0", "Sum."),
        ReasoningStart("rs_1:r0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:r0", "Raw."),
        ReasoningEnd("rs_1:0", metadata),
        ReasoningEnd("rs_1:r0", {"openai": {**metadata["openai"], "reasoning_text": True}}),
    ]
    # The same item answered whole: the same parts, in the same order.
    body = {"status": "completed", "output": [item]}
    assert parse_response(body, []).content == [
        Reasoning(text="Sum.", provider_metadata=metadata),
        Reasoning(
            text="Raw.",
            provider_metadata={"openai": {**metadata["openai"], "reasoning_text": True}},
        ),
    ]


def test_raw_reasoning_first_then_a_summary_takes_its_own_block() -> None:
    summary = {
        "type": "response.reasoning_summary_text.delta",
        "item_id": "rs_1",
        "output_index": 0,
        "summary_index": 0,
        "delta": "Sum.",
    }
    parts = parts_of(added(0, reasoning_item()), raw_delta("Raw."), summary)
    assert parts[:5] == [
        ReasoningStart("rs_1:0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:0", "Raw."),
        ReasoningStart("rs_1:s0", {"openai": {"item_id": "rs_1"}}),
        ReasoningDelta("rs_1:s0", "Sum."),
        ReasoningEnd("rs_1:0"),
    ]


def test_a_raw_part_index_that_is_not_a_number_is_an_error() -> None:
    bad = {**raw_delta("x"), "content_index": "0"}
    with pytest.raises(StreamError, match="'content_index' is not a number"):
        parts_of(added(0, reasoning_item()), bad)
    with pytest.raises(StreamError, match="'content_index' is not a number"):
        parts_of(added(0, reasoning_item()), {**raw_done("x"), "content_index": None})


def test_a_non_streamed_item_with_raw_content_gives_raw_reasoning() -> None:
    body = {"status": "completed", "output": [reasoning_item(content=RAW_CONTENT), message("Hi")]}
    response = parse_response(body, [])
    assert response.content[0] == Reasoning(text="Think. Then answer.", provider_metadata=RAW)
    assert response.content[1] == Text(
        text="Hi", provider_metadata={"openai": {"item_id": "msg_1"}}
    )
    with pytest.raises(ProviderError, match=r"'reasoning\.content' is not a list"):
        parse_response({"output": [reasoning_item(content="x")]}, [])
    # Neither summary nor content: one empty part keeps the item.
    assert parse_response({"output": [reasoning_item()]}, []).content == [
        Reasoning(text="", provider_metadata=PLAIN)
    ]


# ---- item ids that change on every event ------------------------------------------------------


def _changing_ids() -> list[dict[str, Any]]:
    """A reasoning item, a message and a function call, whose every event names another id."""
    text = "Hello there, Florence."
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}},
        added(0, {"type": "reasoning", "id": "rs_a0", "summary": []}),
    ]
    events += [raw_delta(piece, item_id=f"rs_a{n + 1}") for n, piece in enumerate(["Go", "od."])]
    events.append(
        done(
            0,
            {
                "type": "reasoning",
                "id": "rs_a9",
                "summary": [],
                "content": [{"type": "reasoning_text", "text": "Good."}],
            },
        )
    )
    events.append(added(1, {"type": "message", "id": "msg_0", "role": "assistant", "content": []}))
    for n in range(0, len(text), 5):
        events.append(
            {
                "type": "response.output_text.delta",
                "item_id": f"msg_{n + 1}",
                "output_index": 1,
                "content_index": 0,
                "delta": text[n : n + 5],
            }
        )
    events.append(
        {
            "type": "response.output_text.done",
            "item_id": "msg_x",
            "output_index": 1,
            "content_index": 0,
            "text": text,
        }
    )
    events.append(done(1, message(text, id="msg_99")))
    call = {"type": "function_call", "id": "fc_0", "call_id": "call_1", "name": "weather"}
    events.append(added(2, {**call, "arguments": ""}))
    for n, piece in enumerate(['{"location":', '"Florence"}']):
        events.append(
            {
                "type": "response.function_call_arguments.delta",
                "item_id": f"fc_{n + 1}",
                "output_index": 2,
                "delta": piece,
            }
        )
    events.append(done(2, {**call, "id": "fc_9", "arguments": '{"location":"Florence"}'}))
    events.append(COMPLETED)
    return events


def test_parts_are_keyed_by_output_index_and_text_is_never_repeated() -> None:
    events = _changing_ids()
    parser = ResponsesStreamParser([], "openai")
    parts: list[StreamPart] = []
    for data in events:
        parts += parser.feed(ServerSentEvent(event=str(data["type"]), data=json.dumps(data)))
    parts += parser.finish()
    assert parts[:-1] == [
        ReasoningStart("rs_a0:0", {"openai": {"item_id": "rs_a0"}}),
        ReasoningDelta("rs_a0:0", "Go"),
        ReasoningDelta("rs_a0:0", "od."),
        ReasoningEnd(
            "rs_a0:0",
            {"openai": {"item_id": "rs_a9", "encrypted_content": None, "reasoning_text": True}},
        ),
        TextStart("msg_0"),
        TextDelta("msg_0", "Hello"),
        TextDelta("msg_0", " ther"),
        TextDelta("msg_0", "e, Fl"),
        TextDelta("msg_0", "orenc"),
        TextDelta("msg_0", "e."),
        TextEnd("msg_0", {"openai": {"item_id": "msg_99"}}),
        ToolInputStart("call_1", "weather"),
        ToolInputDelta("call_1", '{"location":'),
        ToolInputDelta("call_1", '"Florence"}'),
        ToolInputEnd("call_1"),
        ToolCall(
            tool_call_id="call_1",
            tool_name="weather",
            input='{"location":"Florence"}',
            provider_metadata={"openai": {"item_id": "fc_9"}},
        ),
    ]


def test_items_never_added_are_keyed_by_the_first_id_their_index_showed() -> None:
    deltas = [
        {
            "type": "response.output_text.delta",
            "item_id": f"m{n}",
            "output_index": 0,
            "content_index": 0,
            "delta": piece,
        }
        for n, piece in enumerate(["a", "b"])
    ]
    parts = parts_of(*deltas, done(0, message("ab", id="m7")))
    assert parts[:-1] == [
        TextStart("m0"),
        TextDelta("m0", "a"),
        TextDelta("m0", "b"),
        TextEnd("m0", {"openai": {"item_id": "m7"}}),
    ]


def _body(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 4, 5, 6, 7])
async def test_a_compatible_server_in_network_pieces_gives_one_answer(chunk_size: int) -> None:
    server = FakeServer(chunk_size=chunk_size)
    server.answers.append((200, _body(_changing_ids()), "text/event-stream"))
    server.json({"status": "completed", "output": [message("ok")]})
    model = OpenAI(api_key="k", client=server.client(), retry=NO_RETRY, api="responses").model(
        "gpt-oss-120b"
    )
    accumulator = StreamAccumulator()
    async for part in model.stream(HELLO):
        accumulator.add(part)
    response = accumulator.response()
    assert response.text == "Hello there, Florence."
    assert [c.type for c in response.content] == ["reasoning", "text", "tool-call"]
    assert response.content[0] == Reasoning(
        text="Good.",
        provider_metadata={
            "openai": {"item_id": "rs_a9", "encrypted_content": None, "reasoning_text": True}
        },
    )
    # Raw reasoning goes back as the reasoning item's content when replay is asked for.
    options = {"openai": {"replay_reasoning": True}}
    prompt = [*HELLO.prompt, *to_messages(response.content[:2], [])]
    await model.generate(Call(prompt=prompt, provider_options=options))
    assert server.requests[-1]["input"][1:] == [
        {
            "type": "reasoning",
            "id": "rs_a9",
            "summary": [],
            "content": [{"type": "reasoning_text", "text": "Good."}],
        },
        {"role": "assistant", "content": "Hello there, Florence."},
    ]


# ---- pinned details -------------------------------------------------------------------------


@pytest.mark.parametrize("content_index", [None, 1])
def test_a_done_raw_part_after_its_deltas_adds_nothing(content_index: int | None) -> None:
    delta = raw_delta("Streamed.", 0 if content_index is None else content_index)
    whole = raw_done("Streamed.", 0 if content_index is None else content_index)
    if content_index is None:
        del delta["content_index"], whole["content_index"]
    parts = parts_of(added(0, reasoning_item()), delta, whole)
    assert [p.delta for p in parts if isinstance(p, ReasoningDelta)] == ["Streamed."]


def test_a_done_raw_part_without_text_opens_an_empty_block() -> None:
    parts = parts_of(added(0, reasoning_item()), {**raw_done(""), "text": None})
    assert parts[:-1] == [
        ReasoningStart("rs_1:0", {"openai": {"item_id": "rs_1"}}),
        ReasoningEnd("rs_1:0"),
    ]


def test_an_item_added_without_an_id_leaves_its_index_to_the_deltas() -> None:
    parts = parts_of(
        added(0, {"type": "message", "role": "assistant"}),
        {"type": "response.output_text.delta", "item_id": "m1", "output_index": 0, "delta": "x"},
        added(1, {"type": "message", "id": 7}),
    )
    assert parts[:3] == [TextStart("m1"), TextDelta("m1", "x"), TextEnd("m1")]


def test_a_streamed_reasoning_item_with_bad_content_names_the_provider() -> None:
    parser = ResponsesStreamParser([], "vllm")
    data = done(0, reasoning_item(content="x"))
    with pytest.raises(ProviderError, match=r"^vllm: 'reasoning\.content' is not a list"):
        parser.feed(ServerSentEvent(event=str(data["type"]), data=json.dumps(data)))


@pytest.mark.parametrize(
    ("content", "path"),
    [
        (["odd"], "reasoning.content[0]' is not an object"),
        ([{"type": "reasoning_text", "text": 3}], "reasoning.content[0].text' is not a string"),
    ],
)
def test_raw_content_of_the_wrong_kind_is_an_error_naming_it(content: list[Any], path: str) -> None:
    with pytest.raises(ProviderError, match="^openai: " + re.escape(f"'{path}")):
        parse_response({"output": [reasoning_item(content=content)]}, [])
    with pytest.raises(StreamError, match="^openai: " + re.escape(f"'{path}")):
        parts_of(done(0, reasoning_item(content=content)))


def test_a_done_raw_part_whose_text_is_not_text_is_an_error() -> None:
    with pytest.raises(StreamError, match=r"^openai: 'text' is not a string"):
        parts_of(added(0, reasoning_item()), {**raw_done(""), "text": 5})


@pytest.mark.parametrize("event", [added(0, message("x")), raw_delta("x")])
def test_an_output_index_that_is_not_a_number_is_an_error(event: dict[str, Any]) -> None:
    with pytest.raises(StreamError, match=r"^openai: 'output_index' is not a number"):
        parts_of({**event, "output_index": "0"})
