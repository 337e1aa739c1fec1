"""Agent(output=Type): the final-answer tool, validation errors sent back as retry turns, the
value on result.output, partial outputs while streaming."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from pydantic import BaseModel

import reverie
from reverie import (
    Agent,
    ConfigurationError,
    ErrorOutput,
    NoObjectGenerated,
    PartialOutput,
    RunFinish,
    StopReason,
    TextOutput,
    ToolResult,
)
from reverie.agent.output import ACCEPTED, NOT_RUN, OUTPUT_TOOL, REMINDER
from reverie.providers.kit import FunctionTool
from reverie.testing.fake import ScriptedModel, reply

from .test_partial import extends


class Weather(BaseModel):
    """Today's weather in a city"""

    city: str
    celsius: int
    sky: str


GOOD = '{"city": "Florence", "celsius": 24, "sky": "clear"}'
BAD = '{"city": "Florence", "celsius": "warm"}'
calls: list[str] = []


@reverie.tool
def forecast(city: str) -> str:
    """The forecast for a city"""
    calls.append(city)
    return "24 degrees, clear"


def answer(text: str, call_id: str = "a") -> Any:
    return reply(tool_calls=[(call_id, OUTPUT_TOOL, text)])


async def test_without_tools_the_final_answer_is_forced_and_validated() -> None:
    model = ScriptedModel([answer(GOOD)])
    result = await Agent(model, output=Weather).run("Weather in Florence?")
    assert result.output == Weather(city="Florence", celsius=24, sky="clear")
    assert result.stop_reason == StopReason.DONE and len(result.steps) == 1
    [call] = model.calls
    assert call.tool_choice == OUTPUT_TOOL
    [tool] = call.tools
    assert isinstance(tool, FunctionTool) and tool.name == OUTPUT_TOOL
    assert tool.input_schema["required"] == ["city", "celsius", "sky"]
    assert "Today's weather in a city" in tool.description
    [accepted] = result.steps[0].tool_results
    assert accepted.output == TextOutput(text=ACCEPTED)
    assert [m.role for m in result.messages] == ["user", "assistant", "tool"]


async def test_tools_run_then_an_invalid_answer_is_sent_back_and_corrected() -> None:
    calls.clear()
    model = ScriptedModel(
        [
            reply(tool_calls=[("c1", "forecast", '{"city": "Florence"}')]),
            answer(BAD, "a1"),
            answer(GOOD, "a2"),
        ]
    )
    result = await Agent(model, tools=[forecast], output=Weather).run("Weather?")
    assert calls == ["Florence"]
    assert result.output == Weather(city="Florence", celsius=24, sky="clear")
    assert len(result.steps) == 3
    assert all(c.tool_choice == "required" for c in model.calls)
    assert [t.name for t in model.calls[0].tools] == ["forecast", OUTPUT_TOOL]  # type: ignore[union-attr]
    [rejected] = result.steps[1].tool_results
    assert isinstance(rejected.output, ErrorOutput)
    assert "celsius" in rejected.output.message and "sky" in rejected.output.message
    # the model saw the error on its next turn
    sent = model.calls[2].prompt[-1]
    assert sent.role == "tool"
    [part] = sent.content
    assert isinstance(part, reverie.ToolResultPart) and part.output == rejected.output


async def test_prose_instead_of_the_tool_gets_a_reminder() -> None:
    model = ScriptedModel([reply("It is sunny."), answer(GOOD)])
    result = await Agent(model, output=Weather).run("Weather?")
    assert result.output is not None and result.output.sky == "clear"
    second = model.calls[1].prompt
    assert second[-1].role == "user" and second[-1].content[0].text == REMINDER  # type: ignore[union-attr]


async def test_retries_are_bounded_and_the_error_keeps_the_run() -> None:
    model = ScriptedModel([answer(BAD), answer(BAD), answer(BAD)])
    with pytest.raises(NoObjectGenerated) as caught:
        await Agent(model, output=Weather, output_retries=1).run("Weather?")
    error = caught.value
    assert len(model.calls) == 2
    assert error.text == BAD and "did not validate" in str(error)
    assert error.usage.total_tokens == 30
    assert len(error.partial.steps) == 2  # type: ignore[attr-defined]


