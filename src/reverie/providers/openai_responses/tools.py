"""Our tools and tool choice → the Responses ``tools`` and ``tool_choice`` fields.

Function tools are flat (``{"type": "function", "name": …}``, unlike chat completions).
OpenAI's own tools come as ``ProviderTool(id="openai.<type>", name=…, args={…})`` and are sent
as ``{"type": "<type>", **args}``: ``openai.web_search`` → ``{"type": "web_search"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.model import FunctionTool, ProviderTool, ToolChoice
from reverie.providers.openai_strict import tool_parameters
from reverie.warning import CallWarning

PREFIX = "openai."


def prepare_tools(
    tools: Sequence[FunctionTool | ProviderTool], tool_choice: ToolChoice | None
) -> tuple[list[dict[str, Any]], Any, list[CallWarning]]:
    """Returns (wire tools, wire tool choice or None, warnings)."""
    wire: list[dict[str, Any]] = []
    warnings: list[CallWarning] = []
    provider_types: dict[str, str] = {}  # our tool name → the wire type of a provider tool
    for t in tools:
        if isinstance(t, ProviderTool):
            if not t.id.startswith(PREFIX):
                warnings.append(
                    CallWarning(
                        kind="unsupported-tool",
                        setting=t.name,
                        message=f"provider tool {t.id} is not supported by the Responses API",
                    )
                )
                continue
            kind = t.id[len(PREFIX) :]
            provider_types[t.name] = kind
            wire.append({"type": kind, **t.args})
            continue
        wire.append(
            {
                "type": "function",
                "name": t.name,
                "description": t.description,
                "parameters": tool_parameters(t),
                "strict": t.strict,
            }
        )
    if not wire:
        return [], None, warnings
    choice: Any
    if tool_choice is None or tool_choice == "auto":
        choice = "auto"
    elif tool_choice in ("none", "required"):
        choice = tool_choice
    elif tool_choice in provider_types:
        choice = {"type": provider_types[tool_choice]}
    else:
        choice = {"type": "function", "name": tool_choice}
    return wire, choice, warnings


def provider_tool_names(tools: Sequence[FunctionTool | ProviderTool]) -> dict[str, str]:
    """Wire type of each OpenAI provider tool → the name the caller gave it."""
    return {
        t.id[len(PREFIX) :]: t.name
        for t in tools
        if isinstance(t, ProviderTool) and t.id.startswith(PREFIX)
    }
