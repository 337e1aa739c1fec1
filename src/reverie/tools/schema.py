"""JSON schemas for tool inputs, shaped the way providers are sent them.

pydantic adds ``title`` keys that no provider wants; we drop them everywhere a schema
keyword can sit, but never touch property *names* (a property may well be called "title").
"""

from __future__ import annotations

from typing import Any

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "contains")


def clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` without pydantic's ``title`` keywords."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                name: clean_schema(sub) if isinstance(sub, dict) else sub
                for name, sub in value.items()
            }
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [clean_schema(s) if isinstance(s, dict) else s for s in value]
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            out[key] = clean_schema(value)
        else:
            out[key] = value
    return out


def model_schema(model: type[Any]) -> dict[str, Any]:
    """The cleaned JSON schema of a pydantic model class."""
    schema: dict[str, Any] = model.model_json_schema()
    cleaned = clean_schema(schema)
    # Providers expect an object schema even for tools without parameters.
    cleaned.setdefault("type", "object")
    cleaned.setdefault("properties", {})
    return cleaned
