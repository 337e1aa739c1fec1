"""Malformed bodies (issue 7, defect 3): every shape ends in a ProviderError/StreamError naming
the field, or is accepted where the intent is plain (arguments sent as an object)."""

from __future__ import annotations

from typing import Any

import pytest

from reverie import ErrorPart, Finish, ProviderError
from reverie.content import ToolCall
from reverie.errors import StreamError
from reverie.http.client import sse
from reverie.model import ToolCall as ToolCallPart

from .chunks import HELLO, completion, finish, text, tool_start
from .conftest import Harness
from .server import respond, stream


def _tool_call(arguments: Any) -> dict[str, Any]:
    call = {"id": "call_1", "type": "function"}
    call["function"] = {"name": "weather", "arguments": arguments}
    return call


# (body, the words the error must hold)
PLAIN_FAULTS = {
    "choices-not-a-list": ({"choices": {"0": {}}}, "'choices' is not a list"),
    "choices-null-item": ({"choices": [None]}, "'choices[0]' is not an object"),
    "top-level-array": ([completion()], "the response is not a JSON object"),
    "message-a-list": ({"choices": [{"message": ["x"]}]}, "'choices[0].message' is not an object"),
    "tool-calls-a-string": (completion(tool_calls="call_1"), "tool_calls' is not a list"),
    "usage-not-a-number": (
        {**completion(), "usage": {"prompt_tokens": "many"}},
        "'usage.prompt_tokens' is not a number",
    ),
    "empty-choices": ({"choices": []}, "the response has no choices"),
}


@pytest.mark.parametrize("case", PLAIN_FAULTS, ids=list(PLAIN_FAULTS))
async def test_a_malformed_answer_is_a_provider_error_naming_the_field(
    h: Harness, case: str
) -> None:
    body, words = PLAIN_FAULTS[case]
    h.server.script(respond(200, body))
    with pytest.raises(ProviderError) as info:
        await h.model().generate(HELLO)
    assert words in str(info.value)
    assert h.server.attempts == 1  # a wrong shape would come back the same
    await h.check_clean()


async def test_usage_counts_sent_as_strings_are_read(h: Harness) -> None:
    usage = {"prompt_tokens": "12", "completion_tokens": "3", "total_tokens": "15"}
    h.server.script(respond(200, {**completion(), "usage": usage}))
    response = await h.model().generate(HELLO)
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 3)
    await h.check_clean()


async def test_arguments_sent_as_an_object_are_serialised(h: Harness) -> None:
    body = completion("", tool_calls=[_tool_call({"location": "Paris"})])
    h.server.script(respond(200, body))
    response = await h.model().generate(HELLO)
    calls = [c for c in response.content if isinstance(c, ToolCall)]
    assert [c.input for c in calls] == ['{"location": "Paris"}']
    await h.check_clean()


STREAM_FAULTS = {
    "choices-not-a-list": ({"choices": {"0": {}}}, "'choices' is not a list"),
    "choices-null-item": ({"choices": [None]}, "'choices[0]' is not an object"),
    "top-level-array": ([text("x")], "stream event is not an object"),
    "delta-a-list": ({"choices": [{"index": 0, "delta": ["x"]}]}, "delta' is not an object"),
    "tool-calls-a-string": (
        {"choices": [{"index": 0, "delta": {"tool_calls": "call_1"}}]},
        "tool_calls' is not a list",
    ),
    "tool-index-a-list": (
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": [0], "id": "c"}]}}]},
        "'choices[0].delta.tool_calls[0].index' is not a number",
    ),
    "tool-id-an-object": (
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": {"a": 1}}]}}]},
        "'choices[0].delta.tool_calls[0].id' is not a string",
    ),
    "function-a-string": (
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": "f"}]}}]},
        "function' is not an object",
    ),
    "usage-not-a-number": (
        {"choices": [], "usage": {"prompt_tokens": [1]}},
        "'usage.prompt_tokens' is not a number",
    ),
    "usage-not-an-object": ({"choices": [], "usage": "lots"}, "'usage' is not an object"),
}


@pytest.mark.parametrize("case", STREAM_FAULTS, ids=list(STREAM_FAULTS))
async def test_a_malformed_chunk_is_a_typed_error_naming_the_field(h: Harness, case: str) -> None:
    chunk, words = STREAM_FAULTS[case]
    h.server.script(stream([chunk, finish(), "[DONE]"]))
    parts = [p async for p in h.model().stream(HELLO)]
    assert isinstance(parts[-1], ErrorPart) and not any(isinstance(p, Finish) for p in parts)
    error = parts[-1].error
    assert isinstance(error, ProviderError) and words in str(error)
    assert not error.retryable and h.server.attempts == 1
    await h.check_clean()


async def test_a_parser_failure_of_an_unknown_kind_is_still_a_stream_error(h: Harness) -> None:
    class Broken:
        done = False
        terminal = "[DONE]"

        def feed(self, event: Any) -> list[Any]:
            raise KeyError("surprise")

        def finish(self) -> list[Any]:
            return []

    h.server.script(stream([text("a"), "[DONE]"]))
    http = h.provider().http
    parts = [p async for p in http.stream(h.server.url + "/x", {}, Broken, framing=sse)]
    assert len(parts) == 1 and isinstance(parts[0], ErrorPart)
    assert isinstance(parts[0].error, StreamError) and not parts[0].error.retryable
    assert "unreadable stream event (KeyError: 'surprise')" in str(parts[0].error)
    assert h.server.attempts == 1
    await h.check_clean()


async def test_streamed_arguments_sent_as_an_object_are_serialised(h: Harness) -> None:
    whole = {"index": 0, "id": "call_1", "function": {"name": "weather", "arguments": {"a": 1}}}
    chunk = {"choices": [{"index": 0, "delta": {"tool_calls": [whole]}}]}
    h.server.script(stream([chunk, finish("tool_calls"), "[DONE]"]))
    parts = [p async for p in h.model().stream(HELLO)]
    calls = [p for p in parts if isinstance(p, ToolCallPart)]
    assert [c.input for c in calls] == ['{"a": 1}'] and isinstance(parts[-1], Finish)
    await h.check_clean()


async def test_empty_choices_in_a_stream_are_usage_chunks_not_errors(h: Harness) -> None:
    usage = {"choices": [], "usage": {"prompt_tokens": "4", "completion_tokens": 2}}
    h.server.script(stream([tool_start(), finish("tool_calls"), usage, "[DONE]"]))
    parts = [p async for p in h.model().stream(HELLO)]
    assert isinstance(parts[-1], Finish) and parts[-1].usage.input_tokens == 4
    await h.check_clean()
