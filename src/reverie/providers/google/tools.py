"""Our tools and tool choice → Gemini ``tools`` and ``toolConfig``.

Function tools become one ``functionDeclarations`` entry; Google's own tools
(``google.google_search``, ``google.url_context``, ``google.code_execution``) become their
own entries. Tool choice maps to ``functionCallingConfig.mode``: auto → ``AUTO``, required →
``ANY``, none → ``NONE``, a tool's name → ``ANY`` limited to it by ``allowedFunctionNames``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.model import FunctionTool, ProviderTool, ToolChoice
from reverie.providers.google.options import camel_keys
from reverie.providers.google.schema import to_gemini_schema
from reverie.warning import CallWarning

_PROVIDER_TOOLS = {
    "google.google_search": "googleSearch",
    "google.url_context": "urlContext",
    "google.code_execution": "codeExecution",
}


def prepare_tools(
    tools: Sequence[FunctionTool | ProviderTool], tool_choice: ToolChoice | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[CallWarning]]:
    """Returns (wire ``tools``, wire ``toolConfig`` or None, warnings)."""
    declarations: list[dict[str, Any]] = []
    wire: list[dict[str, Any]] = []
    warnings: list[CallWarning] = []
    for t in tools:
        if isinstance(t, ProviderTool):
            field = _PROVIDER_TOOLS.get(t.id)
            if field is None:
                warnings.append(
                    CallWarning(
                        kind="unsupported-tool",
                        setting=t.name,
                        message=f"provider tool {t.id} is not supported by Gemini",
                    )
                )
            else:
                wire.append({field: camel_keys(dict(t.args))})
            continue
        declaration: dict[str, Any] = {"name": t.name, "description": t.description}
        parameters = to_gemini_schema(t.input_schema, warnings, f"tool {t.name!r}")
        # Gemini refuses an OBJECT without properties: a tool without input declares none.
        if parameters.get("properties") or parameters.get("type") not in ("OBJECT", None):
            declaration["parameters"] = parameters
        declarations.append(declaration)
    if declarations:
        wire.insert(0, {"functionDeclarations": declarations})
    if not declarations:
        return wire, None, warnings
    return wire, {"functionCallingConfig": _calling_config(tool_choice)}, warnings


def _calling_config(tool_choice: ToolChoice | None) -> dict[str, Any]:
    if tool_choice is None or tool_choice == "auto":
        return {"mode": "AUTO"}
    if tool_choice == "required":
        return {"mode": "ANY"}
    if tool_choice == "none":
        return {"mode": "NONE"}
    return {"mode": "ANY", "allowedFunctionNames": [tool_choice]}
