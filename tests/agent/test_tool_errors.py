"""Bad tool calls and failing tools become error results for the model; the run goes on."""

from dataclasses import replace
from typing import Annotated

from reverie import (
    Agent,
    ErrorOutput,
    StopReason,
    TextOutput,
    Tool,
    ToolCallPart,
    ToolError,
    ToolResultPart,
)
from reverie.content import ToolCall
from reverie.testing.fake import ScriptedModel, reply

seen_locations: list[str] = []


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    seen_locations.append(location)
    return f"40 C in {location}"


def get_weather(location: str) -> str:
    """The same tool under another name"""
    return f"sunny in {location}"


def broken(x: int) -> str:
    """Always fails"""
    raise ValueError(f"cannot handle {x}")


async def refuses(x: int) -> str:
    """Refuses politely"""
    raise ToolError("please ask for something else")


def script(*calls: tuple[str, str, str]) -> ScriptedModel:
    return ScriptedModel([reply(tool_calls=list(calls)), reply("recovered")])


def setup_function() -> None:
    seen_locations.clear()


async def test_unknown_tool() -> None:
    model = script(("c1", "nope", '{"q": 1}'))
    result = await Agent(model, tools=[weather]).run("go")

    assert result.stop_reason is StopReason.DONE
    assert result.text == "recovered"
    assert len(result.steps) == 2
    [call] = result.steps[0].tool_calls
    assert call.invalid is True
    assert call.error is not None and "nope" in call.error
    assert call.tool_call_id == "c1"
    assert call.input == '{"q": 1}'
    [tool_result] = result.steps[0].tool_results
    assert isinstance(tool_result.output, ErrorOutput)
    assert "nope" in tool_result.output.message
    assert tool_result.tool_call_id == "c1"
    # The call and the error go back to the model.
    assistant, tool_msg = model.calls[1].prompt[-2:]
    assert assistant.content == (
        ToolCallPart(tool_call_id="c1", tool_name="nope", input='{"q": 1}'),
    )
    assert tool_msg.content == (
        ToolResultPart(tool_call_id="c1", tool_name="nope", output=tool_result.output),
    )


async def test_unknown_tool_is_not_repaired_by_default() -> None:
    model = script(("c1", "nope", '{"q": 1'))
    result = await Agent(model, tools=[weather]).run("go")
    [call] = result.steps[0].tool_calls
    assert call.invalid
    assert call.input == '{"q": 1'


async def test_input_failing_validation() -> None:
    model = script(("c1", "weather", '{"location": 5}'), ("c2", "weather", '{"city": "Rome"}'))
    result = await Agent(model, tools=[weather]).run("go")

    assert result.stop_reason is StopReason.DONE
    assert seen_locations == []
    calls = result.steps[0].tool_calls
    assert [c.invalid for c in calls] == [True, True]
    assert all(c.error for c in calls)
    assert "location" in (calls[1].error or "")
    outputs = [r.output for r in result.steps[0].tool_results]
    assert all(isinstance(o, ErrorOutput) for o in outputs)
    assert [r.tool_call_id for r in result.steps[0].tool_results] == ["c1", "c2"]
    assert model.calls[1].prompt[-1].content == tuple(
        ToolResultPart(tool_call_id=i, tool_name="weather", output=o)
        for i, o in zip(["c1", "c2"], outputs, strict=True)
    )


async def test_valid_and_invalid_calls_in_one_step() -> None:
    model = script(("c1", "nope", "{}"), ("c2", "weather", '{"location": "Pisa"}'))
    result = await Agent(model, tools=[weather]).run("go")
    assert [c.invalid for c in result.steps[0].tool_calls] == [True, False]
    outputs = [r.output for r in result.steps[0].tool_results]
    assert isinstance(outputs[0], ErrorOutput)
    assert outputs[1] == TextOutput(text="40 C in Pisa")


