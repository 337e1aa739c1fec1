"""Gemini streams, event by event: the parts each wire part becomes, the Finish, the errors.

Events are written here by hand, one ``GenerateContentResponse`` per SSE event as Gemini
sends them, and read through the whole client (``HttpClient.stream`` over a MockTransport).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from test_google import GoogleServer, answer, collect, gemini

from reverie.content import File, Reasoning, Source, Text, ToolCall
from reverie.errors import ProviderError, StreamError
from reverie.finish_reason import FinishReason
from reverie.http.sse import ServerSentEvent
from reverie.messages import Message, ReasoningPart, TextPart, user_message
from reverie.model import (
    ErrorPart,
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
from reverie.providers.google.ids import make_id_generator
from reverie.providers.google.stream import GeminiStreamParser
from reverie.providers.kit import Call
from reverie.usage import Usage
from reverie.warning import CallWarning

THOUGHTS = {"google": {"thinking_config": {"include_thoughts": True}}}


def event(*parts: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    """One streamed answer chunk holding ``parts``; ``finish`` ends the stream."""
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": list(parts)}}
    if finish is not None:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], **extra}


def sig(signature: str) -> dict[str, dict[str, str]]:
    return {"google": {"thought_signature": signature}}


async def stream(*events: dict[str, Any] | str, options: Any = None) -> list[StreamPart]:
    """The parts of a stream whose events are ``events`` (a str is sent as the data as is)."""
    data = [e if isinstance(e, str) else json.dumps(e) for e in events]
    body = "".join(f"data: {d}\r\n\r\n" for d in data).encode()
    server = GoogleServer()
    server.answers.append((200, body, "text/event-stream"))
    call = Call(prompt=[user_message("Hi")], provider_options=options or {})
    return await collect(gemini(server), call)


def unpriced(parts: list[StreamPart]) -> list[StreamPart]:
    """``parts`` with the Finish part's estimated cost left out (tests/test_pricing.py
    checks costs): gemini-2.5-flash has a price."""
    return [
        replace(p, usage=replace(p.usage, cost=None, cost_source=None))
        if isinstance(p, Finish)
        else p
        for p in parts
    ]


def stop(reason: FinishReason = FinishReason.STOP, **fields: Any) -> Finish:
    """The Finish part; no usage in the stream: its usage says it was not reported."""
    fields.setdefault("usage", Usage(reported=False))
    return Finish(finish_reason=reason, **fields)


async def error_of(*events: dict[str, Any] | str) -> Exception:
    parts = await stream(*events)
    last = parts[-1]
    assert isinstance(last, ErrorPart), parts
    assert not any(isinstance(p, Finish) for p in parts)
    return last.error


# ---- text ---------------------------------------------------------------------------------


async def test_consecutive_text_parts_are_one_text_block() -> None:
    parts = await stream(
        event({"text": "Hel"}),
        event({"text": "lo"}, {"text": " world"}),
        event({"text": "!"}, finish="STOP"),
    )
    assert parts == [
        TextStart("text-0"),
        TextDelta("text-0", "Hel"),
        TextDelta("text-0", "lo"),
        TextDelta("text-0", " world"),
        TextDelta("text-0", "!"),
        TextEnd("text-0"),
        stop(),
    ]


async def test_a_signed_text_part_ends_its_block_with_the_signature() -> None:
    parts = await stream(
        event({"text": "One", "thoughtSignature": "s1"}),
        event({"text": "Two"}, finish="STOP"),
    )
    assert parts == [
        TextStart("text-0"),
        TextDelta("text-0", "One"),
        TextEnd("text-0", sig("s1")),
        TextStart("text-1"),
        TextDelta("text-1", "Two"),
        TextEnd("text-1"),
        stop(),
    ]


async def test_a_signature_on_an_empty_text_part_is_a_block_of_its_own() -> None:
    parts = await stream(
        event({"text": "Hi"}),
        event({"text": "", "thoughtSignature": "s-empty"}, finish="STOP"),
    )
    assert parts == [
        TextStart("text-0"),
        TextDelta("text-0", "Hi"),
        TextEnd("text-0", sig("s-empty")),
        stop(),
    ]


async def test_text_blocks_are_numbered_in_order_however_they_end() -> None:
    parts = await stream(
        event({"text": "a", "thoughtSignature": "s0"}, {"text": "b", "thoughtSignature": "s1"}),
        event({"text": "c"}, {"text": "t", "thought": True}, {"text": "d"}),
        event({"text": "u", "thought": True}, {"text": "e"}, finish="STOP"),
    )
    starts = [p.id for p in parts if isinstance(p, TextStart)]
    assert starts == ["text-0", "text-1", "text-2", "text-3", "text-4"]


async def test_an_empty_unsigned_text_part_frames_nothing() -> None:
    parts = await stream(event({"text": "Hi"}), event({"text": ""}, finish="STOP"))
    assert parts == [TextStart("text-0"), TextDelta("text-0", "Hi"), TextEnd("text-0"), stop()]


async def test_an_empty_unsigned_text_part_does_not_end_an_open_thought() -> None:
    parts = await stream(
        event({"text": "Let me", "thought": True}),
        event({"text": ""}),
        event({"text": " think.", "thought": True}, finish="STOP"),
    )
    assert parts == [
        ReasoningStart("reasoning-0"),
        ReasoningDelta("reasoning-0", "Let me"),
        ReasoningDelta("reasoning-0", " think."),
        ReasoningEnd("reasoning-0"),
        stop(),
    ]


# ---- thoughts -----------------------------------------------------------------------------


async def test_thought_parts_are_reasoning_blocks_ended_by_their_signature() -> None:
    parts = await stream(
        event({"text": "Let me", "thought": True}),
        event({"text": " think.", "thought": True, "thoughtSignature": "s-r"}),
        event({"text": "More.", "thought": True}),
        event({"text": "Done."}, finish="STOP"),
    )
    assert parts == [
        ReasoningStart("reasoning-0"),
        ReasoningDelta("reasoning-0", "Let me"),
        ReasoningDelta("reasoning-0", " think."),
        ReasoningEnd("reasoning-0", sig("s-r")),
        ReasoningStart("reasoning-1"),
        ReasoningDelta("reasoning-1", "More."),
        ReasoningEnd("reasoning-1"),
        TextStart("text-0"),
        TextDelta("text-0", "Done."),
        TextEnd("text-0"),
        stop(),
    ]


async def test_reasoning_blocks_are_numbered_in_order_however_they_end() -> None:
    parts = await stream(
        event({"text": "a", "thought": True, "thoughtSignature": "s0"}),
        event({"text": "b", "thought": True, "thoughtSignature": "s1"}),
        event({"text": "c", "thought": True}, {"text": "x"}, {"text": "d", "thought": True}),
        event({"functionCall": {"name": "now"}}, {"text": "e", "thought": True}, finish="STOP"),
    )
    starts = [p.id for p in parts if isinstance(p, ReasoningStart)]
    assert starts == ["reasoning-0", "reasoning-1", "reasoning-2", "reasoning-3", "reasoning-4"]


async def test_a_thought_after_text_ends_the_text_block() -> None:
    parts = await stream(
        event({"text": "First."}),
        event({"text": "Hmm.", "thought": True}),
        event({"text": "Second."}, finish="STOP"),
    )
    assert parts == [
        TextStart("text-0"),
        TextDelta("text-0", "First."),
        TextEnd("text-0"),
        ReasoningStart("reasoning-0"),
        ReasoningDelta("reasoning-0", "Hmm."),
        ReasoningEnd("reasoning-0"),
        TextStart("text-1"),
        TextDelta("text-1", "Second."),
        TextEnd("text-1"),
        stop(),
    ]


# ---- function calls and files -------------------------------------------------------------


async def test_a_function_call_ends_the_open_blocks_and_arrives_whole() -> None:
    call = {"name": "add", "args": {"a": 2, "b": 3}}
    parts = await stream(
        event({"text": "Hmm.", "thought": True}, {"text": "Adding."}),
        event({"functionCall": call, "thoughtSignature": "s-call"}),
        event({"text": "Wait."}, {"functionCall": {"name": "now", "id": "g-2"}}, finish="STOP"),
    )
    args = '{"a": 2, "b": 3}'
    assert parts == [
        ReasoningStart("reasoning-0"),
        ReasoningDelta("reasoning-0", "Hmm."),
        ReasoningEnd("reasoning-0"),
        TextStart("text-0"),
        TextDelta("text-0", "Adding."),
        TextEnd("text-0"),
        ToolInputStart("1", "add"),
        ToolInputDelta("1", args),
        ToolInputEnd("1"),
        ToolCall(tool_call_id="1", tool_name="add", input=args, provider_metadata=sig("s-call")),
        TextStart("text-1"),
        TextDelta("text-1", "Wait."),
        TextEnd("text-1"),
        ToolInputStart("g-2", "now"),
        ToolInputDelta("g-2", "{}"),
        ToolInputEnd("g-2"),
        ToolCall(tool_call_id="g-2", tool_name="now", input="{}"),
        stop(FinishReason.TOOL_CALLS),
    ]


async def test_a_function_call_ends_an_open_thought() -> None:
    parts = await stream(
        event({"text": "Hmm.", "thought": True}),
        event({"functionCall": {"name": "now", "args": {}}}, finish="STOP"),
    )
    assert parts[:4] == [
        ReasoningStart("reasoning-0"),
        ReasoningDelta("reasoning-0", "Hmm."),
        ReasoningEnd("reasoning-0"),
        ToolInputStart("1", "now"),
    ]


async def test_inline_data_becomes_a_file_and_ends_the_text_block() -> None:
    image = {"inlineData": {"mimeType": "image/png", "data": "iVBORw=="}}
    parts = await stream(
        event({"text": "Here:"}, image),
        event({"text": "Done."}, finish="STOP"),
    )
    assert parts == [
        TextStart("text-0"),
        TextDelta("text-0", "Here:"),
        TextEnd("text-0"),
        File(data=b"\x89PNG", media_type="image/png"),
        TextStart("text-1"),
        TextDelta("text-1", "Done."),
        TextEnd("text-1"),
        stop(),
    ]


async def test_a_part_of_an_unknown_kind_is_skipped() -> None:
    code = {"executableCode": {"language": "PYTHON", "code": "print(1)"}}
    parts = await stream(event({"text": "Run:"}, code, {"text": "ok"}, finish="STOP"))
    assert [p for p in parts if not isinstance(p, TextStart | TextDelta | TextEnd)] == [stop()]
    assert [p.delta for p in parts if isinstance(p, TextDelta)] == ["Run:", "ok"]


# ---- hidden thoughts ----------------------------------------------------------------------


async def test_counted_thoughts_open_an_empty_reasoning_block_before_the_first_part() -> None:
    usage = {"promptTokenCount": 5, "candidatesTokenCount": 1, "thoughtsTokenCount": 1}
    parts = await stream(
        event({"text": "Hi"}, usageMetadata=usage),
        event({"text": "!"}, finish="STOP", usageMetadata=usage),
        options=THOUGHTS,
    )
    assert parts[:4] == [
        ReasoningStart("reasoning-0"),
        ReasoningEnd("reasoning-0"),
        TextStart("text-0"),
        TextDelta("text-0", "Hi"),
    ]
    assert sum(isinstance(p, ReasoningStart) for p in parts) == 1


async def test_a_signed_first_part_opens_an_empty_reasoning_block_before_it() -> None:
    parts = await stream(
        event({"text": "Hi", "thoughtSignature": "s"}),
        event({"text": "Hmm.", "thought": True}, finish="STOP"),
        options=THOUGHTS,
    )
    assert parts == [
        ReasoningStart("reasoning-0"),
        ReasoningEnd("reasoning-0"),
        TextStart("text-0"),
        TextDelta("text-0", "Hi"),
        TextEnd("text-0", sig("s")),
        ReasoningStart("reasoning-1"),
        ReasoningDelta("reasoning-1", "Hmm."),
        ReasoningEnd("reasoning-1"),
        stop(),
    ]


async def test_a_signed_first_call_opens_an_empty_reasoning_block_before_it() -> None:
    parts = await stream(
        event({"functionCall": {"name": "now"}, "thoughtSignature": "s"}, finish="STOP"),
        options=THOUGHTS,
    )
    assert parts[:3] == [
        ReasoningStart("reasoning-0"),
        ReasoningEnd("reasoning-0"),
        ToolInputStart("1", "now"),
    ]


async def test_no_reasoning_block_is_made_up_without_thoughts() -> None:
    usage = {"promptTokenCount": 5, "candidatesTokenCount": 1, "thoughtsTokenCount": 0}
    parts = await stream(
        event({"text": "Hi"}, finish="STOP", usageMetadata=usage), options=THOUGHTS
    )
    assert not any(isinstance(p, ReasoningStart) for p in parts)


async def test_no_reasoning_block_is_made_up_when_thoughts_were_not_asked_for() -> None:
    usage = {"promptTokenCount": 5, "thoughtsTokenCount": 9}
    parts = await stream(event({"text": "Hi", "thoughtSignature": "s"}, usageMetadata=usage))
    assert not any(isinstance(p, ReasoningStart) for p in parts)
    parts = await stream(
        event({"text": "Hi", "thoughtSignature": "s"}, usageMetadata=usage),
        options={"google": {"thinking_config": {"include_thoughts": False}}},
    )
    assert not any(isinstance(p, ReasoningStart) for p in parts)


async def test_an_empty_first_part_does_not_hide_counted_thoughts() -> None:
    # As generate does: the empty part is no content, so the reasoning goes before "Hi".
    usage = {"promptTokenCount": 5, "thoughtsTokenCount": 9}
    parts = await stream(
        event({"text": ""}, usageMetadata=usage),
        event({"text": "Hi"}, finish="STOP", usageMetadata=usage),
        options=THOUGHTS,
    )
    assert parts[:3] == [
        ReasoningStart("reasoning-0"),
        ReasoningEnd("reasoning-0"),
        TextStart("text-0"),
    ]
    server = GoogleServer().json(answer({"text": ""}, {"text": "Hi"}, usageMetadata=usage))
    call = Call(prompt=[user_message("Hi")], provider_options=THOUGHTS)
    response = await gemini(server).generate(call)
    assert response.content == [Reasoning(text=""), Text(text="Hi")]


async def test_an_empty_first_part_before_a_thought_makes_up_no_reasoning() -> None:
    usage = {"promptTokenCount": 5, "thoughtsTokenCount": 9}
    parts = await stream(
        event({"text": ""}, usageMetadata=usage),
        event({"text": "Hmm.", "thought": True}, finish="STOP", usageMetadata=usage),
        options=THOUGHTS,
    )
    assert [p for p in parts if isinstance(p, ReasoningStart | ReasoningDelta)] == [
        ReasoningStart("reasoning-0"),
        ReasoningDelta("reasoning-0", "Hmm."),
    ]


def test_the_parser_alone_does_not_make_up_reasoning() -> None:
    # Replays build the parser without include_thoughts: it is off unless asked for.
    parser = GeminiStreamParser([], "google", make_id_generator("sequential", "google"))
    usage = {"thoughtsTokenCount": 9}
    chunk = event({"text": "Hi", "thoughtSignature": "s"}, finish="STOP", usageMetadata=usage)
    parts = parser.feed(ServerSentEvent("message", json.dumps(chunk)))
    assert parts == [TextStart("text-0"), TextDelta("text-0", "Hi"), TextEnd("text-0", sig("s"))]


async def test_only_the_first_part_can_open_a_hidden_reasoning_block() -> None:
    usage = {"promptTokenCount": 5, "thoughtsTokenCount": 9}
    parts = await stream(
        event({"text": "Hmm.", "thought": True}),
        event({"functionCall": {"name": "now"}, "thoughtSignature": "s"}, usageMetadata=usage),
        event({"text": "Done.", "thoughtSignature": "t"}, finish="STOP", usageMetadata=usage),
        options=THOUGHTS,
    )
    assert [p for p in parts if isinstance(p, ReasoningStart)] == [ReasoningStart("reasoning-0")]


# ---- the Finish ---------------------------------------------------------------------------


async def test_finish_carries_the_usage_counted_across_events() -> None:
    parts = await stream(
        event({"text": "Hi"}, usageMetadata={"promptTokenCount": 10, "thoughtsTokenCount": 7}),
        event({"text": "."}),
        event(
            {"text": "!"},
            finish="STOP",
            usageMetadata={
                "promptTokenCount": 10,
                "candidatesTokenCount": 3,
                "totalTokenCount": 21,
            },
        ),
    )
    assert unpriced(parts)[-1] == stop(
        usage=Usage(input_tokens=10, output_tokens=10, total_tokens=21, reasoning_tokens=7)
    )


async def test_finish_carries_the_calls_warnings() -> None:
    body = f"data: {json.dumps(event({'text': 'Hi'}, finish='STOP'))}\r\n\r\n".encode()
    server = GoogleServer()
    server.answers.append((200, body, "text/event-stream"))
    prompt = [Message(role="user", content=(TextPart(text="Hi"), ReasoningPart(text="hm")))]
    parts = await collect(gemini(server), Call(prompt=prompt))
    warning = CallWarning(kind="other", message="a reasoning part in a user turn was dropped")
    assert parts[-1] == stop(warnings=[warning])


async def test_finish_names_the_last_model_version_sent() -> None:
    parts = await stream(
        event({"text": "Hi"}, modelVersion="gemini-2.5-flash"),
        event({"text": "!"}, modelVersion="gemini-2.5-flash-002"),
        event(finish="STOP"),
    )
    assert parts[-1] == stop(model_id="gemini-2.5-flash-002")


async def test_finish_keeps_the_last_events_metadata_and_sources() -> None:
    ratings = [{"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"}]
    grounding = {"groundingChunks": [{"web": {"uri": "https://example.com", "title": "Ex"}}]}
    last = event({"text": "!"}, finish="MAX_TOKENS", responseId="r-2")
    last["candidates"][0].update(safetyRatings=ratings, groundingMetadata=grounding)
    parts = await stream(event({"text": "Hi"}, responseId="r-1"), last)
    assert parts[-3:] == [
        TextEnd("text-0"),
        Source(id="source-0", url="https://example.com", title="Ex"),
        stop(
            FinishReason.LENGTH,
            provider_metadata={
                "google": {
                    "safety_ratings": ratings,
                    "grounding_metadata": grounding,
                    "response_id": "r-2",
                }
            },
        ),
    ]


async def test_a_finish_event_without_content_ends_the_stream() -> None:
    parts = await stream(
        event({"text": "Hi"}),
        {"candidates": [{"finishReason": "STOP"}]},
    )
    assert parts == [TextStart("text-0"), TextDelta("text-0", "Hi"), TextEnd("text-0"), stop()]


async def test_events_without_candidates_or_parts_frame_nothing() -> None:
    parts = await stream(
        {"candidates": [], "usageMetadata": {"promptTokenCount": 3}},
        {"candidates": [{"content": {"role": "model"}}]},
        {"candidates": [{"content": {"role": "model", "parts": None}}]},
        event({"text": "Hi"}, finish="STOP"),
    )
    assert unpriced(parts) == [
        TextStart("text-0"),
        TextDelta("text-0", "Hi"),
        TextEnd("text-0"),
        stop(usage=Usage(input_tokens=3, total_tokens=3)),
    ]


async def test_blank_events_are_skipped() -> None:
    parts = await stream("", "   ", event({"text": "Hi"}, finish="STOP"))
    assert parts == [TextStart("text-0"), TextDelta("text-0", "Hi"), TextEnd("text-0"), stop()]


async def test_prompt_feedback_without_a_block_reason_does_not_end_the_stream() -> None:
    error = await error_of({"promptFeedback": {"safetyRatings": []}})
    assert isinstance(error, StreamError) and error.retryable
    assert str(error) == "google: the stream ended before a finishReason"


async def test_a_blocked_prompt_ends_the_stream_without_parts() -> None:
    feedback = {"blockReason": "PROHIBITED_CONTENT"}
    parts = await stream({"promptFeedback": feedback}, event({"text": "never read"}))
    assert parts == [
        stop(
            FinishReason.CONTENT_FILTER, provider_metadata={"google": {"prompt_feedback": feedback}}
        )
    ]


# ---- malformed events ---------------------------------------------------------------------


async def test_an_event_that_is_not_json_is_a_stream_error() -> None:
    error = await error_of(event({"text": "Hi"}), "{not json")
    assert isinstance(error, StreamError) and not error.retryable
    assert error.provider == "google"
    assert str(error) == "google: malformed stream event: '{not json'"


async def test_the_error_quotes_at_most_200_characters_of_the_event() -> None:
    error = await error_of("x" * 300)
    assert str(error) == f"google: malformed stream event: {'x' * 200!r}"
    error = await error_of(json.dumps(["y" * 300, 1]))
    assert (
        str(error) == f"google: stream event is not an object: {json.dumps(['y' * 300, 1])[:200]!r}"
    )


@pytest.mark.parametrize("data", ["42", '"text"', "[1, 2]", "null"])
async def test_an_event_that_is_not_an_object_is_a_stream_error(data: str) -> None:
    error = await error_of(data)
    assert isinstance(error, StreamError) and not error.retryable
    assert error.provider == "google"
    assert str(error) == f"google: stream event is not an object: {data!r}"


async def test_parts_that_are_not_a_list_are_a_stream_error() -> None:
    error = await error_of({"candidates": [{"content": {"parts": {"text": "Hi"}}}]})
    assert isinstance(error, StreamError) and error.provider == "google"
    assert str(error) == "google: 'candidates[0].content.parts' is not a list: {'text': 'Hi'}"


async def test_the_parts_error_quotes_at_most_200_characters() -> None:
    error = await error_of({"candidates": [{"content": {"parts": "z" * 300}}]})
    where = "'candidates[0].content.parts'"
    assert str(error) == f"google: {where} is not a list: {('z' * 300)!r:.200}"


async def test_a_part_that_is_not_an_object_is_a_stream_error() -> None:
    error = await error_of(event({"text": "Hi"}, "stray", {"text": "never"}))
    assert isinstance(error, StreamError) and error.provider == "google"
    assert str(error) == "google: 'candidates[0].content.parts[1]' is not an object: 'stray'"
    long = await error_of(event(["w" * 300]))
    where = "'candidates[0].content.parts[0]'"
    assert str(long) == f"google: {where} is not an object: {['w' * 300]!r:.200}"


async def test_a_candidate_that_is_not_an_object_is_a_provider_error() -> None:
    error = await error_of({"candidates": ["oops"]})
    assert isinstance(error, StreamError)
    assert str(error) == "google: 'candidates[0]' is not an object: 'oops'"


async def test_an_in_band_error_names_the_provider() -> None:
    error = await error_of(
        event({"text": "Hi"}),
        {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}},
    )
    assert isinstance(error, StreamError) and error.provider == "google"
    assert str(error) == "google: UNAVAILABLE: The model is overloaded."


async def test_a_function_call_that_is_not_an_object_is_a_provider_error() -> None:
    error = await error_of(event({"functionCall": "add(2, 3)"}))
    assert isinstance(error, ProviderError) and error.provider == "google"
    assert str(error) == "google: 'functionCall' is not an object: 'add(2, 3)'"


async def test_inline_data_without_data_is_a_provider_error() -> None:
    error = await error_of(event({"inlineData": {"mimeType": "image/png"}}))
    assert isinstance(error, ProviderError) and error.provider == "google"
    assert str(error) == "google: 'inlineData.data' is not a string: None"


async def test_a_thought_count_that_is_not_a_number_is_a_provider_error() -> None:
    usage = {"thoughtsTokenCount": "many"}
    parts = await stream(
        event({"text": "Hi"}, finish="STOP", usageMetadata=usage), options=THOUGHTS
    )
    error = parts[-1]
    assert isinstance(error, ErrorPart) and isinstance(error.error, ProviderError)
    assert error.error.provider == "google"
    assert str(error.error) == "google: 'usageMetadata.thoughtsTokenCount' is not a number: 'many'"
    assert not any(isinstance(p, TextStart) for p in parts)


async def test_a_final_token_count_that_is_not_a_number_is_a_provider_error() -> None:
    error = await error_of(
        event({"text": "Hi"}, finish="STOP", usageMetadata={"promptTokenCount": []})
    )
    assert isinstance(error, ProviderError) and error.provider == "google"
    assert str(error) == "google: 'usageMetadata.promptTokenCount' is not a number: []"
