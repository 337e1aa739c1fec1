"""The input schema of a plain signature, written without pydantic.

Importing pydantic and building a model costs a tool ~100 ms at start-up, most of an agent's
construction time. For parameters of the plain kinds most tools have (``str``, ``int``,
``float``, ``bool``, a ``Literal`` of strings or integers, a ``list`` of those, ``X | None``,
``Annotated[X, "description"]``, scalar defaults) the schema is written here, key for key what
pydantic writes (tests/test_plain_schema.py compares them on generated signatures); pydantic
is then loaded at the first call, to validate the input exactly as it always does. Anything
else returns None and goes through pydantic at once.
"""

from __future__ import annotations

import math
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_DEFAULTS = (str, int, float, bool, type(None))


def plain_schema(fields: dict[str, tuple[Any, Any]]) -> dict[str, Any] | None:
    """The object schema for ``fields`` (name → (annotation, default or ``...``)), or None
    when one of them is not plain."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, (annotation, default) in fields.items():
        schema = _annotated(annotation)
        if schema is None:
            return None
        if default is ...:
            required.append(name)
        elif _plain_default(default):
            schema["default"] = default
        else:
            return None
        properties[name] = dict(sorted(schema.items()))
    out: dict[str, Any] = {"properties": properties}
    if required:
        out["required"] = required
    out["type"] = "object"
    return out


def _plain_default(value: Any) -> bool:
    if type(value) not in _DEFAULTS:  # exact types: a subclass (an enum member) may dump otherwise
        return False
    return not (isinstance(value, float) and not math.isfinite(value))


def _annotated(annotation: Any) -> dict[str, Any] | None:
    if get_origin(annotation) is not Annotated:
        return _type(annotation)
    base, *extras = get_args(annotation)
    if len(extras) != 1 or type(extras[0]) is not str:
        return None
    schema = _type(base)
    if schema is None:
        return None
    schema["description"] = extras[0]
    return schema


def _type(annotation: Any) -> dict[str, Any] | None:
    if annotation in _TYPES:
        return {"type": _TYPES[annotation]}
    origin = get_origin(annotation)
    if origin is Literal:
        return _literal(get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation) or (None,)
        inner = _type(item) if item is not None else None
        return None if inner is None else {"items": inner, "type": "array"}
    if origin is Union or origin is types.UnionType:
        args = get_args(annotation)
        if len(args) != 2 or args[1] is not type(None):
            return None
        inner = _type(args[0])
        return None if inner is None else {"anyOf": [inner, {"type": "null"}]}
    return None


def _literal(values: tuple[Any, ...]) -> dict[str, Any] | None:
    kinds = {type(v) for v in values}
    if kinds == {str}:
        kind = "string"
    elif kinds == {int}:
        kind = "integer"
    else:
        return None
    if len(values) == 1:
        return {"const": values[0], "type": kind}
    if len(set(values)) != len(values):
        return None
    return {"enum": list(values), "type": kind}