async def test_other_tools_in_the_answering_turn_are_not_run() -> None:
    calls.clear()
    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "forecast", '{"city": "Rome"}'),
                    ("a", OUTPUT_TOOL, GOOD),
                    ("a2", OUTPUT_TOOL, GOOD),
                ]
            )
        ]
    )
    result = await Agent(model, tools=[forecast], output=Weather).run("Weather?")
    assert calls == [] and result.output is not None
    outputs = [r.output for r in result.steps[0].tool_results]
    assert outputs == [
        ErrorOutput(message=NOT_RUN),
        TextOutput(text=ACCEPTED),
        ErrorOutput(message=NOT_RUN),
    ]


async def test_a_step_limit_before_an_answer_leaves_no_output() -> None:
    model = ScriptedModel(
        [reply(tool_calls=[(f"c{i}", "forecast", '{"city": "X"}')]) for i in range(2)]
    )
    result = await Agent(model, tools=[forecast], output=Weather, max_steps=2).run("Weather?")
    assert result.stop_reason == StopReason.STEP_LIMIT and result.output is None


async def test_a_raw_schema_output_is_a_dict() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    model = ScriptedModel([answer('{"n": "x"}'), answer('{"n": 3}')])
    result = await Agent(model, output=schema).run("A number")
    assert result.output == {"n": 3}
    assert "$.n: expected integer" in result.steps[0].tool_results[0].output.message  # type: ignore[union-attr]


async def test_streaming_yields_growing_partial_outputs_and_the_same_steps() -> None:
    script = [answer(BAD, "a1"), answer(GOOD, "a2")]
    streamed = Agent(ScriptedModel(list(script)), output=Weather).stream("Weather?")
    events = [e async for e in streamed]
    partials = [e.output for e in events if isinstance(e, PartialOutput)]
    assert {"city": "Florence"} in partials and partials[-1] == json.loads(GOOD)
    second_answer = partials[partials.index({}, 1) :]  # the second step starts afresh
    for before, after in itertools.pairwise(second_answer):
        assert before != after and extends(before, after)
    finish = events[-1]
    assert isinstance(finish, RunFinish)
    ran = await Agent(ScriptedModel(list(script)), output=Weather).run("Weather?")
    assert finish.result.output == ran.output
    assert finish.result.messages == ran.messages


def test_run_sync_with_output() -> None:
    result = Agent(ScriptedModel([answer(GOOD)]), output=Weather).run_sync("Weather?")
    assert isinstance(result.output, Weather)


def test_configuration_is_checked() -> None:
    model = ScriptedModel([])

    @reverie.tool(name=OUTPUT_TOOL)
    def clash() -> str:
        """Clash"""
        return ""

    with pytest.raises(ConfigurationError, match=OUTPUT_TOOL):
        Agent(model, tools=[clash], output=Weather)
    with pytest.raises(ConfigurationError):
        Agent(model, output=Weather, output_retries=-1)
    with pytest.raises(TypeError):
        Agent(model, output=Weather, output_retries="2")  # type: ignore[arg-type]


async def test_without_output_nothing_changes() -> None:
    model = ScriptedModel([reply("hi")])
    result = await Agent(model).run("hello")
    assert result.output is None and model.calls[0].tools == []
    assert model.calls[0].tool_choice is None
    assert not any(isinstance(r, ToolResult) for r in result.steps[0].content)


async def test_an_answered_run_has_no_pending_calls() -> None:
    result = await Agent(ScriptedModel([answer(GOOD)]), output=Weather).run("Weather?")
    assert result.pending == []


async def test_without_output_a_users_final_answer_tool_streams_no_partial_outputs() -> None:
    # Without an output type the name is free: a tool of the user's may have it.
    final_answer = reverie.Tool.from_schema(OUTPUT_TOOL, "", {}, lambda args: "noted")
    model = ScriptedModel([answer(GOOD), reply("done")])
    events = [e async for e in Agent(model, tools=[final_answer]).stream("hello")]
    assert not any(isinstance(e, reverie.PartialOutput) for e in events)
    assert events[-1].result.text == "done"  # type: ignore[union-attr]
