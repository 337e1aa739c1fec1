"""Our tools and tool choice → the chat-completions ``tools`` and ``tool_choice`` fields.

A function tool's provider options reach its wire entry through the dialect's
``extra_fields`` hook (a cache marker on the gateways); OpenAI takes none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.model import FunctionTool, ProviderTool, ToolChoice
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_strict import tool_parameters
from reverie.warning import CallWarning


def prepare_tools(
    tools: Sequence[FunctionTool | ProviderTool],
    tool_choice: ToolChoice | None,
    dialect: ChatDialect | None = None,
    namespace: str = "",
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
                    "parameters": tool_parameters(t),
                    "strict": t.strict,
                },
                **(dialect.extra_fields(t.provider_options, namespace) if dialect else {}),
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
