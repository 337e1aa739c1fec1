"""Agents as tools (``agent.as_tool``): results, usage counted once, nested events,
approval, cancellation, the depth limit and the sub-agent's output type."""

from __future__ import annotations

import asyncio
import json

import pytest
from pydantic import BaseModel

import reverie
from reverie.agent.delegate import _DEPTH, _SINK, SUB_RUN
from reverie.errors import ConfigurationError
from reverie.messages import ErrorOutput, TextOutput
from reverie.testing import ScriptedModel, reply
from reverie.usage import Usage


def usage(n: int) -> Usage:
    return Usage(input_tokens=n, output_tokens=n, total_tokens=2 * n)


def ask(call_id: str, tool: str, prompt: str) -> reverie.Response:
    return reply(tool_calls=[(call_id, tool, json.dumps({"prompt": prompt}))], usage=usage(1))


def pair() -> tuple[ScriptedModel, ScriptedModel, reverie.Agent]:
    child_model = ScriptedModel([reply("Paris", usage=usage(100))])
    child = reverie.Agent(child_model, name="geo", system="You know places")
    parent_model = ScriptedModel([ask("c1", "geo", "Capital of France?"), reply("It is Paris.")])
    parent = reverie.Agent(parent_model, tools=[child.as_tool(description="Places")])
    return child_model, parent_model, parent


async def test_the_sub_agent_answers_the_call_and_its_usage_counts_once_in_that_step():
    child_model, _, parent = pair()
    result = await parent.run("Where is the Louvre?")
    assert result.text == "It is Paris."
    tool_result = result.steps[0].tool_results[0]
    assert tool_result.output == TextOutput(text="Paris")
    assert child_model.calls[0].prompt[-1].content[0].text == "Capital of France?"
    sub_run = tool_result.metadata[SUB_RUN]
    assert sub_run.usage == usage(100)
    # the calling step has its model's usage plus the sub-run's; the next step its own
    assert result.steps[0].usage == usage(1) + usage(100)
    assert result.steps[1].usage == Usage(input_tokens=10, output_tokens=5, total_tokens=15)
    assert result.usage == usage(1) + usage(100) + result.steps[1].usage
    assert result.usage.input_tokens == 111  # not 211: counted once


async def test_the_tool_offers_one_prompt_string_and_refuses_other_input():
    tool = reverie.Agent(ScriptedModel([]), name="geo").as_tool()
    assert tool.name == "geo" and tool.description == "Ask the geo agent"
    assert tool.input_schema["required"] == ["prompt"]
    parent_model = ScriptedModel([reply(tool_calls=[("c1", "geo", '{"prompt": 3}')]), reply("ok")])
    result = await reverie.Agent(parent_model, tools=[tool]).run("hi")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput) and "prompt" in output.message


def test_a_name_is_needed_and_checked():
    agent = reverie.Agent(ScriptedModel([]))
    with pytest.raises(ConfigurationError, match="name"):
        agent.as_tool()
    with pytest.raises(ConfigurationError):
        agent.as_tool(name="no spaces allowed")
    with pytest.raises(ConfigurationError, match="max_depth"):
        agent.as_tool(name="a", max_depth=0)


async def test_streamed_the_sub_agents_events_come_tagged_before_the_calls_result():
    _, _, parent = pair()
    events = [event async for event in parent.stream("Where is the Louvre?")]
    nested = [e for e in events if isinstance(e, reverie.SubAgentEvent)]
    assert {e.path for e in nested} == {("geo",)} and {e.tool_call_ids for e in nested} == {("c1",)}
    assert all(e.agent == "geo" for e in nested)
    inner = [e.event for e in nested]
    assert isinstance(inner[0], reverie.StepStart) and isinstance(inner[-1], reverie.RunFinish)
    text = "".join(e.delta for e in inner if isinstance(e, reverie.TextDelta))
    assert text == "Paris"
    first_nested = events.index(nested[0])
    call_index = next(i for i, e in enumerate(events) if isinstance(e, reverie.ToolCall))
    result_index = next(i for i, e in enumerate(events) if isinstance(e, reverie.ToolResult))
    assert call_index < first_nested < events.index(nested[-1]) < result_index
    final = events[-1]
    assert isinstance(final, reverie.RunFinish)
    # streamed or not, the same steps and usage
    _, _, again = pair()
    ran = await again.run("Where is the Louvre?")
    assert final.result.usage == ran.usage
    assert [s.usage for s in final.result.steps] == [s.usage for s in ran.steps]


