"""dump/load of messages and run results: lossless round trips through JSON."""

import json
from pathlib import Path
from typing import Any

import pytest

from reverie import (
    Agent,
    CallWarning,
    ErrorOutput,
    FilePart,
    FinishReason,
    MediaOutput,
    Message,
    ReasoningPart,
    Response,
    RunResult,
    Step,
    StopReason,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
    dump_messages,
    dump_result,
    load_messages,
    load_result,
    media,
)
from reverie.content import File, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.errors import SerializationError
from reverie.serialize import SCHEMA_VERSION
from reverie.testing.fake import ScriptedModel, reply

BINARY = bytes(range(256)) + b"\xff\xfe\x00\x80"  # not UTF-8
NESTED: dict[str, dict[str, Any]] = {
    "openai": {"item_id": "msg_1", "store": False},
    "anthropic": {
        "cache_control": {"type": "ephemeral", "ttl": "5m"},
        "list": [1, 2.5, None, True, {"deep": ["x", {"deeper": {}}]}],
    },
}


def all_parts_conversation() -> list[Message]:
    return [
        Message(role="system", content=(TextPart(text="Be brief"),)),
        Message(
            role="user",
            content=(
                TextPart(text="What is in these? ünïcödé ✓", provider_options=NESTED),
                FilePart(media_type="image/png", data=BINARY, filename="a.png"),
                FilePart(media_type="application/pdf", url="https://example.com/a.pdf"),
                FilePart(media_type="text/plain", data=b""),
            ),
            provider_options={"openrouter": {"cache": True}},
        ),
        Message(
            role="assistant",
            content=(
                ReasoningPart(text="thinking", provider_options={"anthropic": {"sig": "s=="}}),
                ReasoningPart(text=""),
                TextPart(text="Let me look."),
                ToolCallPart(tool_call_id="c1", tool_name="describe", input='{"n": 1}'),
                ToolCallPart(
                    tool_call_id="c2",
                    tool_name="web_search",
                    input="{}",
                    provider_executed=True,
                    provider_options=NESTED,
                ),
                ToolResultPart(
                    tool_call_id="c2",
                    tool_name="web_search",
                    output=TextOutput(text="results"),
                    provider_executed=True,
                ),
            ),
        ),
        Message(
            role="tool",
            content=(
                ToolResultPart(tool_call_id="c1", tool_name="describe", output=TextOutput(text="")),
                ToolResultPart(
                    tool_call_id="c3", tool_name="describe", output=ErrorOutput(message="bad")
                ),
                ToolResultPart(
                    tool_call_id="c4",
                    tool_name="shot",
                    output=media(BINARY, "image/png", text="a screenshot"),
                    provider_options={"openai": {"detail": "high"}},
                ),
                ToolResultPart(
                    tool_call_id="c5",
                    tool_name="shot",
                    output=MediaOutput(data="AAAA", media_type="image/jpeg"),
                ),
            ),
        ),
        Message(role="assistant", content=(TextPart(text="Done"),)),
    ]


def test_messages_round_trip() -> None:
    messages = all_parts_conversation()
    text = dump_messages(messages)
    assert isinstance(text, str)
    json.loads(text)  # valid JSON
    loaded = load_messages(text)
    assert loaded == messages
    assert type(loaded[1].content) is tuple
    file_part = loaded[1].content[1]
    assert isinstance(file_part, FilePart)
    assert file_part.data == BINARY
    assert type(file_part.data) is bytes
    # ...and the same JSON again.
    assert dump_messages(loaded) == text
    assert load_messages(text.encode()) == messages


def test_each_part_keeps_its_type() -> None:
    loaded = load_messages(dump_messages(all_parts_conversation()))
    kinds = [[type(p) for p in m.content] for m in loaded]
    assert kinds == [
        [TextPart],
        [TextPart, FilePart, FilePart, FilePart],
        [ReasoningPart, ReasoningPart, TextPart, ToolCallPart, ToolCallPart, ToolResultPart],
        [ToolResultPart] * 4,
        [TextPart],
    ]
    outputs = [p.output for p in loaded[3].content]  # type: ignore[union-attr]
    assert [type(o) for o in outputs] == [TextOutput, ErrorOutput, MediaOutput, MediaOutput]


