"""Our tools and tool choice → Anthropic ``tools`` and ``tool_choice``, plus the beta flags
that some provider-defined tools need (computer use, code execution…)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reverie.model import FunctionTool, ProviderTool, ToolChoice
from reverie.providers.anthropic.options import cache_control
from reverie.warning import CallWarning

# Provider-defined tool type → the beta flag it needs (none: generally available).
_BETAS = {
    "computer_20241022": "computer-use-2024-10-22",
    "text_editor_20241022": "computer-use-2024-10-22",
    "bash_20241022": "computer-use-2024-10-22",
    "computer_20250124": "computer-use-2025-01-24",
    "text_editor_20250124": "computer-use-2025-01-24",
    "bash_20250124": "computer-use-2025-01-24",
    "computer_20251124": "computer-use-2025-11-24",
    "code_execution_20250522": "code-execution-2025-05-22",
    "code_execution_20250825": "code-execution-2025-08-25",
    "web_fetch_20250910": "web-fetch-2025-09-10",
}
_PREFIX = "anthropic."


@dataclass(slots=True)
class PreparedTools:
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: dict[str, Any] | None = None
    betas: list[str] = field(default_factory=list)
    warnings: list[CallWarning] = field(default_factory=list)


def prepare_tools(
    tools: Sequence[FunctionTool | ProviderTool],
    tool_choice: ToolChoice | None,
    *,
    disable_parallel: bool | None,
    explicit_parallel_flag: bool,
) -> PreparedTools:
    """``explicit_parallel_flag``: send ``disable_parallel_tool_use: false`` on a chosen tool
    choice even when the caller did not set it."""
    out = PreparedTools()
    for t in tools:
        if isinstance(t, ProviderTool):
            _provider_tool(t, out)
        else:
            out.tools.append(_function_tool(t.name, t.description, t.input_schema, t))
    if not out.tools:
        return out
    out.tool_choice = _choice(tool_choice, disable_parallel, explicit_parallel_flag)
    return out


def _function_tool(
    name: str, description: str, schema: Any, tool: FunctionTool | None
) -> dict[str, Any]:
    wire: dict[str, Any] = {"name": name, "input_schema": dict(schema)}
    if description:
        wire["description"] = description
    marker = cache_control(tool.provider_options) if tool is not None else None
    if marker:
        wire["cache_control"] = marker
    return wire


def _provider_tool(tool: ProviderTool, out: PreparedTools) -> None:
    if not tool.id.startswith(_PREFIX):
        out.warnings.append(
            CallWarning(
                kind="unsupported-tool",
                setting=tool.name,
                message=f"provider tool {tool.id} is not an Anthropic tool and was not sent",
            )
        )
        return
    kind = tool.id[len(_PREFIX) :]
    wire: dict[str, Any] = {"type": kind, "name": tool.name}
    for key, value in tool.args.items():
        # Arguments that went through JSON come back as floats (1920.0): send whole numbers.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        wire[key] = value
    out.tools.append(wire)
    beta = _BETAS.get(kind)
    if beta and beta not in out.betas:
        out.betas.append(beta)


def _choice(
    choice: ToolChoice | None, disable_parallel: bool | None, explicit_flag: bool
) -> dict[str, Any] | None:
    if choice is None:
        # Unset: Anthropic's default (auto), unless parallel calls must be switched off.
        return {"type": "auto", "disable_parallel_tool_use": True} if disable_parallel else None
    if choice == "none":
        return {"type": "none"}
    wire: dict[str, Any]
    if choice == "auto":
        wire = {"type": "auto"}
    elif choice == "required":
        wire = {"type": "any"}
    else:
        wire = {"type": "tool", "name": choice}
    if disable_parallel is not None:
        wire["disable_parallel_tool_use"] = disable_parallel
    elif explicit_flag:
        # recorded quirk: fantasy sends the flag, false, on every chosen tool choice
        # (Anthropic's own API); on Bedrock it leaves it out.
        wire["disable_parallel_tool_use"] = False
    return wire
