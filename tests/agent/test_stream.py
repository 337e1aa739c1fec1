"""Streamed runs: event order, the result, run/stream equality, errors and early exit."""

import anyio
import pytest

from reverie import (
    Agent,
    CallWarning,
    FinishReason,
    ProviderError,
    Response,
    RunFinish,
    RunResult,
    StepFinish,
    StepStart,
    StopReason,
    TextOutput,
    Usage,
)
from reverie.content import Content, File, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.model import (
    Finish,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.testing.fake import ScriptedModel, frame, reply


def weather(location: str) -> str:
    """Get weather information for a location"""
    return f"40 C in {location}"


async def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


def tool_step_script() -> list[Response | Exception]:
    return [
        reply("Let me check", tool_calls=[("c1", "weather", '{"location": "Florence"}')]),
        reply("It is 40 C"),
    ]


async def test_event_order_for_a_tool_step() -> None:
    script = tool_step_script()
    model = ScriptedModel(list(script))
    events = [e async for e in Agent(model, tools=[weather]).stream("weather?")]

    types = [type(e) for e in events]
    assert types[:6] == [StepStart, TextStart, TextDelta, TextDelta, TextDelta, TextDelta]
    assert types[0] is StepStart and types[-1] is RunFinish
    result = events[-1].result  # type: ignore[union-attr]
    step1, step2 = result.steps
    expected = [
        StepStart(1),
        *frame(script[0]),  # type: ignore[arg-type]
        step1.tool_results[0],
        StepFinish(step1),
        StepStart(2),
        *frame(script[1]),  # type: ignore[arg-type]
        StepFinish(step2),
        RunFinish(result),
    ]
    assert events == expected

    # Spelled out for the first step, so a change to ``frame`` cannot hide a change here.
    first_step = events[: events.index(StepFinish(step1)) + 1]
    kinds = [e.type for e in first_step]
    assert kinds == [
        "step-start",
        "text-start",
        *["text-delta"] * 4,
        "text-end",
        "tool-input-start",
        *["tool-input-delta"] * 6,
        "tool-input-end",
        "tool-call",
        "finish",
        "tool-result",
        "step-finish",
    ]
    deltas = [e.delta for e in first_step if isinstance(e, TextDelta)]
    assert "".join(deltas) == "Let me check"
    tool_deltas = [e.delta for e in first_step if isinstance(e, ToolInputDelta)]
    assert "".join(tool_deltas) == '{"location": "Florence"}'
    assert first_step[1] == TextStart("text-0")
    assert first_step[7] == ToolInputStart("c1", "weather")
    assert first_step[14] == ToolInputEnd("c1")
    assert first_step[15] == ToolCall(
        tool_call_id="c1", tool_name="weather", input='{"location": "Florence"}'
    )
    assert isinstance(first_step[16], Finish)
    assert first_step[16].finish_reason is FinishReason.TOOL_CALLS
    tool_result = first_step[17]
    assert isinstance(tool_result, ToolResult)
    assert tool_result.output.text == "40 C in Florence"  # type: ignore[union-attr]
    assert isinstance(events[-2], StepFinish) and events[-2].step.text == "It is 40 C"
    assert TextEnd("text-0") in first_step


async def test_result_is_available_only_at_the_end() -> None:
    stream = Agent(ScriptedModel(tool_step_script()), tools=[weather]).stream("weather?")
    with pytest.raises(RuntimeError):
        _ = stream.result
    seen = 0
    async for event in stream:
        seen += 1
        if not isinstance(event, RunFinish):
            with pytest.raises(RuntimeError):
                _ = stream.result
    assert seen > 5
    assert stream.result.text == "It is 40 C"
    assert stream.result.stop_reason is StopReason.DONE


async def test_collect() -> None:
    stream = Agent(ScriptedModel(tool_step_script()), tools=[weather]).stream("weather?")
    first = await stream.__anext__()
    assert first == StepStart(1)
    result = await stream.collect()
    assert result is stream.result
    assert len(result.steps) == 2


U1 = Usage(input_tokens=11, output_tokens=22, total_tokens=33, reasoning_tokens=4, cost=0.01)
U2 = Usage(input_tokens=50, output_tokens=5, total_tokens=55, cache_read_tokens=40)
U3 = Usage(input_tokens=70, output_tokens=9, total_tokens=79, cost=0.02)


def rich_script() -> list[Response | Exception]:
    """Reasoning, text, several tool calls, an unknown tool, a repairable and a bad input,
    reasoning metadata, warnings and response metadata."""
    first = reply(
        "I will compute both.",
        reasoning="The user wants sums and the weather.",
        tool_calls=[
            ("c1", "add", '{"a": 2, "b": 3}'),
            ("c2", "weather", '{"location": "Florence"'),
            ("c3", "nope", "{}"),
            ("c4", "add", '{"a": "x"}'),
        ],
        usage=U1,
    )
    first = Response(
        content=[
            Reasoning(
                text="The user wants sums and the weather.",
                provider_metadata={"anthropic": {"signature": "sig=="}},
            ),
            *first.content[1:],
        ],
        finish_reason=first.finish_reason,
        usage=first.usage,
        provider_metadata={"openrouter": {"provider": "x"}},
        warnings=[CallWarning(kind="unsupported-setting", message="no seed", setting="seed")],
        model_id="script-1",
    )
    return [
        first,
        reply(reasoning="", tool_calls=[("c5", "add", '{"a": 1, "b": 1}')], usage=U2),
        reply("Done: 5, 40 C and 2.", reasoning="wrap up", usage=U3),
    ]


async def test_run_and_stream_give_the_same_result() -> None:
    run_model = ScriptedModel(rich_script())
    stream_model = ScriptedModel(rich_script(), chunk_size=2)
    agent_args = {"system": "sys", "tools": [add, weather]}

    ran = await Agent(run_model, **agent_args).run("go")  # type: ignore[arg-type]
    async with Agent(stream_model, **agent_args).stream("go") as stream:  # type: ignore[arg-type]
        streamed = await stream.collect()

    # Sanity: the script exercises what it is meant to.
    step1 = ran.steps[0]
    assert [c.invalid for c in step1.tool_calls] == [False, False, True, True]
    assert step1.tool_calls[1].input == '{"location": "Florence"}'
    assert isinstance(step1.content[0], Reasoning)
    assert step1.content[0].provider_metadata == {"anthropic": {"signature": "sig=="}}
    assert isinstance(step1.content[1], Text)
    assert step1.warnings and step1.provider_metadata
    assert ran.steps[1].content[0] == Reasoning(text="")

    assert len(streamed.steps) == len(ran.steps) == 3
    for a, b in zip(streamed.steps, ran.steps, strict=True):
        assert a.content == b.content
        assert a.messages == b.messages
        assert a.usage == b.usage
        assert a.finish_reason == b.finish_reason
        assert a.warnings == b.warnings
        assert a.provider_metadata == b.provider_metadata
        assert a == b
    assert streamed.messages == ran.messages
    assert streamed.usage == ran.usage == U1 + U2 + U3
    assert streamed.stop_reason == ran.stop_reason == StopReason.DONE
    assert streamed.text == ran.text == "Done: 5, 40 C and 2."
    assert streamed == ran
    assert stream_model.calls == run_model.calls


async def test_run_and_stream_agree_at_the_step_limit() -> None:
    def script() -> list[Response | Exception]:
        return [reply(f"step {i}", tool_calls=[(f"c{i}", "add", "{}")]) for i in range(5)]

    ran = await Agent(ScriptedModel(script()), tools=[add], max_steps=3).run("go")
    streamed = await Agent(ScriptedModel(script()), tools=[add], max_steps=3).stream("go").collect()
    assert ran.stop_reason is StopReason.STEP_LIMIT
    assert streamed == ran


async def test_model_error_is_raised_from_the_stream() -> None:
    error = ProviderError("overloaded", provider="scripted", status=529)
    model = ScriptedModel([*tool_step_script()[:1], error])
    events = []
    with pytest.raises(ProviderError) as info:
        async for event in Agent(model, tools=[weather]).stream("go"):
            events.append(event)
    assert info.value is error
    assert events[-1] == StepStart(2)
    assert any(isinstance(e, StepFinish) for e in events)
    assert not any(isinstance(e, RunFinish) for e in events)
    assert model.closed_streams == 2


async def test_model_error_is_raised_from_run() -> None:
    error = ProviderError("overloaded", provider="scripted", status=529)
    model = ScriptedModel([*tool_step_script()[:1], error])
    with pytest.raises(ProviderError) as info:
        await Agent(model, tools=[weather]).run("go")
    assert info.value is error
    assert len(model.calls) == 2


async def test_breaking_out_early_closes_the_model_stream() -> None:
    model = ScriptedModel(tool_step_script())
    async with Agent(model, tools=[weather]).stream("go") as stream:
        async for event in stream:
            if isinstance(event, TextDelta):
                break
        assert model.closed_streams == 0
    assert model.closed_streams == 1
    assert len(model.calls) == 1
    with pytest.raises(RuntimeError):
        _ = stream.result


async def test_aclose_closes_the_model_stream() -> None:
    model = ScriptedModel(tool_step_script())
    stream = Agent(model, tools=[weather]).stream("go")
    async for event in stream:
        if isinstance(event, ToolInputDelta):
            break
    await stream.aclose()
    assert model.closed_streams == 1
    # Closed: no more events, and the tools never ran.
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()


async def test_every_model_stream_is_closed_after_a_full_run() -> None:
    model = ScriptedModel(tool_step_script())
    await Agent(model, tools=[weather]).stream("go").collect()
    assert model.closed_streams == 2


def _same_in_run_and_stream(item: Content) -> tuple[list[Content], list[Content]]:
    def script() -> list[Response | Exception]:
        return [Response(content=[Text(text="hi"), item], finish_reason=FinishReason.STOP)]

    async def both() -> tuple[list[Content], list[Content]]:
        ran = await Agent(ScriptedModel(script())).run("go")
        streamed = await Agent(ScriptedModel(script())).stream("go").collect()
        return ran.steps[0].content, streamed.steps[0].content

    return anyio.run(both)


def test_sources_are_the_same_in_run_and_stream() -> None:
    ran, streamed = _same_in_run_and_stream(Source(id="s1", url="https://example.com"))
    assert streamed == ran


def test_text_metadata_is_the_same_in_run_and_stream() -> None:
    def script() -> list[Response | Exception]:
        text = Text(text="hi", provider_metadata={"openai": {"item_id": "msg_1"}})
        return [Response(content=[text], finish_reason=FinishReason.STOP)]

    async def both() -> tuple[RunResult, RunResult]:
        ran = await Agent(ScriptedModel(script())).run("go")
        return ran, await Agent(ScriptedModel(script())).stream("go").collect()

    ran, streamed = anyio.run(both)
    assert streamed.steps[0].content == ran.steps[0].content


def test_files_are_the_same_in_run_and_stream() -> None:
    ran, streamed = _same_in_run_and_stream(File(data=b"\x89PNG", media_type="image/png"))
    assert streamed == ran


def test_provider_executed_results_are_the_same_in_run_and_stream() -> None:
    result = ToolResult(
        tool_call_id="s1",
        tool_name="web_search",
        output=TextOutput(text="hits"),
        provider_executed=True,
    )
    ran, streamed = _same_in_run_and_stream(result)
    assert streamed == ran


def test_stream_sync_yields_the_same_events_and_ends_with_the_result() -> None:
    from reverie.agent import RunFinish

    script = [
        reply(tool_calls=[("c1", "add", '{"a": 2, "b": 3}')]),
        reply("The sum is 5."),
    ]

    def add(a: int, b: int) -> int:
        """Add two numbers"""
        return a + b

    events = list(Agent(ScriptedModel(list(script)), tools=[add]).stream_sync("add"))
    finish = events[-1]
    assert isinstance(finish, RunFinish)
    assert finish.result.text == "The sum is 5."
    assert [c.tool_name for c in finish.result.steps[0].tool_calls] == ["add"]

    async def streamed() -> list[object]:
        return [e async for e in Agent(ScriptedModel(list(script)), tools=[add]).stream("add")]

    import asyncio

    assert [type(e) for e in events] == [type(e) for e in asyncio.run(streamed())]


def test_leaving_stream_sync_early_closes_the_model_stream() -> None:
    from reverie import TextDelta

    model = ScriptedModel([reply("a long answer")])
    seen = []
    for event in Agent(model).stream_sync("hi"):
        seen.append(event)
        if isinstance(event, TextDelta):
            break
    assert model.closed_streams == 1
    assert len(seen) < 5  # it stopped at the first delta