@pytest.mark.parametrize(
    "part",
    [
        TextPart(text=""),
        ReasoningPart(text="r"),
        FilePart(media_type="application/octet-stream", data=b"\x00\xff\xc3\x28"),
        ToolResultPart(tool_call_id="x", tool_name="t", output=MediaOutput(data="", media_type="")),
        ToolResultPart(tool_call_id="x", tool_name="t", output=ErrorOutput(message="")),
    ],
)
def test_single_parts_round_trip(part: object) -> None:
    messages = [Message(role="user", content=(part,))]  # type: ignore[arg-type]
    assert load_messages(dump_messages(messages)) == messages


def test_empty_conversation() -> None:
    assert load_messages(dump_messages([])) == []


def weather(location: str) -> str:
    """Get weather information for a location"""
    return "40 C"


async def scripted_result() -> RunResult:
    first = reply(
        "Checking.",
        reasoning="need weather",
        tool_calls=[
            ("c1", "weather", '{"location": "Florence"}'),
            ("c2", "nope", "{}"),
            ("c3", "weather", '{"location": "Rome"'),
        ],
        usage=Usage(
            input_tokens=10,
            output_tokens=5,
            total_tokens=15,
            reasoning_tokens=3,
            cost=0.05,
            cost_source="estimate",
        ),
    )
    first = Response(
        content=[
            Reasoning(text="need weather", provider_metadata=NESTED),
            *first.content[1:],
        ],
        finish_reason=first.finish_reason,
        usage=first.usage,
        provider_metadata={"openrouter": {"provider": "moonshot", "cost": 0.001}},
        warnings=[CallWarning(kind="unsupported-setting", message="no seed", setting="seed")],
    )
    model = ScriptedModel(
        [
            first,
            reply(
                "40 C in both.",
                usage=Usage(input_tokens=30, total_tokens=30, cost=0.25, cost_source="provider"),
            ),
        ]
    )
    return await Agent(model, system="sys", tools=[weather]).run("weather?")


async def test_run_result_round_trip() -> None:
    result = await scripted_result()
    # Sanity: the run has what we mean to round-trip.
    assert result.steps[0].tool_calls[1].invalid
    assert result.steps[0].tool_calls[2].input == '{"location": "Rome"}'
    assert isinstance(result.steps[0].tool_results[1].output, ErrorOutput)

    text = dump_result(result)
    json.loads(text)
    loaded = load_result(text)
    assert loaded == result
    assert loaded.stop_reason is StopReason.DONE
    assert loaded.steps[0].finish_reason is FinishReason.TOOL_CALLS
    assert [type(c) for c in loaded.steps[0].content] == [
        Reasoning,
        Text,
        ToolCall,
        ToolCall,
        ToolCall,
        ToolResult,
        ToolResult,
        ToolResult,
    ]
    assert loaded.text == result.text == "40 C in both."
    assert loaded.usage == result.usage
    assert loaded.usage.cost == 0.3  # an estimate and a provider's figure: an estimate
    assert loaded.usage.cost_source == "estimate"
    assert [s.usage.cost_source for s in loaded.steps] == ["estimate", "provider"]
    assert loaded.steps[0].warnings == result.steps[0].warnings
    assert dump_result(loaded) == text


async def test_loaded_messages_continue_a_conversation() -> None:
    result = await scripted_result()
    messages = load_messages(dump_messages(result.messages))
    model = ScriptedModel([reply("more")])
    await Agent(model, system="sys", tools=[weather]).run("and tomorrow?", messages=messages)
    assert list(model.calls[0].prompt[1:-1]) == result.messages


