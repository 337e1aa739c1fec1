"""A run that fails after its tools ran keeps its completed steps on the error, and can be
continued from them without running the tools again."""

from __future__ import annotations

import asyncio

import pytest

from reverie import (
    Agent,
    FinishReason,
    ProviderError,
    RunResult,
    StopReason,
    StreamError,
    TextOutput,
    ToolCallPart,
    ToolResultPart,
    Usage,
)
from reverie.testing.fake import ScriptedModel, reply

U1 = Usage(input_tokens=10, output_tokens=5, total_tokens=15)
U2 = Usage(input_tokens=20, output_tokens=6, total_tokens=26)


class Ledger:
    """A tool with a side effect we can count."""

    def __init__(self) -> None:
        self.entries: list[str] = []

    def book(self, item: str) -> str:
        """Book an item"""
        self.entries.append(item)
        return f"booked {item}"


def failing_script(error: Exception) -> list[object]:
    return [
        reply(tool_calls=[("c1", "book", '{"item": "flight"}')], usage=U1),
        reply(tool_calls=[("c2", "book", '{"item": "hotel"}')], usage=U2),
        error,
    ]


def check_partial(partial: RunResult | None) -> RunResult:
    assert partial is not None
    assert partial.stop_reason is StopReason.ERROR
    assert [s.number for s in partial.steps] == [1, 2]
    assert partial.usage == U1 + U2
    roles = [m.role for m in partial.messages]
    assert roles == ["user", "assistant", "tool", "assistant", "tool"]
    last = partial.messages[-1].content[0]
    assert isinstance(last, ToolResultPart)
    assert last.output == TextOutput(text="booked hotel")
    return partial


async def test_a_provider_error_after_tools_ran_carries_the_partial_run() -> None:
    ledger = Ledger()
    error = ProviderError("overloaded", provider="scripted", status=529)
    agent = Agent(ScriptedModel(failing_script(error)), tools=[ledger.book])  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as info:
        await agent.run("book my trip")
    assert info.value is error  # still the provider's own error: `except ProviderError` works
    check_partial(info.value.partial)
    steps = len(info.value.partial.steps)
    assert info.value.__notes__ == [
        f"reverie: the run's {steps} completed step(s) are kept in error.partial; "
        "continue with agent.run(messages=error.partial.messages)"
    ]


async def test_a_partial_run_is_resumable_without_running_its_tools_again() -> None:
    ledger = Ledger()
    error = ProviderError("connection reset", provider="scripted", retryable=True)
    agent = Agent(ScriptedModel(failing_script(error)), tools=[ledger.book])  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as info:
        await agent.run("book my trip")
    partial = check_partial(info.value.partial)
    assert ledger.entries == ["flight", "hotel"]

    model = ScriptedModel([reply("Flight and hotel are booked.")])
    resumed = await Agent(model, tools=[ledger.book]).run(messages=partial.messages)
    assert resumed.text == "Flight and hotel are booked."
    assert ledger.entries == ["flight", "hotel"]  # no tool ran twice
    sent = list(model.calls[0].prompt)
    assert sent == partial.messages  # the model continues after the last tool result
    calls = [p for m in resumed.messages for p in m.content if isinstance(p, ToolCallPart)]
    assert [c.tool_call_id for c in calls] == ["c1", "c2"]


async def test_a_stream_error_keeps_the_partial_run() -> None:
    ledger = Ledger()
    error = StreamError("the stream broke off", provider="scripted", retryable=True)
    agent = Agent(ScriptedModel(failing_script(error)), tools=[ledger.book])  # type: ignore[arg-type]
    with pytest.raises(StreamError) as info:
        async for _ in agent.stream("book my trip"):
            pass
    check_partial(info.value.partial)


def test_run_sync_keeps_the_partial_run() -> None:
    ledger = Ledger()
    error = ProviderError("overloaded", provider="scripted", status=503)
    agent = Agent(ScriptedModel(failing_script(error)), tools=[ledger.book])  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as info:
        agent.run_sync("book my trip")
    check_partial(info.value.partial)


def test_stream_sync_keeps_the_partial_run() -> None:
    ledger = Ledger()
    error = ProviderError("overloaded", provider="scripted", status=503)
    agent = Agent(ScriptedModel(failing_script(error)), tools=[ledger.book])  # type: ignore[arg-type]
    with pytest.raises(ProviderError) as info:
        for _ in agent.stream_sync("book my trip"):
            pass
    check_partial(info.value.partial)


async def test_an_error_in_the_first_step_has_an_empty_partial_run() -> None:
    error = ProviderError("bad request", provider="scripted", status=400)
    with pytest.raises(ProviderError) as info:
        await Agent(ScriptedModel([error])).run("hi")
    partial = info.value.partial
    assert partial is not None
    assert partial.steps == [] and partial.usage == Usage()
    assert [m.role for m in partial.messages] == ["user"]
    assert partial.text == ""
    assert partial.response.finish_reason is FinishReason.ERROR
    assert not getattr(info.value, "__notes__", [])  # nothing to point at


async def test_a_failing_hook_and_cancellation_also_carry_the_partial_run() -> None:
    ledger = Ledger()

    def prepare(context: object) -> None:
        if getattr(context, "number", 0) == 2:
            raise KeyError("my hook broke")

    model = ScriptedModel(failing_script(RuntimeError("unused")))
    agent = Agent(model, tools=[ledger.book], prepare_step=prepare)  # type: ignore[list-item]
    with pytest.raises(KeyError) as info:
        await agent.run("book")
    assert [s.number for s in info.value.partial.steps] == [1]  # type: ignore[attr-defined]

    started = asyncio.Event()

    async def slow(item: str) -> str:
        """Book slowly"""
        started.set()
        await asyncio.sleep(60)
        return "never"

    slow_agent = Agent(
        ScriptedModel([reply(tool_calls=[("c1", "slow", '{"item": "x"}')])]), tools=[slow]
    )
    task = asyncio.create_task(slow_agent.run("go"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError) as cancelled:
        await task
    partial = cancelled.value.partial  # type: ignore[attr-defined]
    assert partial.steps == [] and [m.role for m in partial.messages] == ["user"]