async def test_deeper_sub_agents_stream_with_one_flat_path_and_usage_rises_once_per_level():
    leaf = reverie.Agent(ScriptedModel([reply("leaf answer", usage=usage(1000))]), name="leaf")
    middle_model = ScriptedModel(
        [ask("m1", "leaf", "deep"), reply("middle answer", usage=usage(100))]
    )
    middle = reverie.Agent(middle_model, name="middle", tools=[leaf.as_tool()])
    top_model = ScriptedModel([ask("t1", "middle", "go"), reply("done", usage=usage(10))])
    top = reverie.Agent(top_model, tools=[middle.as_tool()])
    events = [event async for event in top.stream("start")]
    paths = {(e.path, e.tool_call_ids) for e in events if isinstance(e, reverie.SubAgentEvent)}
    assert paths == {(("middle",), ("t1",)), (("middle", "leaf"), ("t1", "m1"))}
    assert not any(
        isinstance(e.event, reverie.SubAgentEvent)
        for e in events
        if isinstance(e, reverie.SubAgentEvent)
    )
    result = events[-1].result  # type: ignore[union-attr]
    assert result.usage == usage(1) + usage(1) + usage(1000) + usage(100) + usage(10)
    assert result.steps[0].usage == usage(1) + (usage(1) + usage(1000) + usage(100))


class Capital(BaseModel):
    city: str
    country: str


async def test_a_sub_agent_with_an_output_answers_with_the_output_as_json():
    answer = '{"city": "Paris", "country": "France"}'
    child = reverie.Agent(
        ScriptedModel([reply(tool_calls=[("a1", "final_answer", answer)])]),
        name="geo",
        output=Capital,
    )
    parent_model = ScriptedModel([ask("c1", "geo", "France?"), reply("ok")])
    result = await reverie.Agent(parent_model, tools=[child.as_tool()]).run("q")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, TextOutput)
    assert Capital.model_validate_json(output.text) == Capital(city="Paris", country="France")
    assert parent_model.calls[1].prompt[-1].content[0].output == output


async def test_a_sub_run_that_fails_is_an_error_result_and_its_usage_so_far_still_counts():
    def boom() -> str:
        """Do it"""
        return "did it"

    child_model = ScriptedModel(
        [reply(tool_calls=[("x", "boom", "{}")], usage=usage(7)), reverie.ProviderError("down")]
    )
    child = reverie.Agent(child_model, name="geo", tools=[boom])
    parent_model = ScriptedModel([ask("c1", "geo", "q"), reply("sorry")])
    result = await reverie.Agent(parent_model, tools=[child.as_tool()]).run("q")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput) and "ProviderError: down" in output.message
    assert result.steps[0].usage == usage(1) + usage(7)


def recursive(max_depth: int, calls: int) -> tuple[ScriptedModel, reverie.Agent]:
    model = ScriptedModel([ask(f"r{i}", "self", "again") for i in range(calls)])
    agent = reverie.Agent(model, name="self")
    agent.tools.append(agent.as_tool(max_depth=max_depth))
    return model, agent


async def test_an_agent_calling_itself_stops_with_a_clear_error_at_the_depth_limit():
    model, agent = recursive(max_depth=3, calls=4)
    with pytest.raises(reverie.AgentDepthError, match="max_depth=3") as caught:
        await agent.run("go")
    assert len(model.calls) == 4  # the first run and three nested ones
    assert caught.value.partial.stop_reason == "error"  # type: ignore[attr-defined]
    assert _DEPTH.get() == 0


