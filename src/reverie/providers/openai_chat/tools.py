"""Our tools and tool choice → the chat-completions ``tools`` and ``tool_choice`` fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.model import FunctionTool, ProviderTool, ToolChoice
from reverie.warning import CallWarning


def prepare_tools(
    tools: Sequence[FunctionTool | ProviderTool], tool_choice: ToolChoice | None
) -> tuple[list[dict[str, Any]], Any, list[CallWarning]]:
    """Returns (wire tools, wire tool choice or None, warnings)."""
    wire: list[dict[str, Any]] = []
    warnings: list[CallWarning] = []
    for t in tools:
        if isinstance(t, ProviderTool):
            warnings.append(
                CallWarning(
                    kind="unsupported-tool",
                    setting=t.name,
                    message=f"provider tool {t.id} is not supported by chat completions",
                )
            )
            continue
        wire.append(
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": dict(t.input_schema),
                    "strict": t.strict,
                },
            }
        )
    if not wire:
        return [], None, warnings
    choice: Any
    if tool_choice is None or tool_choice == "auto":
        choice = "auto"
    elif tool_choice in ("none", "required"):
        choice = tool_choice
    else:
        choice = {"type": "function", "function": {"name": tool_choice}}
    return wire, choice, warnings
