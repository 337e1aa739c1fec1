"""What OpenAI's strict JSON schemas need, shared by both OpenAI families: every object
closed with ``additionalProperties: false`` (structured output refuses open objects)."""

from __future__ import annotations

from typing import Any

_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_VALUES = ("items", "additionalProperties", "not", "contains")


def close_objects(schema: Any) -> Any:
    """A copy of ``schema`` with ``additionalProperties: false`` on every object schema that
    does not say otherwise; property names are never taken for keywords."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _MAPS and isinstance(value, dict):
            out[key] = {name: close_objects(sub) for name, sub in value.items()}
        elif key in _LISTS and isinstance(value, list):
            out[key] = [close_objects(sub) for sub in value]
        elif key in _VALUES:
            out[key] = close_objects(value)
        else:
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        out.setdefault("additionalProperties", False)
    return out