async def test_the_default_depth_limit_is_eight():
    model, agent = recursive(max_depth=8, calls=9)
    with pytest.raises(reverie.AgentDepthError, match="9 sub-agents deep"):
        await agent.run("go")
    assert len(model.calls) == 9
    assert reverie.Agent(ScriptedModel([]), name="a").as_tool().max_depth == 8


async def test_concurrent_runs_do_not_share_their_depth_or_their_sink():
    seen: list[tuple[int, object]] = []

    async def probe() -> str:
        """Look"""
        seen.append((_DEPTH.get(), _SINK.get()))
        await asyncio.sleep(0)
        return "ok"

    def chain() -> reverie.Agent:
        inner = reverie.Agent(
            ScriptedModel([reply(tool_calls=[("p", "probe", "{}")]), reply("x")]),
            name="inner",
            tools=[probe],
        )
        return reverie.Agent(
            ScriptedModel([ask("c", "inner", "q"), reply("y")]), tools=[inner.as_tool()]
        )

    async def streamed() -> None:
        async for _ in chain().stream("q"):
            await asyncio.sleep(0)

    await asyncio.gather(chain().run("q"), streamed(), chain().run("q"), streamed())
    assert sorted(depth for depth, _ in seen) == [1, 1, 1, 1]
    assert all(sink is None for _, sink in seen)  # a sub-run's own tools never see a sink
    assert _DEPTH.get() == 0 and _SINK.get() is None  # nothing leaked into this context


def test_the_sync_facade_streams_sub_agents_too():
    _, _, parent = pair()
    events = list(parent.stream_sync("Where?"))
    assert any(isinstance(e, reverie.SubAgentEvent) for e in events)
    assert events[-1].result.text == "It is Paris."  # type: ignore[union-attr]


# approval


