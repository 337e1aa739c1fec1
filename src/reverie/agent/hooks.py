"""Hooks around each tool execution: ``before_tool`` may rewrite a call's input or refuse it,
``after_tool`` may rewrite its output. Both may be sync or async; a sync hook runs on the
event loop, so keep it quick (or make it async)."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from reverie.content import ToolCall, ToolResult
from reverie.errors import ToolError, ToolInputError
from reverie.messages import ErrorOutput, Message
from reverie.tools.tool import Tool, ToolReturn, to_output


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolHookContext:
    """What a hook or an approval policy is told about a tool call besides the call itself."""

    tool: Tool
    args: Any
    """The validated input: the tool's pydantic model instance, or a dict for a schema tool."""
    messages: tuple[Message, ...]
    """The conversation up to the assistant message that made the call, without the system
    prompt (after a pause for approval, the results given before it follow)."""


BeforeTool = Callable[[ToolCall, ToolHookContext], Any]
"""``before_tool(call, context)``: return ``None`` to run the call as it is, a replacement
input (a dict, a JSON string or a pydantic model) to run it on that, or raise
:class:`~reverie.ToolError` to refuse it (the model gets the message as an error result).
May be async."""

AfterTool = Callable[[ToolCall, ToolResult, ToolHookContext], Any]
"""``after_tool(call, result, context)``: return ``None`` to keep the result, or a replacement
output (anything a tool may return: str, ``TextOutput``, ``ToolReturn``, a dict…); raising
:class:`~reverie.ToolError` makes it an error result. May be async."""


@dataclass(frozen=True, slots=True)
class ToolHooks:
    """The agent's hooks for one step's tool calls."""

    before: BeforeTool | None
    after: AfterTool | None
    messages: tuple[Message, ...]

    def context(self, tool: Tool, args: Any) -> ToolHookContext:
        return ToolHookContext(tool=tool, args=args, messages=self.messages)

    async def apply_before(
        self, call: ToolCall, args: Any, tool: Tool
    ) -> tuple[ToolCall, Any] | ToolResult:
        """The call (and validated input) to run, or the error result refusing it."""
        if self.before is None:
            return call, args
        try:
            value = await _maybe_await(self.before(call, self.context(tool, args)))
            if value is None:
                return call, args
            text = _as_input_json(value)
            return replace(call, input=text), tool.validate(text)
        except ToolInputError as exc:
            message = f"before_tool gave input the tool {tool.name!r} refuses: {exc}"
        except ToolError as exc:
            message = str(exc)
        return ToolResult(
            tool_call_id=call.tool_call_id,
            tool_name=call.tool_name,
            input=call.input,
            output=ErrorOutput(message=message),
        )

    async def apply_after(
        self, call: ToolCall, result: ToolResult, tool: Tool, args: Any
    ) -> ToolResult:
        if self.after is None:
            return result
        try:
            value = await _maybe_await(self.after(call, result, self.context(tool, args)))
        except ToolError as exc:
            return replace(result, output=ErrorOutput(message=str(exc)))
        if value is None:
            return result
        output, metadata = to_output(value)
        # Only a ToolReturn says anything about metadata; a bare output keeps the tool's.
        return replace(
            result,
            output=output,
            metadata=metadata if isinstance(value, ToolReturn) else result.metadata,
        )


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _as_input_json(value: Any) -> str:
    if isinstance(value, str):
        return value
    if hasattr(value, "model_dump_json"):
        text: str = value.model_dump_json()
        return text
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(
        "before_tool must return None, a dict, a JSON string or a pydantic model, "
        f"not {type(value).__name__}"
    )
