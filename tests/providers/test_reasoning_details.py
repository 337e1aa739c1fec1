"""``reasoning_details`` replayed as received (Vercel AI Gateway): every entry, whole, in order,
on the assistant message that carried it, from a message and from stream fragments merged by
``type`` and ``index``.

Fixtures are hand-made after the documented shape (OpenRouter's and the gateway's reasoning
docs): ``reasoning.text`` (``text``, ``signature``), ``reasoning.summary`` (``summary``),
``reasoning.encrypted`` (``data``), each with ``format``, ``id`` and ``index``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FakeServer

from reverie.accumulate import StreamAccumulator
from reverie.content import Reasoning
from reverie.conversation import to_messages
from reverie.framer import Framer
from reverie.http.retry import NO_RETRY
from reverie.messages import ReasoningPart, user_message
from reverie.model import ReasoningDelta, ReasoningEnd, ReasoningStart, Response
from reverie.providers.kit import Call
from reverie.providers.openai_chat.reasoning_details import ReasoningDetails
from reverie.providers.vercel import Vercel

HELLO = Call(prompt=[user_message("Say hi")])
OK = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}

# gpt-5 through the gateway: two summary entries and the encrypted reasoning item.
GPT5_DETAILS = [
    {
        "type": "reasoning.summary",
        "summary": "**Planning** the answer.",
        "format": "openai-responses-v1",
        "index": 0,
    },
    {
        "type": "reasoning.summary",
        "summary": " Then greeting.",
        "format": "openai-responses-v1",
        "index": 1,
    },
    {
        "type": "reasoning.encrypted",
        "data": "gAAAAABencrypted==",
        "id": "rs_0abc",
        "format": "openai-responses-v1",
        "index": 2,
    },
]
# Gemini 3: its reasoning text, then the thought signature as encrypted data.
GEMINI_DETAILS = [
    {
        "type": "reasoning.text",
        "text": "Thinking about hi.",
        "format": "google-gemini-v1",
        "index": 0,
    },
    {
        "type": "reasoning.encrypted",
        "data": "CiQBjz1rX==",
        "id": "tool_hi_1",
        "format": "google-gemini-v1",
        "index": 1,
    },
]


def gateway(server: FakeServer, model: str = "openai/gpt-5") -> Any:
    return Vercel(api_key="vk-secret", client=server.client(), retry=NO_RETRY).model(model)


def answer(details: list[dict[str, Any]], reasoning: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "Hi!", "reasoning_details": details}
    if reasoning is not None:
        message["reasoning"] = reasoning
    return {"choices": [{"message": message, "finish_reason": "stop"}]}


def stream_body(deltas: list[dict[str, Any]]) -> bytes:
    chunks = [{"choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    lines = [f"data: {json.dumps(c)}\n\n" for c in chunks] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()


async def fold(model: Any, call: Call) -> Response:
    accumulator = StreamAccumulator()
    async for part in model.stream(call):
        accumulator.add(part)
    return accumulator.response()


async def replayed(server: FakeServer, model: Any, response: Response) -> dict[str, Any]:
    await model.generate(Call(prompt=[*HELLO.prompt, *to_messages(response.content, [])]))
    message: dict[str, Any] = server.requests[-1]["messages"][-1]
    return message


@pytest.mark.parametrize("details", [GPT5_DETAILS, GEMINI_DETAILS])
async def test_message_details_are_replayed_whole_and_in_order(
    details: list[dict[str, Any]],
) -> None:
    server = FakeServer().json(answer(details)).json(OK)
    model = gateway(server)
    response = await model.generate(HELLO)
    reasoning = response.content[0]
    assert isinstance(reasoning, Reasoning)
    assert reasoning.text == "".join(d.get("summary") or d.get("text") or "" for d in details)
    assert reasoning.provider_metadata == {"vercel": {"reasoning_details": details}}
    message = await replayed(server, model, response)
    assert message == {"role": "assistant", "content": "Hi!", "reasoning_details": details}


def _fragments(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry cut the way a stream sends it: its text in three-character fragments, the
    other fields (signature, id, data) on the fragments that carry them."""
    deltas: list[dict[str, Any]] = []
    for detail in details:
        field = next((f for f in ("text", "summary") if f in detail), None)
        if field is None:
            deltas.append({"reasoning_details": [detail]})
            continue
        value = detail[field]
        rest = {k: v for k, v in detail.items() if k not in (field, "signature", "id")}
        for i in range(0, len(value), 3):
            deltas.append({"reasoning_details": [{**rest, field: value[i : i + 3]}]})
        extra = {k: detail[k] for k in ("signature", "id") if k in detail}
        if extra:
            deltas.append({"reasoning_details": [{**rest, field: "", **extra}]})
    return deltas


