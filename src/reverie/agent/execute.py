"""Checking the model's tool calls and running the tools.

Nothing here raises because of a tool: unknown tools, bad input and exceptions all become
error results that go back to the model, so it can correct itself.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from reverie.content import ToolCall, ToolResult
from reverie.errors import ToolInputError
from reverie.messages import ErrorOutput, ToolOutput
from reverie.tools.tool import Tool, ToolRunContext

if TYPE_CHECKING:
    from reverie.agent.hooks import ToolHooks
    from reverie.agent.tracing import RunTrace

RepairToolCall = Callable[
    [ToolCall, "Tool | None", Exception], "ToolCall | Awaitable[ToolCall | None] | None"
]
"""Given an invalid call, the tool (``None`` if unknown) and the error, return a fixed call
or ``None`` to give up."""


def repair_json(call: ToolCall, tool: Tool | None, error: Exception) -> ToolCall | None:
    """The default repair: fix broken JSON (missing quotes, trailing commas, truncation)."""
    if tool is None:
        return None
    from json_repair import repair_json as repair

    try:
        fixed = repair(call.input or "{}")
    except (RecursionError, ValueError):  # nested deeper than Python recurses
        return None
    if not isinstance(fixed, str) or fixed == call.input:
        return None
    if not fixed.lstrip().startswith("{"):
        # Prose, or a bare value: json-repair makes "" or a string of it, and a tool would
        # run on arguments the model never gave.
        return None
    return replace(call, input=fixed)


async def check_call(
    call: ToolCall, tools: Mapping[str, Tool], repair: RepairToolCall | None
) -> tuple[ToolCall, Any]:
    """Validate ``call``; returns the call (repaired or marked invalid) and the parsed input."""
    tool = tools.get(call.tool_name)
    error: Exception
    if tool is None:
        error = ToolInputError(f"tool {shown(call.tool_name)} not found")
    else:
        try:
            return call, tool.validate(call.input)
        except ToolInputError as exc:
            error = exc
    if repair is not None:
        fixed = repair(call, tool, error)
        if inspect.isawaitable(fixed):
            fixed = await fixed
        if fixed is not None:
            fixed_tool = tools.get(fixed.tool_name)
            if fixed_tool is not None:
                try:
                    return fixed, fixed_tool.validate(fixed.input)
                except ToolInputError as exc:
                    error = exc
    return replace(call, invalid=True, error=not_json(call.input) or str(error)), None


QUOTE_LIMIT = 200
"""How much of unreadable input the error result quotes back to the model."""
NAME_LIMIT = 100
"""How much of a tool name the error result quotes (a model may make up a long one)."""


def shown(name: str) -> str:
    """A tool name as an error quotes it: escaped (control characters as ``\\x1b``…) and
    of bounded length."""
    if len(name) <= NAME_LIMIT:
        return repr(name)
    return f"{name[:NAME_LIMIT]!r}… ({len(name)} characters)"


def not_json(text: str) -> str | None:
    """What the model is told when its input is not JSON at all: what it sent (not what a
    repair made of it), so it can see its own mistake."""
    if not text.strip():
        return None
    try:
        json.loads(text)
    except RecursionError:
        return f"the input is nested too deeply to read ({len(text)} characters)"
    except ValueError as exc:
        quoted = repr(text[:QUOTE_LIMIT])
        if len(text) > QUOTE_LIMIT:
            quoted += f" (first {QUOTE_LIMIT} of {len(text)} characters)"
        reason = getattr(exc, "msg", str(exc))
        return f"the input is not valid JSON ({reason}); you sent: {quoted}"
    return None


async def run_calls(
    checked: Sequence[tuple[ToolCall, Any]],
    tools: Mapping[str, Tool],
    max_concurrency: int,
    timeout: float | None = None,
    hooks: ToolHooks | None = None,
    trace: RunTrace | None = None,
) -> list[ToolResult]:
    """Run the valid calls; results come back in call order whatever order they finish in.

    Consecutive calls to tools marked ``parallel`` run together (at most ``max_concurrency``
    at once); any other tool runs alone, after the calls before it. ``timeout`` applies to
    each call of a tool without its own. ``hooks`` wrap each call that runs; ``trace`` gives
    each an ``execute_tool`` span.
    """
    results: list[ToolResult | None] = [None] * len(checked)

    async def run_one(index: int) -> None:
        call, args = checked[index]
        results[index] = await _run(call, args, tools, timeout, hooks, trace)

    batch: list[int] = []
    for index, (call, _) in enumerate(checked):
        tool = tools.get(call.tool_name)
        if not call.invalid and tool is not None and tool.parallel:
            batch.append(index)
            continue
        await _run_batch(batch, run_one, max_concurrency)
        batch = []
        await run_one(index)
    await _run_batch(batch, run_one, max_concurrency)
    return [r for r in results if r is not None]


async def _run_batch(
    batch: list[int], run_one: Callable[[int], Coroutine[Any, Any, None]], max_concurrency: int
) -> None:
    if len(batch) == 1:
        await run_one(batch[0])
    elif batch:
        # imported here: asyncio and anyio cost ~30 ms that import reverie avoids; the limiter
        # exists only where calls run together (most steps make one call).
        import anyio

        limiter = anyio.CapacityLimiter(max(1, max_concurrency))

        async def limited(index: int) -> None:
            async with limiter:
                await run_one(index)

        async with anyio.create_task_group() as group:
            for index in batch:
                group.start_soon(limited, index)


async def _run(
    call: ToolCall,
    args: Any,
    tools: Mapping[str, Tool],
    default_timeout: float | None,
    hooks: ToolHooks | None,
    trace: RunTrace | None,
) -> ToolResult:
    tool = tools.get(call.tool_name)
    if call.invalid or tool is None:
        message = f"Invalid tool call {shown(call.tool_name)}: {call.error}"
        return ToolResult(
            tool_call_id=call.tool_call_id,
            tool_name=call.tool_name,
            input=call.input,
            output=ErrorOutput(message=message),
        )
    if trace is None:
        return await _execute(call, args, tool, default_timeout, hooks)
    with trace.tool(call, tool) as record:
        result = await _execute(call, args, tool, default_timeout, hooks)
        record(result)
        return result


async def _execute(
    call: ToolCall, args: Any, tool: Tool, default_timeout: float | None, hooks: ToolHooks | None
) -> ToolResult:
    """One tool call, inside the hooks."""
    if hooks is not None:
        before = await hooks.apply_before(call, args, tool)
        if isinstance(before, ToolResult):  # refused
            return before
        call, args = before
    context = ToolRunContext(tool_call_id=call.tool_call_id, tool_name=call.tool_name)
    timeout = tool.timeout if tool.timeout is not None else default_timeout
    try:
        output, metadata = await _run_within(tool, args, context, timeout)
    except BaseException:  # the run is cancelled: let a sync tool in its thread know
        context.cancelled.set()
        raise
    result = ToolResult(
        tool_call_id=call.tool_call_id,
        tool_name=call.tool_name,
        input=call.input,
        output=output,
        metadata=metadata,
    )
    if hooks is not None:
        result = await hooks.apply_after(call, result, tool, args)
    return result


async def _run_within(
    tool: Tool, args: Any, context: ToolRunContext, timeout: float | None
) -> tuple[ToolOutput, dict[str, Any]]:
    """The tool's output, or an error output once ``timeout`` seconds have passed (the
    event loop's clock: nothing here reads the time itself)."""
    if timeout is None:
        return await tool.run(args, context)
    import anyio

    with anyio.move_on_after(timeout):
        return await tool.run(args, context)
    context.cancelled.set()  # reached only when the timeout cancelled the tool
    return ErrorOutput(message=f"the tool {tool.name!r} timed out after {timeout:g} s"), {}