async def test_tool_that_raises() -> None:
    model = script(("c1", "broken", '{"x": 3}'))
    result = await Agent(model, tools=[broken]).run("go")
    assert result.stop_reason is StopReason.DONE
    assert result.text == "recovered"
    [call] = result.steps[0].tool_calls
    assert call.invalid is False
    [tool_result] = result.steps[0].tool_results
    assert isinstance(tool_result.output, ErrorOutput)
    assert "cannot handle 3" in tool_result.output.message
    assert model.calls[1].prompt[-1].content[0].output == tool_result.output  # type: ignore[union-attr]


async def test_tool_error_message_is_sent_as_is() -> None:
    model = script(("c1", "refuses", '{"x": 3}'))
    result = await Agent(model, tools=[refuses]).run("go")
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output == ErrorOutput(message="please ask for something else")


async def test_default_repair_fixes_missing_brace() -> None:
    model = script(("c1", "weather", '{"location": "Florence"'))
    result = await Agent(model, tools=[weather]).run("go")
    assert seen_locations == ["Florence"]
    [call] = result.steps[0].tool_calls
    assert call.invalid is False
    assert call.error is None
    assert call.input == '{"location": "Florence"}'
    assert result.steps[0].tool_results[0].output == TextOutput(text="40 C in Florence")
    # The repaired call is what the model sees in the history.
    assert model.calls[1].prompt[-2].content == (
        ToolCallPart(tool_call_id="c1", tool_name="weather", input='{"location": "Florence"}'),
    )


async def test_default_repair_fixes_single_quotes() -> None:
    model = script(("c1", "weather", "{'location': 'Rome'}"))
    result = await Agent(model, tools=[weather]).run("go")
    assert seen_locations == ["Rome"]
    assert result.steps[0].tool_results[0].output == TextOutput(text="40 C in Rome")


async def test_default_repair_for_schema_tools() -> None:
    got: list[dict[str, object]] = []

    def lookup(args: dict[str, object]) -> str:
        got.append(args)
        return "found"

    raw = Tool.from_schema(
        "lookup",
        "Look something up",
        {"type": "object", "properties": {"q": {"type": "string"}}},
        lookup,
    )
    model = script(("c1", "lookup", '{"q": "x",}'))
    result = await Agent(model, tools=[raw]).run("go")
    assert got == [{"q": "x"}]
    assert result.steps[0].tool_results[0].output == TextOutput(text="found")


async def test_no_repair() -> None:
    model = script(("c1", "weather", '{"location": "Florence"'))
    result = await Agent(model, tools=[weather], repair_tool_call=None).run("go")
    assert seen_locations == []
    [call] = result.steps[0].tool_calls
    assert call.invalid
    assert isinstance(result.steps[0].tool_results[0].output, ErrorOutput)


async def test_custom_repair_renames_the_tool() -> None:
    seen: list[tuple[str, str | None, str]] = []

    def repair(call: ToolCall, tool: Tool | None, error: Exception) -> ToolCall | None:
        seen.append((call.tool_name, tool.name if tool else None, str(error)))
        return replace(call, tool_name="weather")

    model = script(("c1", "get_the_weather", '{"location": "Siena"}'))
    result = await Agent(model, tools=[weather], repair_tool_call=repair).run("go")
    assert seen_locations == ["Siena"]
    assert len(seen) == 1
    assert seen[0][:2] == ("get_the_weather", None)
    [call] = result.steps[0].tool_calls
    assert call.tool_name == "weather"
    assert call.invalid is False
    [tool_result] = result.steps[0].tool_results
    assert tool_result.tool_name == "weather"
    assert tool_result.output == TextOutput(text="40 C in Siena")


async def test_async_custom_repair() -> None:
    async def repair(call: ToolCall, tool: Tool | None, error: Exception) -> ToolCall | None:
        return replace(call, tool_name="get_weather", input=call.input + "}")

    model = script(("c1", "weather2", '{"location": "Siena"'))
    result = await Agent(model, tools=[get_weather], repair_tool_call=repair).run("go")
    [call] = result.steps[0].tool_calls
    assert (call.tool_name, call.input, call.invalid) == (
        "get_weather",
        '{"location": "Siena"}',
        False,
    )
    assert result.steps[0].tool_results[0].output == TextOutput(text="sunny in Siena")


