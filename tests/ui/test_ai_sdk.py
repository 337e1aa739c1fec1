"""The AI SDK UI message stream from real agent runs (scripted model), checked against the
protocol's documented chunk shapes, and read back into the same conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import reverie
from reverie.testing import ScriptedModel, reply
from reverie.ui import UI_MESSAGE_STREAM_HEADERS, from_ui_messages, ui_message_stream
from reverie.ui.parse import UIMessageError

from .ui_reader import assemble, chunks_of


def weather(location: str) -> str:
    """Get the weather"""
    return '{"temperature": 40, "unit": "C"}'


def agent_for(*responses: reverie.Response | Exception) -> reverie.Agent:
    return reverie.Agent(ScriptedModel(list(responses)), tools=[weather])


TOOL_THEN_ANSWER = (
    reply(reasoning="need weather", tool_calls=[("c1", "weather", '{"location": "Florence"}')]),
    reply("It is 40 C in Florence."),
)


async def collect(stream: AsyncIterator[str]) -> str:
    return "".join([text async for text in stream])


async def test_a_tool_loop_streams_every_documented_chunk_in_order() -> None:
    agent = agent_for(*TOOL_THEN_ANSWER)
    text = await collect(ui_message_stream(agent.stream("Weather in Florence?"), message_id="m1"))
    chunks = chunks_of(text)
    kinds = [c["type"] for c in chunks]
    assert kinds[0] == "start" and chunks[0]["messageId"] == "m1"
    assert kinds[-1] == "finish" and chunks[-1]["finishReason"] == "stop"
    assert kinds.count("start-step") == kinds.count("finish-step") == 2
    call = next(c for c in chunks if c["type"] == "tool-input-available")
    assert call == {
        "type": "tool-input-available",
        "toolCallId": "c1",
        "toolName": "weather",
        "input": {"location": "Florence"},
    }
    out = next(c for c in chunks if c["type"] == "tool-output-available")
    assert out == {
        "type": "tool-output-available",
        "toolCallId": "c1",
        "output": {"temperature": 40, "unit": "C"},
    }
    # the call's input streamed before it was whole, and the result follows the call
    assert kinds.index("tool-input-start") < kinds.index("tool-input-available")
    assert kinds.index("tool-input-available") < kinds.index("tool-output-available")
    message = assemble(chunks)
    texts = [p["text"] for p in message["parts"] if p["type"] == "text"]
    assert texts == ["It is 40 C in Florence."]
    assert [p["text"] for p in message["parts"] if p["type"] == "reasoning"] == ["need weather"]


async def test_text_ids_never_repeat_across_steps() -> None:
    agent = agent_for(
        reply("first", tool_calls=[("c1", "weather", '{"location": "a"}')]), reply("second")
    )
    chunks = chunks_of(await collect(ui_message_stream(agent.stream("x"))))
    starts = [c["id"] for c in chunks if c["type"] == "text-start"]
    assert len(starts) == 2 and len(set(starts)) == 2


async def test_the_front_ends_messages_read_back_as_the_runs_conversation() -> None:
    agent = agent_for(*TOOL_THEN_ANSWER)
    stream = agent.stream("Weather in Florence?")
    chunks = chunks_of(await collect(ui_message_stream(stream)))
    ui_messages = [
        {"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Weather in Florence?"}]},
        assemble(chunks),
    ]
    messages = from_ui_messages(ui_messages)
    result = stream.result
    assert [m.role for m in messages] == [m.role for m in result.messages]
    for ours, theirs in zip(messages, result.messages, strict=True):
        assert [type(p) for p in ours.content] == [type(p) for p in theirs.content]
        assert ours.text == theirs.text
    call = messages[1].content[-1]
    assert isinstance(call, reverie.ToolCallPart) and call.tool_call_id == "c1"
    assert call.provider_options == {}  # nothing from a browser reaches a provider


async def test_a_failed_run_ends_with_a_generic_error_and_done() -> None:
    secret = "sk-live-1234567890abcdef"
    agent = agent_for(reverie.ProviderError(f"upstream said {secret}", provider="x", status=500))
    text = await collect(ui_message_stream(agent.stream("hi")))
    assert secret not in text
    chunks = chunks_of(text)
    assert chunks[-2] == {"type": "error", "errorText": "An error occurred."}
    assert chunks[-1] == {"type": "finish", "finishReason": "error"}
    shown = chunks_of(
        await collect(
            ui_message_stream(
                agent_for(ValueError("boom")).stream("hi"), on_error=lambda e: f"failed: {e}"
            )
        )
    )
    assert shown[-2]["errorText"] == "failed: boom"


async def test_a_failing_tool_is_a_tool_output_error() -> None:
    def broken(location: str) -> str:
        """Always fails"""
        raise RuntimeError("disk on fire")

    agent = reverie.Agent(
        ScriptedModel([reply(tool_calls=[("c9", "broken", '{"location": "x"}')]), reply("sorry")]),
        tools=[broken],
    )
    chunks = chunks_of(await collect(ui_message_stream(agent.stream("go"))))
    error = next(c for c in chunks if c["type"] == "tool-output-error")
    assert error["toolCallId"] == "c9" and "disk on fire" in error["errorText"]


async def test_approval_requests_name_the_waiting_calls() -> None:
    @reverie.tool(needs_approval=True)
    def delete(path: str) -> str:
        """Delete a file"""
        return "deleted"

    agent = reverie.Agent(
        ScriptedModel([reply(tool_calls=[("d1", "delete", '{"path": "old.log"}')])]),
        tools=[delete],
    )
    chunks = chunks_of(await collect(ui_message_stream(agent.stream("clean up"))))
    assert {"type": "tool-approval-request", "approvalId": "d1", "toolCallId": "d1"} in chunks
    assert not any(c["type"] == "tool-output-available" for c in chunks)


def test_the_headers_name_the_protocol() -> None:
    assert UI_MESSAGE_STREAM_HEADERS["x-vercel-ai-ui-message-stream"] == "v1"
    assert UI_MESSAGE_STREAM_HEADERS["content-type"] == "text/event-stream"


@pytest.mark.parametrize(
    ("messages", "where"),
    [
        ("not a list", "messages"),
        ([{"role": "user"}], "messages[0].parts"),
        ([{"role": "robot", "parts": []}], "messages[0].role"),
        ([{"role": "user", "parts": [{"type": "text", "text": 3}]}], "messages[0].parts[0].text"),
        (
            [{"role": "assistant", "parts": [{"type": "tool-x", "state": "output-available"}]}],
            "messages[0].parts[0].toolCallId",
        ),
        (
            [
                {
                    "role": "user",
                    "parts": [
                        {
                            "type": "file",
                            "mediaType": "image/png",
                            "url": "http://169.254.169.254/latest",
                        }
                    ],
                }
            ],
            "messages[0].parts[0].url",
        ),
        (
            [
                {
                    "role": "user",
                    "parts": [
                        {
                            "type": "file",
                            "mediaType": "image/png",
                            "url": "data:image/png;base64,@@@",
                        }
                    ],
                }
            ],
            "messages[0].parts[0].url",
        ),
    ],
)
def test_malformed_front_end_messages_name_the_field(messages: object, where: str) -> None:
    import re

    with pytest.raises(UIMessageError, match="^" + re.escape(where)):
        from_ui_messages(messages)


def test_files_as_data_urls_become_bytes_and_urls_need_permission() -> None:
    png = {"type": "file", "mediaType": "image/png", "url": "data:image/png;base64,iVBORw0KGgo="}
    (message,) = from_ui_messages(
        [{"role": "user", "parts": [{"type": "text", "text": "see"}, png]}]
    )
    file = message.content[1]
    assert isinstance(file, reverie.FilePart) and file.data == b"\x89PNG\r\n\x1a\n"
    remote = {"type": "file", "mediaType": "image/png", "url": "https://example.com/a.png"}
    (message,) = from_ui_messages([{"role": "user", "parts": [remote]}], allow_urls=True)
    assert message.content[0].url == "https://example.com/a.png"  # type: ignore[union-attr]
