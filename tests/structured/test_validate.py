"""Plain JSON schemas: the subset structured output uses, checked with paths in the errors."""

from __future__ import annotations

from typing import Any

import pytest

from reverie.structured import SchemaError, validate_json

BOOK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "author": {"$ref": "#/$defs/Author"},
        "genres": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "year": {"type": "integer", "minimum": 1000, "exclusiveMaximum": 3000},
        "format": {"enum": ["paper", "ebook"]},
        "rating": {"anyOf": [{"type": "number"}, {"type": "null"}]},
    },
    "required": ["title", "author"],
    "additionalProperties": False,
    "$defs": {
        "Author": {
            "type": "object",
            "properties": {"name": {"type": "string", "pattern": "^[A-Z]"}},
            "required": ["name"],
        }
    },
}
GOOD: dict[str, Any] = {
    "title": "The Lord of the Rings",
    "author": {"name": "Tolkien", "born": 1892},
    "genres": ["fantasy"],
    "year": 1954.0,  # a whole float is an integer in JSON
    "format": "paper",
    "rating": None,
}


def test_a_matching_value_passes() -> None:
    validate_json(GOOD, BOOK)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": 3}, "$.title: expected string, got integer"),
        ({"title": ""}, "$.title: shorter than 1"),
        ({"author": {}}, "$.author: missing required property 'name'"),
        ({"author": {"name": "tolkien"}}, "$.author.name: 'tolkien' does not match"),
        ({"genres": []}, "$.genres: fewer than 1 items"),
        ({"genres": ["a", 2]}, "$.genres[1]: expected string"),
        ({"year": True}, "$.year: expected integer, got boolean"),
        ({"year": 1954.5}, "$.year: expected integer, got number"),
        ({"year": 999}, "$.year: 999 is not >= 1000"),
        ({"year": 3000}, "$.year: 3000 is not < 3000"),
        ({"format": "audio"}, "$.format: 'audio' is not one of"),
        ({"rating": "high"}, "$.rating: matches none"),
        ({"extra": 1}, "$: unexpected property 'extra'"),
    ],
)
def test_each_violation_names_its_path(change: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        validate_json({**GOOD, **change}, BOOK)
    assert str(caught.value).startswith(message)


def test_a_missing_top_level_property() -> None:
    with pytest.raises(SchemaError, match=r"\$: missing required property 'author'"):
        validate_json({"title": "x"}, BOOK)


def test_union_types_consts_and_prefix_items() -> None:
    schema = {"type": ["string", "null"]}
    validate_json(None, schema)
    with pytest.raises(SchemaError):
        validate_json(1, schema)
    with pytest.raises(SchemaError, match="expected 'v1'"):
        validate_json("v2", {"const": "v1"})
    pair = {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}
    validate_json(["a", 1, "extra"], pair)
    with pytest.raises(SchemaError, match=r"\$\[1\]"):
        validate_json(["a", "b"], pair)


def test_a_reference_that_points_nowhere() -> None:
    with pytest.raises(SchemaError, match="points nowhere"):
        validate_json({}, {"$ref": "#/$defs/Missing"})
