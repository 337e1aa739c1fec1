"""Per-tool timeouts become error results and the run goes on; cancelling a run mid-tool
cancels its tools and leaves no task or thread of ours running."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

import pytest

from reverie import Agent, ConfigurationError, ErrorOutput, TextOutput, ToolRunContext, tool
from reverie.agent.agent import DEFAULT_TOOL_TIMEOUT
from reverie.testing.fake import ScriptedModel, reply


def two_steps(name: str) -> ScriptedModel:
    return ScriptedModel([reply(tool_calls=[("c1", name, "{}")]), reply("done anyway")])


class Hang:
    """An async tool that never returns unless cancelled; records that it was."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = False

    async def __call__(self) -> str:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return "never"  # pragma: no cover


def hung_fn(hang: Hang) -> Callable[[], Awaitable[str]]:
    async def hung() -> str:
        """Never answers"""
        return await hang()

    return hung


async def test_a_hung_async_tool_times_out_into_an_error_result_and_is_cancelled() -> None:
    hang = Hang()
    model = two_steps("hung")
    result = await Agent(model, tools=[tool(timeout=0.05)(hung_fn(hang))]).run("go")
    assert result.text == "done anyway"  # the run went on
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output == ErrorOutput(message="the tool 'hung' timed out after 0.05 s")
    assert hang.cancelled
    sent = model.calls[1].prompt[-1].content[0]
    assert getattr(sent, "output", None) == tool_result.output  # the model saw why


async def test_the_agent_default_applies_and_a_tool_timeout_overrides_it() -> None:
    hang = Hang()
    result = await Agent(two_steps("hung"), tools=[tool(hung_fn(hang))], tool_timeout=0.05).run(
        "go"
    )
    assert "timed out after 0.05 s" in str(result.steps[0].tool_results[0].output)

    @tool(timeout=5)
    async def slowish() -> str:
        """Takes a moment"""
        await asyncio.sleep(0.1)
        return "made it"

    result = await Agent(two_steps("slowish"), tools=[slowish], tool_timeout=0.01).run("go")
    assert result.steps[0].tool_results[0].output == TextOutput(text="made it")


async def test_a_hung_sync_tool_times_out_and_is_told_to_stop() -> None:
    returned = threading.Event()

    @tool(timeout=0.05)
    def blocking(context: ToolRunContext) -> str:
        """Blocks its thread"""
        context.cancelled.wait(5)  # a cooperative sync tool checks the flag
        returned.set()
        return "late"

    start = time.monotonic()
    result = await Agent(two_steps("blocking"), tools=[blocking]).run("go")
    assert time.monotonic() - start < 2  # the run did not wait for the thread
    assert "timed out after 0.05 s" in str(result.steps[0].tool_results[0].output)
    assert await asyncio.to_thread(returned.wait, 2)  # and the thread is not left behind


async def test_parallel_calls_time_out_one_by_one() -> None:
    hang = Hang()

    @tool(parallel=True)
    async def quick() -> str:
        """Quick"""
        return "quick"

    hung = tool(parallel=True, timeout=0.05)(hung_fn(hang))
    model = ScriptedModel(
        [reply(tool_calls=[("c1", "quick", "{}"), ("c2", "hung", "{}")]), reply("ok")]
    )
    result = await Agent(model, tools=[quick, hung]).run("go")
    outputs = [r.output for r in result.steps[0].tool_results]
    assert outputs[0] == TextOutput(text="quick")
    assert isinstance(outputs[1], ErrorOutput) and "timed out" in outputs[1].message


async def test_cancelling_a_run_mid_tool_cancels_the_tools_and_leaves_nothing_running() -> None:
    hang = Hang()
    thread_started = threading.Event()
    thread_returned = threading.Event()

    @tool(parallel=True)
    def blocking(context: ToolRunContext) -> str:
        """Blocks its thread"""
        thread_started.set()
        context.cancelled.wait(5)
        thread_returned.set()
        return "late"

    hung = tool(parallel=True)(hung_fn(hang))
    model = ScriptedModel([reply(tool_calls=[("c1", "hung", "{}"), ("c2", "blocking", "{}")])])
    before = set(asyncio.all_tasks())
    task = asyncio.create_task(Agent(model, tools=[hung, blocking]).run("go"))
    await hang.started.wait()
    await asyncio.to_thread(thread_started.wait, 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert hang.cancelled
    assert await asyncio.to_thread(thread_returned.wait, 2)
    await asyncio.sleep(0)
    assert set(asyncio.all_tasks()) == before  # no task of ours left


def test_timeouts_are_checked() -> None:
    async def f() -> str:
        """F"""
        return ""

    with pytest.raises(ConfigurationError, match="timeout must be more than 0"):
        tool(timeout=0)(f)
    with pytest.raises(TypeError, match="timeout must be seconds"):
        tool(timeout="5")(f)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="tool_timeout must be more than 0"):
        Agent(ScriptedModel([]), tool_timeout=-1)
    assert DEFAULT_TOOL_TIMEOUT is None


def test_the_cancel_event_works_like_threading_event_across_threads() -> None:
    from reverie.tools.tool import CancelEvent

    early = CancelEvent()
    early.set()
    assert early.is_set() and early.wait(0)

    late = CancelEvent()
    assert not late.wait(0.01)
    seen: list[bool] = []
    waiter = threading.Thread(target=lambda: seen.append(late.wait(5)))
    waiter.start()
    time.sleep(0.02)
    late.set()
    waiter.join(2)
    assert seen == [True] and late.is_set()