async def test_repair_receives_the_tool_for_bad_input() -> None:
    seen: list[Tool | None] = []

    def repair(call: ToolCall, tool: Tool | None, error: Exception) -> ToolCall | None:
        seen.append(tool)
        return None

    model = script(("c1", "weather", '{"location": 1}'))
    await Agent(model, tools=[weather], repair_tool_call=repair).run("go")
    assert [t.name for t in seen if t is not None] == ["weather"]


async def test_repair_returning_none_leaves_the_call_invalid() -> None:
    def repair(call: ToolCall, tool: Tool | None, error: Exception) -> None:
        return None

    model = script(("c1", "weather", '{"location": "Florence"'))
    result = await Agent(model, tools=[weather], repair_tool_call=repair).run("go")
    assert seen_locations == []
    [call] = result.steps[0].tool_calls
    assert call.invalid is True
    assert call.error
    assert call.input == '{"location": "Florence"'
    assert isinstance(result.steps[0].tool_results[0].output, ErrorOutput)
    assert result.stop_reason is StopReason.DONE


async def test_async_repair_returning_none() -> None:
    async def repair(call: ToolCall, tool: Tool | None, error: Exception) -> None:
        return None

    model = script(("c1", "nope", "{}"))
    result = await Agent(model, tools=[weather], repair_tool_call=repair).run("go")
    assert result.steps[0].tool_calls[0].invalid


async def test_repair_that_still_fails_validation() -> None:
    def repair(call: ToolCall, tool: Tool | None, error: Exception) -> ToolCall:
        return replace(call, input='{"location": 42}')

    model = script(("c1", "weather", "{"))
    result = await Agent(model, tools=[weather], repair_tool_call=repair).run("go")
    [call] = result.steps[0].tool_calls
    assert call.invalid
    # The model is told what it sent, not what the repair made of it.
    assert "you sent: '{'" in (call.error or "")
    assert "42" not in (call.error or "")
    assert call.input == "{"  # the original call is kept


# --- input that is not JSON at all ------------------------------------------------------


async def test_prose_instead_of_json_is_quoted_back_to_the_model() -> None:
    sent = "get the weather for Florence please"
    model = script(("c1", "weather", sent))
    result = await Agent(model, tools=[weather]).run("go")
    [tool_result] = result.steps[0].tool_results
    assert isinstance(tool_result.output, ErrorOutput)
    message = tool_result.output.message
    assert "is not valid JSON" in message
    assert f"you sent: {sent!r}" in message


async def test_prose_is_not_turned_into_empty_arguments_for_a_schema_tool() -> None:
    ran: list[dict[str, object]] = []
    lookup = Tool.from_schema(
        "lookup", "Look up", {"type": "object", "properties": {}}, lambda args: ran.append(args)
    )
    model = script(("c1", "lookup", "the capital of France"))
    result = await Agent(model, tools=[lookup]).run("go")
    assert ran == []  # json-repair made "" of it: the tool must not run on nothing
    assert result.steps[0].tool_calls[0].invalid


async def test_long_unreadable_input_is_quoted_truncated() -> None:
    sent = "x" * 5000
    model = script(("c1", "weather", sent))
    result = await Agent(model, tools=[weather]).run("go")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput)
    assert "(first 200 of 5000 characters)" in output.message
    assert len(output.message) < 400


async def test_empty_input_means_no_arguments() -> None:
    def now() -> str:
        """The time"""
        return "noon"

    model = script(("c1", "now", ""))
    result = await Agent(model, tools=[now]).run("go")
    assert result.steps[0].tool_results[0].output == TextOutput(text="noon")
