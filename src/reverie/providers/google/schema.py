"""JSON schema → the OpenAPI-3.0 schema subset Gemini accepts in function declarations.

Gemini wants upper-case types (``OBJECT``, ``STRING``…), ``nullable`` instead of a ``null``
type, string-only enums and no ``$ref``. Local references are inlined, ``["string",
"null"]`` and ``anyOf [X, null]`` become ``nullable``, ``const`` becomes a one-value enum.
Keywords Gemini does not know are dropped; where that loses meaning (a validation rule, a
map's value schema, ``oneOf`` exclusivity) a CallWarning says so. Annotations that change
nothing the model may produce (``$schema``, ``examples``…) are dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reverie.warning import CallWarning

# Kept as they are (after conversion of their sub-schemas).
_KEPT = (
    "description",
    "title",
    "format",
    "nullable",
    "default",
    "example",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minProperties",
    "maxProperties",
    "pattern",
    "propertyOrdering",
)
# Dropped without a word: they annotate, they do not constrain.
_SILENT = frozenset(
    {"$schema", "$id", "$comment", "$defs", "definitions", "examples", "readOnly", "writeOnly",
     "deprecated", "strict"}
)  # fmt: skip
_MAX_REF_DEPTH = 8


def to_gemini_schema(
    schema: Mapping[str, Any], warnings: list[CallWarning], where: str
) -> dict[str, Any]:
    """``schema`` in Gemini's dialect; ``where`` names it in warnings (``tool 'add'``)."""
    converter = _Converter(schema, warnings, where)
    return converter.convert(schema, "", 0)


class _Converter:
    def __init__(self, root: Mapping[str, Any], warnings: list[CallWarning], where: str) -> None:
        self.root = root
        self.warnings = warnings
        self.where = where

    def warn(self, path: str, message: str) -> None:
        at = f" at {path}" if path else ""
        self.warnings.append(CallWarning(kind="other", message=f"{self.where}{at}: {message}"))

    def resolve(self, ref: str, path: str) -> Mapping[str, Any] | None:
        if not ref.startswith("#/"):
            self.warn(path, f"remote $ref {ref!r} cannot be sent to Gemini and was dropped")
            return None
        node: Any = self.root
        for key in ref[2:].split("/"):
            key = key.replace("~1", "/").replace("~0", "~")
            node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            self.warn(path, f"$ref {ref!r} points nowhere and was dropped")
            return None
        return node

    def convert(self, schema: Mapping[str, Any], path: str, depth: int) -> dict[str, Any]:
        if not isinstance(schema, Mapping):  # ``true``/``false`` schemas: anything goes
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if depth >= _MAX_REF_DEPTH:
                self.warn(path, f"recursive $ref {ref!r} was cut to a plain object")
                return {"type": "OBJECT"}
            target = self.resolve(ref, path)
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            merged = {**(target or {}), **siblings}
            return self.convert(merged, path, depth + 1)

        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "type":
                self.type_(value, out, path)
            elif key == "properties" and isinstance(value, Mapping):
                out["properties"] = {
                    name: self.convert(sub, f"{path}.{name}" if path else name, depth)
                    for name, sub in value.items()
                }
            elif key == "required" and isinstance(value, list):
                out["required"] = list(value)
            elif key == "items":
                if isinstance(value, Mapping):
                    out["items"] = self.convert(value, f"{path}[]", depth)
                else:
                    self.warn(path, "tuple 'items' is not supported; the item types were dropped")
            elif key == "enum" and isinstance(value, list):
                self.enum(value, out, path)
            elif key == "const":
                self.enum([value], out, path)
            elif key in ("anyOf", "oneOf") and isinstance(value, list):
                if key == "oneOf":
                    self.warn(path, "'oneOf' was sent as 'anyOf' (Gemini has no oneOf)")
                self.any_of(value, out, path, depth)
            elif key == "allOf" and isinstance(value, list):
                self.all_of(value, out, path, depth)
            elif key == "additionalProperties":
                # ``false`` only forbids extra keys, which Gemini never invents from a
                # declared schema; a value schema, though, is meaning Gemini cannot take.
                if value not in (False, True):
                    self.warn(path, "'additionalProperties' (a map's value schema) was dropped")
            elif key in _KEPT:
                out[key] = value
            elif key not in _SILENT:
                self.warn(path, f"JSON schema keyword {key!r} is not supported and was dropped")
        return out

    def type_(self, value: Any, out: dict[str, Any], path: str) -> None:
        types = value if isinstance(value, list) else [value]
        concrete = [t for t in types if isinstance(t, str) and t != "null"]
        if len(concrete) < len(types):
            out["nullable"] = True
        if len(concrete) == 1:
            out["type"] = concrete[0].upper()
        elif len(concrete) > 1:
            out["anyOf"] = [{"type": t.upper()} for t in concrete]
        elif "nullable" not in out:
            self.warn(path, f"type {value!r} is not understood and was dropped")

    def enum(self, values: list[Any], out: dict[str, Any], path: str) -> None:
        # Gemini enums are strings only; other values are sent as their JSON text.
        strings = [v if isinstance(v, str) else _json_text(v) for v in values if v is not None]
        if len(strings) < len(values):
            out["nullable"] = True
        if any(not isinstance(v, str) for v in values if v is not None):
            self.warn(path, "non-string enum values were sent as strings")
            out["type"] = "STRING"
        out["enum"] = strings
        out.setdefault("type", "STRING")

    def any_of(self, options: list[Any], out: dict[str, Any], path: str, depth: int) -> None:
        kept = []
        for index, option in enumerate(options):
            if isinstance(option, Mapping) and option.get("type") == "null" and len(option) == 1:
                out["nullable"] = True
                continue
            kept.append(self.convert(option, f"{path}|{index}", depth))
        if len(kept) == 1:  # ``X | None``: X itself, nullable
            for key, value in kept[0].items():
                out.setdefault(key, value)
        elif kept:
            out["anyOf"] = kept

    def all_of(self, parts: list[Any], out: dict[str, Any], path: str, depth: int) -> None:
        merged: dict[str, Any] = {}
        for index, part in enumerate(parts):
            converted = self.convert(part, f"{path}&{index}", depth)
            if "properties" in converted and "properties" in merged:
                merged["properties"] = {**merged["properties"], **converted.pop("properties")}
            if "required" in converted and "required" in merged:
                merged["required"] = [*merged["required"], *converted.pop("required")]
            for key, value in converted.items():
                if key in merged and merged[key] != value:
                    self.warn(path, f"'allOf' parts disagree on {key!r}; the first was kept")
                    continue
                merged[key] = value
        for key, value in merged.items():
            out.setdefault(key, value)


def _json_text(value: Any) -> str:
    import json

    return json.dumps(value)
