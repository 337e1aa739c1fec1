"""What OpenAI's strict JSON schemas need, shared by both OpenAI families: every object
closed with ``additionalProperties: false`` (structured output refuses open objects), and,
in strict mode, every property required (strict mode knows no optional fields: OpenAI
refuses a schema whose ``required`` leaves one out)."""

from __future__ import annotations

from typing import Any

from reverie.model import FunctionTool

_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_VALUES = ("items", "additionalProperties", "not", "contains")


def close_objects(schema: Any, *, require_all: bool = False) -> Any:
    """A copy of ``schema`` with ``additionalProperties: false`` on every object schema that
    does not say otherwise; property names are never taken for keywords. ``require_all``
    (strict mode) also lists every property in ``required``: those already there keep their
    order, the others follow in the order of ``properties``. A field with a default is then
    one the model always fills."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _MAPS and isinstance(value, dict):
            out[key] = {
                name: close_objects(sub, require_all=require_all) for name, sub in value.items()
            }
        elif key in _LISTS and isinstance(value, list):
            out[key] = [close_objects(sub, require_all=require_all) for sub in value]
        elif key in _VALUES:
            out[key] = close_objects(value, require_all=require_all)
        else:
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        out.setdefault("additionalProperties", False)
        properties = out.get("properties")
        if require_all and isinstance(properties, dict):
            required = out.get("required")
            listed = list(required) if isinstance(required, list) else []
            missing = [name for name in properties if name not in listed]
            if missing or not isinstance(required, list):
                out["required"] = listed + missing
    return out


def tool_parameters(tool: FunctionTool) -> dict[str, Any]:
    """A function tool's input schema as sent: made what strict mode accepts (closed, every
    property required) when the tool asks for strict mode, else as it is."""
    if tool.strict:
        schema: dict[str, Any] = close_objects(dict(tool.input_schema), require_all=True)
        return schema
    return dict(tool.input_schema)