SIGNED = [
    {
        "type": "reasoning.text",
        "text": "First block.",
        "format": "anthropic-claude-v1",
        "index": 0,
        "signature": "sig-one",
    },
    {
        "type": "reasoning.text",
        "text": "Second block.",
        "format": "anthropic-claude-v1",
        "index": 1,
        "signature": "sig-two",
    },
]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 5, 7, 4096])
@pytest.mark.parametrize("details", [GPT5_DETAILS, GEMINI_DETAILS, SIGNED])
async def test_streamed_fragments_merge_into_whole_entries(
    details: list[dict[str, Any]], chunk_size: int
) -> None:
    server = FakeServer(chunk_size=chunk_size)
    server.answers.append(
        (200, stream_body([*_fragments(details), {"content": "Hi!"}]), "text/event-stream")
    )
    server.json(OK)
    model = gateway(server)
    response = await fold(model, HELLO)
    assert [c.type for c in response.content] == ["reasoning", "text"]
    reasoning = response.content[0]
    assert isinstance(reasoning, Reasoning)
    assert reasoning.text == "".join(d.get("summary") or d.get("text") or "" for d in details)
    assert reasoning.provider_metadata["vercel"] == {"reasoning_details": details}
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == details


async def test_anthropic_signatures_also_go_to_anthropic_and_text_to_reasoning() -> None:
    server = FakeServer().json(answer(SIGNED)).json(OK)
    model = gateway(server, "anthropic/claude-sonnet-4")
    response = await model.generate(HELLO)
    reasoning = response.content[0]
    assert isinstance(reasoning, Reasoning)
    assert reasoning.provider_metadata == {
        "vercel": {"reasoning_details": SIGNED},
        "anthropic": {"signature": "sig-two"},
    }
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == SIGNED
    assert message["reasoning"] == "First block.Second block."


async def test_reasoning_after_the_text_is_a_second_part_and_the_one_replayed() -> None:
    """An encrypted entry that arrives once the answer has started is a second reasoning
    part; as in the recorded conversations, the message's last reasoning part goes back."""
    summary, _, encrypted = GPT5_DETAILS
    deltas = [
        {"reasoning_details": [summary]},
        {"content": "Hi!"},
        {"reasoning_details": [encrypted]},
    ]
    server = FakeServer(chunk_size=4)
    server.answers.append((200, stream_body(deltas), "text/event-stream"))
    server.json(OK)
    model = gateway(server)
    response = await fold(model, HELLO)
    assert [c.type for c in response.content] == ["reasoning", "text", "reasoning"]
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == [encrypted]


ITEM = "rs_0abc"


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 4096])
async def test_openai_summaries_go_back_without_their_id_and_empty_ones_not_at_all(
    chunk_size: int,
) -> None:
    fmt = {"format": "openai-responses-v1", "id": ITEM}
    details = [
        {"type": "reasoning.summary", "summary": "**Plan** it.", "index": 0, **fmt},
        {"type": "reasoning.summary", "summary": "", "index": 1, **fmt},
        {"type": "reasoning.encrypted", "data": "gAAA==", "index": 0, **fmt},
    ]
    server = FakeServer(chunk_size=chunk_size)
    server.answers.append(
        (200, stream_body([*_fragments(details), {"content": "Hi!"}]), "text/event-stream")
    )
    server.json(answer(details)).json(OK).json(OK)
    model = gateway(server)
    streamed = await fold(model, HELLO)
    whole = await model.generate(HELLO)
    expected = [
        {
            "type": "reasoning.summary",
            "summary": "**Plan** it.",
            "index": 0,
            "format": fmt["format"],
        },
        details[2],
    ]
    for response in (streamed, whole):
        reasoning = response.content[0]
        assert isinstance(reasoning, Reasoning)
        assert reasoning.provider_metadata == {"vercel": {"reasoning_details": details}}
        assert (await replayed(server, model, response))["reasoning_details"] == expected


async def test_gemini_reasoning_without_an_encrypted_entry_gets_an_empty_one() -> None:
    text = {"type": "reasoning.text", "text": "Thinking.", "format": "google-gemini-v1", "index": 0}
    server = FakeServer().json(answer([text])).json(OK)
    model = gateway(server, "google/gemini-3-pro-preview")
    message = await replayed(server, model, await model.generate(HELLO))
    assert message == {
        "role": "assistant",
        "content": "Hi!",
        "reasoning_details": [
            text,
            {"type": "reasoning.encrypted", "format": "google-gemini-v1", "index": 0},
        ],
    }


async def test_a_gemini_signature_after_the_call_is_the_part_replayed() -> None:
    text = {"type": "reasoning.text", "text": "Thinking.", "format": "google-gemini-v1", "index": 0}
    signed = {
        "type": "reasoning.encrypted",
        "data": "CiQB",
        "format": "google-gemini-v1",
        "index": 0,
    }
    call = {
        "index": 0,
        "id": "c1",
        "type": "function",
        "function": {"name": "f", "arguments": "{}"},
    }
    deltas = [
        {"reasoning_details": [text]},
        {"tool_calls": [call]},
        {"reasoning_details": [signed]},
    ]
    server = FakeServer(chunk_size=5)
    server.answers.append((200, stream_body(deltas), "text/event-stream"))
    server.json(OK)
    model = gateway(server, "google/gemini-3-pro-preview")
    response = await fold(model, HELLO)
    assert [c.type for c in response.content] == ["reasoning", "reasoning", "tool-call"]
    message = await replayed(server, model, response)
    assert message["reasoning_details"] == [signed]


