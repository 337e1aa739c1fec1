"""Validation of a JSON value against a plain JSON schema, for the subset that structured
output uses (the keywords providers accept for it).

Checked: ``type``, ``enum``, ``const``, ``properties``, ``required``,
``additionalProperties``, ``items``, ``prefixItems``, ``minItems``/``maxItems``,
``minLength``/``maxLength``, ``pattern``, ``minimum``/``maximum`` and their exclusive forms,
``anyOf``/``oneOf``/``allOf``, and local ``$ref`` (``#/$defs/...``). Other keywords
(``format``, ``description``…) are accepted and not checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


class SchemaError(ValueError):
    """A value does not match its schema; the message names the path (``$.author.name``)."""


def validate_json(value: Any, schema: Mapping[str, Any]) -> None:
    """Raise :class:`SchemaError` for the first place where ``value`` breaks ``schema``."""
    _check(value, schema, schema, "$")


def _check(value: Any, schema: Any, root: Mapping[str, Any], path: str) -> None:
    if schema is True or schema is None:
        return
    if schema is False:
        raise SchemaError(f"{path}: no value is allowed here")
    if not isinstance(schema, Mapping):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        _check(value, _resolve(ref, root), root, path)
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_TYPES.get(n, lambda v: True)(value) for n in names):
            raise SchemaError(f"{path}: expected {' or '.join(names)}, got {_kind(value)}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError(f"{path}: {value!r} is not one of {schema['enum']!r}")
    if "const" in schema and value != schema["const"]:
        raise SchemaError(f"{path}: expected {schema['const']!r}, got {value!r}")
    for sub in schema.get("allOf") or ():
        _check(value, sub, root, path)
    if "anyOf" in schema or "oneOf" in schema:
        options = list(schema.get("anyOf") or schema.get("oneOf") or ())
        if options and not any(_matches(value, s, root) for s in options):
            raise SchemaError(f"{path}: matches none of the allowed schemas")
    if isinstance(value, dict):
        _check_object(value, schema, root, path)
    elif isinstance(value, list):
        _check_array(value, schema, root, path)
    elif isinstance(value, str):
        _check_string(value, schema, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        _check_number(value, schema, path)


def _check_object(
    value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> None:
    for name in schema.get("required") or ():
        if name not in value:
            raise SchemaError(f"{path}: missing required property {name!r}")
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        where = f"{path}.{name}"
        if name in properties:
            _check(item, properties[name], root, where)
        elif extra is False:
            raise SchemaError(f"{path}: unexpected property {name!r}")
        elif isinstance(extra, Mapping):
            _check(item, extra, root, where)


def _check_array(
    value: list[Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str
) -> None:
    if len(value) < schema.get("minItems", 0):
        raise SchemaError(f"{path}: fewer than {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise SchemaError(f"{path}: more than {schema['maxItems']} items")
    prefix = list(schema.get("prefixItems") or ())
    items = schema.get("items")
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        if index < len(prefix):
            _check(item, prefix[index], root, where)
        elif items is not None:
            _check(item, items, root, where)


def _check_string(value: str, schema: Mapping[str, Any], path: str) -> None:
    if len(value) < schema.get("minLength", 0):
        raise SchemaError(f"{path}: shorter than {schema['minLength']} characters")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise SchemaError(f"{path}: longer than {schema['maxLength']} characters")
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, value) is None:
        raise SchemaError(f"{path}: {value!r} does not match {pattern!r}")


def _check_number(value: float, schema: Mapping[str, Any], path: str) -> None:
    for keyword, sign in _BOUNDS:
        bound = schema.get(keyword)
        if isinstance(bound, int | float) and not _holds(value, sign, bound):
            raise SchemaError(f"{path}: {value!r} is not {sign} {bound!r}")


_BOUNDS = (
    ("minimum", ">="),
    ("maximum", "<="),
    ("exclusiveMinimum", ">"),
    ("exclusiveMaximum", "<"),
)


def _holds(value: float, sign: str, bound: float) -> bool:
    if sign == ">=":
        return value >= bound
    if sign == "<=":
        return value <= bound
    return value > bound if sign == ">" else value < bound


def _matches(value: Any, schema: Any, root: Mapping[str, Any]) -> bool:
    try:
        _check(value, schema, root, "$")
    except SchemaError:
        return False
    return True


def _resolve(ref: str, root: Mapping[str, Any]) -> Any:
    if not ref.startswith("#"):
        raise SchemaError(f"only local references are supported, not {ref!r}")
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or token not in node:
            raise SchemaError(f"reference {ref!r} points nowhere")
        node = node[token]
    return node


def _kind(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__
