"""Checking the model's tool calls and running them, below the agent loop: what a repair hook
is given, what an invalid call's result says, the order and grouping of runs, timeouts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio
import pytest

from reverie.agent.execute import check_call, not_json, repair_json, run_calls
from reverie.content import ToolCall, ToolResult
from reverie.messages import ErrorOutput, TextOutput
from reverie.tools.tool import Tool, ToolReturn, tool

ran: list[str] = []


@tool
def weather(city: str) -> str:
    """Weather"""
    ran.append(city)
    return f"sun in {city}"


TOOLS = {"weather": weather}


def call(input_: str, name: str = "weather", id_: str = "c1") -> ToolCall:
    return ToolCall(tool_call_id=id_, tool_name=name, input=input_)


def setup_function() -> None:
    ran.clear()


async def test_the_repair_hook_is_told_an_unknown_tool_by_name() -> None:
    seen: list[tuple[Tool | None, str]] = []

    def repair(c: ToolCall, t: Tool | None, error: Exception) -> None:
        seen.append((t, str(error)))

    checked, args = await check_call(call("{}", name="wether"), TOOLS, repair)
    assert seen == [(None, "tool 'wether' not found")]
    assert (checked.invalid, checked.error, args) == (True, "tool 'wether' not found", None)


async def test_the_repair_hook_is_told_the_short_validation_error() -> None:
    seen: list[tuple[Tool | None, str]] = []

    def repair(c: ToolCall, t: Tool | None, error: Exception) -> None:
        seen.append((t, str(error)))

    checked, _ = await check_call(call('{"town":"Rome"}'), TOOLS, repair)
    assert seen == [(weather, "city: Field required")]
    assert checked.error == "city: Field required"


async def test_a_repair_to_an_unknown_tool_leaves_the_call_invalid() -> None:
    def repair(c: ToolCall, t: Tool | None, error: Exception) -> ToolCall:
        return replace(c, tool_name="nowhere")

    checked, args = await check_call(call("{}", name="wether"), TOOLS, repair)
    assert (checked.tool_name, checked.invalid, args) == ("wether", True, None)
    assert checked.error == "tool 'wether' not found"


async def test_a_valid_call_is_returned_unchanged_with_its_arguments() -> None:
    original = call('{"city":"Rome"}')
    checked, args = await check_call(original, TOOLS, None)
    assert checked is original and args.city == "Rome"


async def test_an_invalid_call_to_an_existing_tool_is_not_run() -> None:
    invalid = replace(call('{"city":"Rome"}'), invalid=True, error="city: bad")
    [result] = await run_calls([(invalid, None)], TOOLS, max_concurrency=4)
    assert ran == []
    assert result == ToolResult(
        tool_call_id="c1",
        tool_name="weather",
        input='{"city":"Rome"}',
        output=ErrorOutput(message="Invalid tool call 'weather': city: bad"),
    )


async def test_a_result_carries_the_call_its_input_and_the_tools_metadata() -> None:
    @tool
    def lookup(key: str) -> ToolReturn:
        return ToolReturn(output="found", metadata={"hits": 1})

    checked = await check_call(call('{"key":"k"}', name="lookup"), {"lookup": lookup}, None)
    [result] = await run_calls([checked], {"lookup": lookup}, max_concurrency=1)
    assert result == ToolResult(
        tool_call_id="c1",
        tool_name="lookup",
        input='{"key":"k"}',
        output=TextOutput(text="found"),
        metadata={"hits": 1},
    )


def test_not_json_quotes_what_was_sent_and_says_why() -> None:
    assert not_json("{x") == (
        "the input is not valid JSON (Expecting property name enclosed in double quotes); "
        "you sent: '{x'"
    )


def test_not_json_quotes_only_the_start_of_long_input() -> None:
    text = "x" * 250
    message = not_json(text) or ""
    assert message.endswith(f"you sent: {'x' * 200!r} (first 200 of 250 characters)")


@pytest.mark.parametrize("text", ["", "  ", '{"a": 1}', "[1]"])
def test_not_json_is_none_for_blank_or_valid_json(text: str) -> None:
    assert not_json(text) is None


def test_not_json_at_exactly_the_limit_is_quoted_whole() -> None:
    assert (not_json("x" * 200) or "").endswith(f"you sent: {'x' * 200!r}")


@pytest.mark.parametrize(
    ("input_", "tool_", "fixed"),
    [
        ('{"city": "Rome"', weather, '{"city": "Rome"}'),
        ("", weather, "{}"),
        ('{"city": "Rome"}', weather, None),  # nothing to fix
        ('{"city": "Rome"', None, None),  # unknown tool: nothing to repair for
        ("sunny Rome", weather, None),  # prose, not arguments
    ],
)
def test_repair_json_fixes_only_broken_objects(
    input_: str, tool_: Tool | None, fixed: str | None
) -> None:
    repaired = repair_json(call(input_), tool_, ValueError("x"))
    assert (repaired.input if repaired else None) == fixed


def make_tool(name: str, log: list[str], parallel: bool, delay: float = 0.01) -> Tool:
    async def run(_: dict[str, Any]) -> str:
        log.append(f"start {name}")
        await anyio.sleep(delay)
        log.append(f"end {name}")
        return name

    return Tool.from_schema(name, "", {}, run, parallel=parallel)


async def test_parallel_calls_run_together_and_others_alone_in_call_order() -> None:
    log: list[str] = []
    tools = {
        "a": make_tool("a", log, parallel=True),
        "b": make_tool("b", log, parallel=True, delay=0.02),
        "s": make_tool("s", log, parallel=False),
        "c": make_tool("c", log, parallel=True),
    }
    calls = [(call("{}", name=n, id_=n), {}) for n in ("a", "b", "s", "c")]
    results = await run_calls(calls, tools, max_concurrency=4)
    assert [r.output for r in results] == [TextOutput(text=n) for n in ("a", "b", "s", "c")]
    assert log == ["start a", "start b", "end a", "end b", "start s", "end s", "start c", "end c"]


@pytest.mark.parametrize("limit", [0, 1])
async def test_a_concurrency_limit_of_one_or_less_runs_parallel_calls_one_by_one(
    limit: int,
) -> None:
    log: list[str] = []
    tools = {n: make_tool(n, log, parallel=True) for n in ("a", "b")}
    calls = [(call("{}", name=n, id_=n), {}) for n in ("a", "b")]
    await run_calls(calls, tools, max_concurrency=limit)
    assert log == ["start a", "end a", "start b", "end b"]


async def test_a_timed_out_call_is_told_after_how_long() -> None:
    log: list[str] = []
    slow = make_tool("slow", log, parallel=False, delay=5)
    [result] = await run_calls([(call("{}", name="slow"), {})], {"slow": slow}, 1, timeout=0.05)
    assert result.output == ErrorOutput(message="the tool 'slow' timed out after 0.05 s")


async def test_a_tools_own_timeout_overrides_the_default() -> None:
    log: list[str] = []
    slow = replace(make_tool("slow", log, parallel=False, delay=0.2), timeout=0.02)
    [result] = await run_calls([(call("{}", name="slow"), {})], {"slow": slow}, 1, timeout=30)
    assert result.output == ErrorOutput(message="the tool 'slow' timed out after 0.02 s")


async def test_a_repair_that_still_fails_is_told_as_the_repaired_calls_error() -> None:
    def repair(c: ToolCall, t: Tool | None, error: Exception) -> ToolCall:
        return replace(c, input='{"city": 5}')

    checked, args = await check_call(call('{"town":"Rome"}'), TOOLS, repair)
    assert (checked.input, checked.invalid, args) == ('{"town":"Rome"}', True, None)
    assert checked.error == "city: Input should be a valid string"


async def test_the_after_hook_is_told_the_tool_and_arguments() -> None:
    from reverie.agent.hooks import ToolHookContext, ToolHooks

    seen: list[tuple[str, str]] = []

    def after(c: ToolCall, result: ToolResult, context: ToolHookContext) -> None:
        seen.append((context.tool.name, context.args.city))

    checked = await check_call(call('{"city":"Rome"}'), TOOLS, None)
    hooks = ToolHooks(None, after, ())
    [result] = await run_calls([checked], TOOLS, 1, hooks=hooks)
    assert seen == [("weather", "Rome")]
    assert result.output == TextOutput(text="sun in Rome")


async def test_a_call_with_a_timeout_runs_on_its_arguments() -> None:
    checked = await check_call(call('{"city":"Oslo"}'), TOOLS, None)
    [result] = await run_calls([checked], TOOLS, 1, timeout=30)
    assert result.output == TextOutput(text="sun in Oslo")
