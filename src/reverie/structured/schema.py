"""What the caller asked for, as the model is sent it and as the answer is checked: a JSON
schema, its name and description, and a validator giving the final object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ObjectSchema(Generic[T]):
    schema: dict[str, Any]
    name: str
    description: str | None
    validate: Callable[[Any], T]
    """The parsed JSON → the object; raises on a value that does not match."""


def object_schema(
    target: type[T] | Mapping[str, Any], name: str | None, description: str | None
) -> ObjectSchema[Any]:
    """A pydantic model (or any type pydantic validates, with an object schema), or a plain
    JSON schema whose objects come back as dicts."""
    if isinstance(target, Mapping):
        return _raw(dict(target), name, description)
    if not isinstance(target, type) and not hasattr(target, "__origin__"):
        raise TypeError(f"expected a pydantic model, a type or a JSON schema, not {target!r}")
    from pydantic import TypeAdapter

    from reverie.tools.schema import clean_schema

    adapter: TypeAdapter[Any] = TypeAdapter(target)
    schema = clean_schema(adapter.json_schema())
    return ObjectSchema(
        schema=schema,
        name=name or getattr(target, "__name__", None) or "response",
        description=description or _description(schema),
        validate=adapter.validate_python,
    )


def _raw(schema: dict[str, Any], name: str | None, description: str | None) -> ObjectSchema[Any]:
    from reverie.structured.validate import validate_json

    def validate(value: Any) -> Any:
        validate_json(value, schema)
        return value

    title = schema.get("title")
    return ObjectSchema(
        schema=schema,
        name=name or (title if isinstance(title, str) and title else "response"),
        description=description or _description(schema),
        validate=validate,
    )


def _description(schema: Mapping[str, Any]) -> str | None:
    value = schema.get("description")
    return value if isinstance(value, str) and value else None