def every_content_result() -> RunResult:
    """A run with every kind of content (also the golden result files' content)."""
    step = Step(
        number=1,
        content=[
            Text(text="t", provider_metadata=NESTED),
            Reasoning(text="r"),
            File(data=BINARY, media_type="image/png", provider_metadata={"x": {"y": 1}}),
            Source(id="s1", url="https://example.com", title="Example"),
            Source(id="s2", source_type="document", media_type="application/pdf", filename="f"),
            ToolCall(tool_call_id="c1", tool_name="t", input="{", invalid=True, error="bad json"),
            ToolResult(
                tool_call_id="c1",
                tool_name="t",
                output=media(b"\x89PNG\x00", "image/png"),
                input="{}",
                metadata={"rows": [1, 2], "nested": {"a": None}},
            ),
            ToolResult(
                tool_call_id="c9",
                tool_name="search",
                output=TextOutput(text="hits"),
                provider_executed=True,
                provider_metadata={"anthropic": {"id": "srvtoolu_1"}},
            ),
        ],
        messages=[Message(role="assistant", content=(FilePart(media_type="a/b", data=BINARY),))],
        finish_reason=FinishReason.CONTENT_FILTER,
        usage=Usage(cache_write_tokens=7, cost=1e-9),
        provider_metadata=NESTED,
        model="scripted:script",
    )
    return RunResult(
        steps=[step],
        messages=step.messages,
        stop_reason=StopReason.STEP_LIMIT,
        usage=step.usage,
    )


def test_result_with_every_content_type() -> None:
    result = every_content_result()
    step = result.steps[0]
    loaded = load_result(dump_result(result))
    assert loaded == result
    assert [type(c) for c in loaded.steps[0].content] == [type(c) for c in step.content]
    file = loaded.steps[0].content[2]
    assert isinstance(file, File) and file.data == BINARY


# --- schema versions and golden files ---------------------------------------------------
# tests/fixtures/golden/ holds files written by each schema version, from the objects
# built above. They must load, unchanged, in every later reverie: never edit them; a new
# format version adds new files (and keeps these loading).

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


@pytest.mark.parametrize("version", [1, 2])
def test_golden_conversation_files_of_every_version_load(version: int) -> None:
    text = (GOLDEN / f"messages-v{version}.json").read_text()
    assert load_messages(text) == all_parts_conversation()
    assert load_messages(text.encode()) == all_parts_conversation()


@pytest.mark.parametrize("version", [1, 2])
def test_golden_result_files_of_every_version_load(version: int) -> None:
    text = (GOLDEN / f"result-v{version}.json").read_text()
    assert load_result(text) == every_content_result()


def test_dumps_write_the_current_schema_version_as_the_golden_file_has_it() -> None:
    assert SCHEMA_VERSION == 2
    messages = json.loads(dump_messages(all_parts_conversation()))
    assert list(messages) == ["schema_version", "messages"]
    assert messages == json.loads((GOLDEN / "messages-v2.json").read_text())
    result = json.loads(dump_result(every_content_result()))
    assert next(iter(result)) == "schema_version"
    assert result == json.loads((GOLDEN / "result-v2.json").read_text())


def test_a_newer_major_version_is_refused_clearly() -> None:
    newer = json.dumps({"schema_version": 3, "messages": []})
    with pytest.raises(SerializationError, match="schema_version 3, written by a newer reverie"):
        load_messages(newer)
    result = json.loads(dump_result(every_content_result()))
    result["schema_version"] = 99
    with pytest.raises(SerializationError, match="reads versions 1 to 2: upgrade reverie"):
        load_result(json.dumps(result))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not json", "invalid JSON"),
        ('{"schema_version": "2", "messages": []}', "schema_version must be a whole number"),
        ('{"schema_version": 2}', "has no 'messages'"),
        ('"hello"', "expected a JSON object"),
        ('[{"role": "sytem", "content": []}]', r"0\.role"),
    ],
)
def test_unreadable_files_are_a_serialization_error(text: str, match: str) -> None:
    with pytest.raises(SerializationError, match=match):
        load_messages(text)
    with pytest.raises(ValueError):  # SerializationError is a ValueError too
        load_messages(text)


def test_a_result_without_steps_round_trips() -> None:
    result = RunResult(steps=[], messages=[], stop_reason=StopReason.ERROR, usage=Usage())
    assert load_result(dump_result(result)) == result