def test_fragments_without_an_index_are_separate_entries_and_nulls_do_not_erase() -> None:
    details = ReasoningDetails("vercel", lossless=True)
    stream = details.stream()
    framer = Framer()
    stream.feed({"reasoning_details": [{"type": "reasoning.text", "text": "a"}]}, framer)
    stream.feed({"reasoning_details": [{"type": "reasoning.text", "text": "b"}]}, framer)
    first = {"type": "reasoning.text", "text": "c", "index": 0, "signature": None}
    stream.feed({"reasoning_details": [first, "not a detail"]}, framer)
    later = {"type": "reasoning.text", "text": "d", "index": 0, "format": None, "signature": "s"}
    stream.feed({"reasoning_details": [later]}, framer)
    # Same index, another type: its own entry.
    stream.feed(
        {"reasoning_details": [{"type": "reasoning.encrypted", "data": "x", "index": 0}]}, framer
    )
    stream.feed(
        {"reasoning_details": [{"type": "reasoning.encrypted", "data": "y", "index": 0}]}, framer
    )
    stream.feed({"reasoning_details": {"type": "reasoning.text"}}, framer)  # not a list: ignored
    stream.close(framer)
    parts = framer.drain()
    assert parts[0] == ReasoningStart("reasoning-0", {})
    assert [p.delta for p in parts if isinstance(p, ReasoningDelta)] == ["a", "b", "c", "d"]
    end = parts[-1]
    assert isinstance(end, ReasoningEnd)
    assert end.provider_metadata == {
        "vercel": {
            "reasoning_details": [
                {"type": "reasoning.text", "text": "a"},
                {"type": "reasoning.text", "text": "b"},
                {
                    "type": "reasoning.text",
                    "text": "cd",
                    "index": 0,
                    "signature": "s",
                },
                {"type": "reasoning.encrypted", "data": "xy", "index": 0},
            ]
        }
    }
    # Closed: the next reasoning starts afresh.
    stream.close(framer)
    assert framer.drain() == []


def test_plain_reasoning_deltas_stand_for_one_text_entry() -> None:
    stream = ReasoningDetails("vercel", lossless=True).stream()
    framer = Framer()
    stream.feed({"reasoning": "Let "}, framer)
    stream.feed({"reasoning": ""}, framer)
    stream.feed({"reasoning": "me.", "reasoning_details": []}, framer)
    stream.close(framer)
    end = framer.drain()[-1]
    assert isinstance(end, ReasoningEnd)
    assert end.provider_metadata == {
        "vercel": {
            "reasoning_details": [
                {"type": "reasoning.text", "text": "Let me.", "format": "unknown", "index": 0}
            ]
        }
    }


def test_a_message_without_reasoning_has_none_and_odd_details_are_skipped() -> None:
    details = ReasoningDetails("vercel", lossless=True)
    assert details.from_message({"content": "hi"}) == []
    assert details.from_message({"reasoning_details": {"type": "reasoning.text"}}) == []
    assert details.from_message({"reasoning_details": ["x"], "reasoning": ""}) == []
    (only,) = details.from_message(
        {"reasoning_details": [7, {"type": "reasoning.summary", "summary": 3}]}
    )
    assert only.text == ""
    assert only.provider_metadata == {
        "vercel": {"reasoning_details": [{"type": "reasoning.summary", "summary": 3}]}
    }


def test_replay_sends_the_last_parts_details_in_either_shape() -> None:
    details = ReasoningDetails("vercel", lossless=True)
    old = {"type": "reasoning.text", "text": "old", "format": "unknown", "index": 0}
    new = {"type": "reasoning.encrypted", "data": "z", "format": "openai-responses-v1"}
    first = ReasoningPart(text="old", provider_options={"vercel": {"reasoning_detail": old}})
    second = ReasoningPart(text="", provider_options={"vercel": {"reasoning_details": [new, "x"]}})
    other = ReasoningPart(text="", provider_options={"other": {"reasoning_details": [old]}})
    assert details.replay([first, second, other]) == {"reasoning_details": [new]}
    # A part saved by an earlier version (one detail) still goes back.
    assert details.replay([second, first]) == {"reasoning_details": [old]}
    assert details.replay([other]) == {}
    assert details.replay([]) == {}
    # The recorded rule reads the same places, and sends what it finds unchanged.
    recorded = ReasoningDetails("vercel")
    summary = {"type": "reasoning.summary", "summary": "", "format": "openai-responses-v1"}
    part = ReasoningPart(text="", provider_options={"vercel": {"reasoning_details": [summary]}})
    assert recorded.replay([part]) == {"reasoning_details": [summary]}
    assert details.replay([part]) == {}
