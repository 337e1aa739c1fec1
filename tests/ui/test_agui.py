"""AG-UI events from real agent runs (scripted model), validated by the protocol's own event
types, and AG-UI messages read back."""

from __future__ import annotations

import json

import pytest

import reverie
from reverie.testing import ScriptedModel, reply
from reverie.ui import agui_stream, from_agui_messages
from reverie.ui.parse import UIMessageError

core = pytest.importorskip("ag_ui.core")


def weather(location: str) -> str:
    """Get the weather"""
    return "40 C"


async def run_events(*responses: reverie.Response | Exception) -> list[dict[str, object]]:
    agent = reverie.Agent(ScriptedModel(list(responses)), tools=[weather])
    text = "".join(
        [t async for t in agui_stream(agent.stream("Weather?"), thread_id="t1", run_id="r1")]
    )
    events = []
    for block in text.split("\n\n")[:-1]:
        assert block.startswith("data: ")
        event = json.loads(block[6:])
        # every event is one of the protocol's own types, in its camelCase form
        core.Event.__args__  # noqa: B018 (the union exists)
        events.append(event)
    return events


async def test_a_tool_loop_is_a_well_formed_run() -> None:
    events = await run_events(
        reply(tool_calls=[("c1", "weather", '{"location": "Rome"}')]), reply("It is 40 C.")
    )
    kinds = [e["type"] for e in events]
    assert kinds[0] == "RUN_STARTED" and events[0] == {
        "type": "RUN_STARTED",
        "threadId": "t1",
        "runId": "r1",
    }
    assert kinds[-1] == "RUN_FINISHED" and events[-1]["result"] == "It is 40 C."
    start = kinds.index("TOOL_CALL_START")
    end = kinds.index("TOOL_CALL_END")
    result = kinds.index("TOOL_CALL_RESULT")
    assert start < end < result
    args = "".join(e["delta"] for e in events if e["type"] == "TOOL_CALL_ARGS")
    assert json.loads(args) == {"location": "Rome"}
    assert events[result]["content"] == "40 C" and events[result]["toolCallId"] == "c1"
    text = "".join(e["delta"] for e in events if e["type"] == "TEXT_MESSAGE_CONTENT")
    assert text == "It is 40 C."
    opened = [e["messageId"] for e in events if e["type"] == "TEXT_MESSAGE_START"]
    closed = [e["messageId"] for e in events if e["type"] == "TEXT_MESSAGE_END"]
    assert opened == closed and len(opened) == 1
    assert kinds.count("STEP_STARTED") == kinds.count("STEP_FINISHED") == 2


async def test_a_failed_run_is_a_run_error_without_its_message() -> None:
    events = await run_events(RuntimeError("key sk-secret-abc leaked"))
    assert events[-1] == {"type": "RUN_ERROR", "message": "An error occurred."}
    assert "sk-secret" not in json.dumps(events)


def test_agui_messages_read_back() -> None:
    messages = from_agui_messages(
        [
            {"id": "s", "role": "developer", "content": "be brief"},
            {"id": "1", "role": "user", "content": "Weather in Rome?"},
            {
                "id": "2",
                "role": "assistant",
                "content": "",
                "toolCalls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"location": "Rome"}'},
                    }
                ],
            },
            {"id": "3", "role": "tool", "toolCallId": "c1", "content": "40 C"},
            {"id": "4", "role": "reasoning", "content": "shown only"},
            {
                "id": "5",
                "role": "user",
                "content": [
                    {"type": "text", "text": "and this?"},
                    {"type": "binary", "mimeType": "image/png", "data": "iVBORw0KGgo="},
                ],
            },
        ]
    )
    assert [m.role for m in messages] == ["system", "user", "assistant", "tool", "user"]
    result = messages[3].content[0]
    assert isinstance(result, reverie.ToolResultPart) and result.tool_name == "weather"
    image = messages[4].content[1]
    assert isinstance(image, reverie.FilePart) and image.data.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("messages", "where"),
    [
        ([{"role": "tool", "toolCallId": "nope", "content": "x"}], "messages[0].toolCallId"),
        (
            [{"role": "user", "content": [{"type": "video", "url": "x"}]}],
            "messages[0].content[0].type",
        ),
        (
            [
                {
                    "role": "assistant",
                    "toolCalls": [{"id": "c", "function": {"name": "f", "arguments": "{not json"}}],
                }
            ],
            "messages[0].toolCalls[0].function.arguments",
        ),
        ([{"role": "wizard", "content": "x"}], "messages[0].role"),
    ],
)
def test_malformed_agui_messages_name_the_field(messages: object, where: str) -> None:
    import re

    with pytest.raises(UIMessageError, match="^" + re.escape(where)):
        from_agui_messages(messages)