def approval_pair(**options: object) -> tuple[list[str], ScriptedModel, reverie.Agent]:
    deleted: list[str] = []

    @reverie.tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file"""
        deleted.append(path)
        return f"deleted {path}"

    child_model = ScriptedModel(
        [reply(tool_calls=[("d1", "delete_file", '{"path": "old.log"}')]), reply("Deleted.")]
    )
    child = reverie.Agent(child_model, name="janitor", tools=[delete_file])
    parent_model = ScriptedModel([ask("c1", "janitor", "Delete old.log"), reply("Done.")])
    tool = child.as_tool(**options)  # type: ignore[arg-type]
    return deleted, child_model, reverie.Agent(parent_model, tools=[tool])


async def test_a_sub_agent_whose_tools_ask_needs_approval_before_it_starts():
    deleted, child_model, parent = approval_pair()
    paused = await parent.run("Clean up")
    assert paused.stop_reason == "approval"
    assert [(p.tool_name, json.loads(p.input)) for p in paused.pending] == [
        ("janitor", {"prompt": "Delete old.log"})
    ]
    assert child_model.calls == [] and deleted == []
    saved = reverie.load_result(reverie.dump_result(paused))
    result = await parent.run(messages=saved.messages, approvals={saved.pending[0]: True})
    # approving the delegation approved the sub-agent's call that would have asked
    assert deleted == ["old.log"]
    assert result.steps[0].tool_results[0].output == TextOutput(text="Deleted.")
    assert (
        result.steps[0].usage == usage(0) + result.steps[0].tool_results[0].metadata[SUB_RUN].usage
    )
    assert result.text == "Done."


async def test_a_denied_delegation_never_starts_the_sub_agent():
    deleted, child_model, parent = approval_pair()
    paused = await parent.run("Clean up")
    result = await parent.run(messages=paused.messages, approvals={paused.pending[0]: "no"})
    assert child_model.calls == [] and deleted == []
    assert result.steps[0].tool_results[0].output == ErrorOutput(message="denied: no")


async def test_a_policy_in_the_sub_agent_still_denies_after_the_delegation_is_approved():
    ran: list[str] = []

    def deny_root(call: reverie.ToolCall, context: object) -> bool | str | None:
        return "not /" if json.loads(call.input)["path"] == "/" else None

    @reverie.tool(needs_approval=deny_root)
    def remove(path: str) -> str:
        """Remove a path"""
        ran.append(path)
        return "removed"

    child_model = ScriptedModel(
        [
            reply(tool_calls=[("a", "remove", '{"path": "/"}'), ("b", "remove", '{"path": "x"}')]),
            reply("half done"),
        ]
    )
    child = reverie.Agent(child_model, name="janitor", tools=[remove])
    parent = reverie.Agent(
        ScriptedModel([ask("c1", "janitor", "clean"), reply("ok")]), tools=[child.as_tool()]
    )
    paused = await parent.run("Clean")
    await parent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert ran == ["x"]  # "/" denied by the policy; "x" asked, approved by the delegation
    results = child_model.calls[1].prompt[-1].content
    assert results[0].output == ErrorOutput(message="denied: not /")


async def test_without_approval_the_sub_agents_waiting_calls_become_an_error_result():
    deleted, _, parent = approval_pair(needs_approval=False)
    result = await parent.run("Clean up")
    assert result.stop_reason == "done" and deleted == []
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput)
    assert "delete_file need approval" in output.message and "did not run" in output.message


async def test_streamed_the_approved_sub_run_of_a_resumed_run_streams_too():
    _, _, parent = approval_pair()
    paused = await parent.run("Clean up")
    stream = parent.stream(messages=paused.messages, approvals={paused.pending[0]: True})
    events = [event async for event in stream]
    assert isinstance(events[0], reverie.StepStart) and events[0].number == 0
    nested = [e for e in events if isinstance(e, reverie.SubAgentEvent)]
    assert nested and nested[0].path == ("janitor",)
    assert stream.result.text == "Done."


# cancellation


class Blocked:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = False

    def tool(self) -> reverie.Tool:
        async def wait() -> str:
            """Wait"""
            self.started.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
            return "never"

        return reverie.tool(wait)


def blocked_pair() -> tuple[Blocked, ScriptedModel, reverie.Agent]:
    blocked = Blocked()
    child_model = ScriptedModel([reply("thinking", tool_calls=[("w", "wait", "{}")])])
    child = reverie.Agent(child_model, name="slow", tools=[blocked.tool()])
    parent = reverie.Agent(ScriptedModel([ask("c1", "slow", "q")]), tools=[child.as_tool()])
    return blocked, child_model, parent


async def test_cancelling_the_parent_cancels_the_sub_run():
    blocked, _, parent = blocked_pair()
    before = asyncio.all_tasks()
    task = asyncio.create_task(parent.run("q"))
    await blocked.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert blocked.cancelled
    assert asyncio.all_tasks() == before


async def test_closing_the_parents_stream_cancels_the_sub_run_and_closes_its_model_stream():
    blocked, child_model, parent = blocked_pair()
    before = asyncio.all_tasks()
    stream = parent.stream("q")
    async for event in stream:
        if isinstance(event, reverie.SubAgentEvent) and isinstance(event.event, reverie.ToolCall):
            break
    await blocked.started.wait()
    await stream.aclose()
    assert blocked.cancelled
    assert child_model.closed_streams == 1
    for _ in range(3):  # the left loop's own iterator is finalized by the event loop
        await asyncio.sleep(0)
    assert asyncio.all_tasks() == before


async def test_cancelling_a_streamed_parent_leaves_no_task_behind():
    blocked, _, parent = blocked_pair()
    before = asyncio.all_tasks()

    async def consume() -> None:
        async for _ in parent.stream("q"):
            pass

    task = asyncio.create_task(consume())
    await blocked.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert blocked.cancelled
    assert asyncio.all_tasks() == before


async def test_a_result_holding_a_sub_run_saves_and_loads():
    _, _, parent = pair()
    result = await parent.run("Where?")
    loaded = reverie.load_result(reverie.dump_result(result))
    assert loaded.usage == result.usage
    assert [s.usage for s in loaded.steps] == [s.usage for s in result.steps]
    kept = loaded.steps[0].tool_results[0].metadata[SUB_RUN]
    assert kept["usage"]["input_tokens"] == 100  # plain JSON once loaded


async def test_a_streamed_agent_calling_itself_stops_at_the_depth_limit_too():
    model, agent = recursive(max_depth=2, calls=3)
    events: list[object] = []
    with pytest.raises(reverie.AgentDepthError, match="max_depth=2"):
        async for event in agent.stream("go"):
            events.append(event)
    paths = {e.path for e in events if isinstance(e, reverie.SubAgentEvent)}
    assert paths == {("self",), ("self", "self")}
    assert len(model.calls) == 3 and _DEPTH.get() == 0


def test_a_sync_tool_running_an_agent_in_its_thread_sends_nothing_to_the_streamed_parent():
    inner = reverie.Agent(ScriptedModel([reply("x")]), name="inner")
    other = reverie.Agent(
        ScriptedModel([ask("o1", "inner", "q"), reply("y")]), tools=[inner.as_tool()]
    )

    def side() -> str:
        """Ask another agent, synchronously"""
        return other.run_sync("q").text

    child = reverie.Agent(ScriptedModel([reply("c")]), name="child")
    calls = [("c1", "child", '{"prompt": "p"}'), ("s1", "side", "{}")]
    parent_model = ScriptedModel([reply(tool_calls=calls), reply("done")])
    parent = reverie.Agent(parent_model, tools=[child.as_tool(), side])
    events = list(parent.stream_sync("q"))
    nested = [e for e in events if isinstance(e, reverie.SubAgentEvent)]
    assert nested and {e.path for e in nested} == {("child",)}
    results = events[-1].result.steps[0].tool_results  # type: ignore[union-attr]
    assert [r.output for r in results] == [TextOutput(text="c"), TextOutput(text="y")]


async def test_tools_given_to_the_sub_agent_after_as_tool_are_approved_with_it_too():
    deleted: list[str] = []
    child_model = ScriptedModel(
        [reply(tool_calls=[("d1", "delete_file", '{"path": "a"}')]), reply("Deleted.")]
    )
    child = reverie.Agent(child_model, name="janitor")
    tool = child.as_tool(needs_approval=True)

    @reverie.tool(needs_approval=True)
    def delete_file(path: str) -> str:
        """Delete a file"""
        deleted.append(path)
        return "deleted"

    child.tools.append(delete_file)
    parent = reverie.Agent(ScriptedModel([ask("c1", "janitor", "x"), reply("ok")]), tools=[tool])
    paused = await parent.run("x")
    await parent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert deleted == ["a"]


async def test_parallel_sub_agents_of_one_step_run_together_and_stream_interleaved():
    both_started = asyncio.Event()
    started: list[str] = []

    def researcher(topic: str) -> reverie.Agent:
        async def look() -> str:
            """Look it up"""
            started.append(topic)
            if len(started) == 2:
                both_started.set()
            await asyncio.wait_for(both_started.wait(), 5)  # only if both run at once
            return topic

        model = ScriptedModel([reply(tool_calls=[("l", "look", "{}")]), reply(f"{topic} done")])
        return reverie.Agent(model, name="look_" + topic, tools=[look])

    art, war = researcher("art"), researcher("war")
    parent_model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "look_art", '{"prompt": "art"}'),
                    ("c2", "look_war", '{"prompt": "war"}'),
                ]
            ),
            reply("both done"),
        ]
    )
    tools = [art.as_tool(parallel=True), war.as_tool(parallel=True)]
    events = [event async for event in reverie.Agent(parent_model, tools=tools).stream("q")]
    nested = [e for e in events if isinstance(e, reverie.SubAgentEvent)]
    assert {e.tool_call_ids for e in nested} == {("c1",), ("c2",)}
    result = events[-1].result  # type: ignore[union-attr]
    outputs = [r.output for r in result.steps[0].tool_results]
    assert outputs == [TextOutput(text="art done"), TextOutput(text="war done")]
    with pytest.raises(TypeError, match="parallel"):
        art.as_tool(parallel="yes")  # type: ignore[typeddict-item]


async def test_a_sub_agent_streams_at_its_readers_pace():
    from reverie.agent.delegate import SINK_ROOM
    from reverie.finish_reason import FinishReason
    from reverie.model import Finish

    produced: list[int] = []

    class Chatty:
        provider, model_id = "chatty", "1"

        async def generate(self, call: object) -> reverie.Response:
            raise AssertionError("streamed only")

        async def stream(self, call: object):  # type: ignore[no-untyped-def]
            yield reverie.TextStart(id="t")
            for index in range(1000):
                produced.append(index)
                yield reverie.TextDelta(id="t", delta="x")
            yield reverie.TextEnd(id="t")
            yield Finish(finish_reason=FinishReason.STOP)

    child = reverie.Agent(Chatty(), name="chatty")  # type: ignore[arg-type]
    parent = reverie.Agent(ScriptedModel([ask("c1", "chatty", "go")]), tools=[child.as_tool()])
    async with parent.stream("q") as stream:
        async for event in stream:
            if isinstance(event, reverie.SubAgentEvent):
                for _ in range(20):  # the sub-agent runs on while this reader waits
                    await asyncio.sleep(0)
                break
    assert 0 < len(produced) <= SINK_ROOM + 5 < 1000  # not all 1000


async def test_a_run_not_streamed_runs_its_sub_agents_without_streaming():
    child_model, _, parent = pair()
    await parent.run("Where?")
    assert len(child_model.calls) == 1 and child_model.closed_streams == 0
    child_model, _, parent = pair()
    await parent.stream("Where?").collect()
    assert child_model.closed_streams == 1


async def test_a_sub_run_past_its_timeout_is_cancelled_and_an_error_result():
    blocked = Blocked()
    child = reverie.Agent(
        ScriptedModel([reply(tool_calls=[("w", "wait", "{}")])]),
        name="slow",
        tools=[blocked.tool()],
    )
    parent_model = ScriptedModel([ask("c1", "slow", "q"), reply("gave up")])
    parent = reverie.Agent(parent_model, tools=[child.as_tool(timeout=0.05)])
    result = await parent.run("q")
    assert blocked.cancelled and result.text == "gave up"
    output = result.steps[0].tool_results[0].output
    assert output == ErrorOutput(message="the tool 'slow' timed out after 0.05 s")


async def test_a_sub_agent_whose_output_never_validates_is_an_error_result():
    child = reverie.Agent(
        ScriptedModel([reply(tool_calls=[("a1", "final_answer", '{"city": 1}')])]),
        name="geo",
        output=Capital,
        output_retries=0,
    )
    parent_model = ScriptedModel([ask("c1", "geo", "France?"), reply("sorry")])
    result = await reverie.Agent(parent_model, tools=[child.as_tool()]).run("q")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput) and output.message.startswith("NoObjectGenerated")
    assert result.steps[0].usage == usage(1) + Usage(
        input_tokens=10, output_tokens=5, total_tokens=15
    )


async def test_the_ai_sdk_stream_leaves_sub_agents_events_out():
    from reverie.ui.ai_sdk import ui_message_chunks

    _, _, parent = pair()
    chunks = [chunk async for chunk in ui_message_chunks(parent.stream("Where?"))]
    texts = "".join(c.get("delta", "") for c in chunks if c["type"] == "text-delta")
    assert texts == "It is Paris."  # the parent's own text only, not the sub-agent's "Paris"
    assert any(c["type"] == "tool-output-available" for c in chunks)
