"""Plain signatures' schemas, written without pydantic, are pydantic's key for key; anything
else is left to pydantic; validation is pydantic's either way."""

from __future__ import annotations

import enum
import json
import math
import subprocess
import sys
from typing import Annotated, Any, Literal

import pydantic
import pytest
from hypothesis import given, settings, strategies as st

import reverie
from reverie.errors import ToolInputError
from reverie.tools.plain_schema import plain_schema
from reverie.tools.schema import model_schema
from reverie.tools.tool import _describe_strings

SCALARS = st.sampled_from([str, int, float, bool])
WORDS = st.text("abcxyz_", min_size=1, max_size=5)
LITERALS = st.one_of(
    st.lists(WORDS, min_size=1, max_size=4, unique=True),
    st.lists(st.integers(-5, 5), min_size=1, max_size=4, unique=True),
).map(lambda values: Literal[tuple(values)])
BASES = st.one_of(SCALARS, LITERALS)
TYPES = st.one_of(
    BASES,
    BASES.map(lambda t: list[t]),  # type: ignore[valid-type]
    BASES.map(lambda t: t | None),
    BASES.map(lambda t: list[t] | None),  # type: ignore[valid-type]
)
ANNOTATIONS = st.one_of(TYPES, st.tuples(TYPES, st.text(max_size=12)).map(lambda p: Annotated[p]))
DEFAULTS = st.one_of(
    st.just(...),
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
FIELDS = st.dictionaries(
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.tuples(ANNOTATIONS, DEFAULTS)
)


def pydantics(fields: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    described: dict[str, Any] = {n: (_describe_strings(a), d) for n, (a, d) in fields.items()}
    return model_schema(pydantic.create_model("Input", **described))


@settings(max_examples=300, deadline=None)
@given(FIELDS)
def test_a_plain_signature_gets_pydantics_schema_key_for_key(
    fields: dict[str, tuple[Any, Any]],
) -> None:
    ours = plain_schema(fields)
    assert ours is not None
    assert json.dumps(ours) == json.dumps(pydantics(fields))  # same keys, same order


@pytest.mark.parametrize(
    "annotation",
    [
        dict[str, int],
        list,
        Any,
        str | int,
        None | str,
        Literal["a", 1],
        Literal[True, False],
        Annotated[str, pydantic.Field(description="x")],
        Annotated[str, "one", "two"],
        list[dict[str, int]],
        pydantic.BaseModel,
        str | int | None,
    ],
)
def test_anything_else_is_left_to_pydantic(annotation: Any) -> None:
    assert plain_schema({"x": (annotation, ...)}) is None


class Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize("default", [math.nan, math.inf, [1], {"a": 1}, Colour.RED, b"x"])
def test_a_default_that_is_not_a_plain_scalar_is_left_to_pydantic(default: Any) -> None:
    assert plain_schema({"x": (str, default)}) is None


def test_no_parameters_is_an_empty_object() -> None:
    assert plain_schema({}) == {"properties": {}, "type": "object"} == pydantics({})


def test_a_plain_tools_input_is_validated_by_pydantic_as_before() -> None:
    def plain(count: int, name: Annotated[str, "who"] = "x") -> str:
        """plain"""
        return name * count

    def other(count: int, extra: dict[str, int] | None = None) -> str:
        """through pydantic at once"""
        return str(count)

    for made in (reverie.tool(plain), reverie.tool(other)):
        assert made.validate('{"count": "3"}').count == 3  # pydantic's lax JSON mode
        with pytest.raises(ToolInputError) as error:
            made.validate('{"count": "three"}')
        assert "count" in str(error.value)
    assert reverie.tool(plain).input_schema["properties"]["name"] == {
        "default": "x",
        "description": "who",
        "type": "string",
    }


def test_an_agent_with_a_plain_tool_loads_pydantic_only_when_a_call_is_validated() -> None:
    code = (
        "import os, sys; os.environ['OPENAI_API_KEY'] = 'k'; import reverie\n"
        "def weather(location: str) -> str:\n"
        "    '''w'''\n"
        "    return location\n"
        "agent = reverie.Agent('openai:gpt-4o', tools=[weather])\n"
        "print('pydantic' in sys.modules)\n"
        'print(agent.tools[0].validate(\'{"location": "Rome"}\').location)\n'
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "Rome", "True"]
