"""Tool schemas from generated signatures: ``tool`` builds an object schema naming every
parameter (JSON, no pydantic titles), and validating any input raises only ToolInputError."""

from __future__ import annotations

import contextlib
import inspect
import json
import keyword
from typing import Annotated, Any, Literal

import pydantic
from hypothesis import strategies as st

from reverie import tool
from reverie.errors import ToolInputError

from .budget import fast_and_slow

ANNOTATIONS: list[Any] = [
    int,
    str,
    float,
    bool,
    list[int],
    dict[str, int],
    list[str],
    tuple[int, str],
    int | None,
    int | str,
    Literal["a", "b"],
    Literal[1, 2],
    Annotated[str, "a description"],
    Annotated[int, pydantic.Field(ge=0, description="n")],
    list[Annotated[str, "each"]],
    dict[str, list[float]],
    Any,
    None,
]

names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n) and not n.startswith("model_")
)
params = st.lists(
    st.tuples(names, st.sampled_from(ANNOTATIONS), st.booleans()),
    max_size=6,
    unique_by=lambda p: p[0],
)


def _function(spec: list[tuple[str, Any, bool]]) -> Any:
    def fn(**kwargs: Any) -> str:
        return "ok"

    parameters = []
    annotations: dict[str, Any] = {"return": str}
    for name, annotation, optional in sorted(spec, key=lambda p: p[2]):  # required first
        default = None if optional else inspect.Parameter.empty
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=default,
                annotation=annotation,
            )
        )
        annotations[name] = annotation
    fn.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    fn.__annotations__ = annotations
    fn.__doc__ = "A generated tool."
    return fn


def _titles(schema: Any, keyword_position: bool = True) -> list[Any]:
    found: list[Any] = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if keyword_position and key == "title" and isinstance(value, str):
                found.append(value)
            elif key in ("properties", "$defs"):
                for sub in value.values():
                    found += _titles(sub)
            else:
                found += _titles(value)
    elif isinstance(schema, list):
        for item in schema:
            found += _titles(item)
    return found


def check_signatures(spec: list[tuple[str, Any, bool]], inputs: list[str]) -> None:
    made = tool(_function(spec))
    schema = made.input_schema
    json.dumps(schema)
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {name for name, _, _ in spec}
    assert set(schema.get("required", [])) == {name for name, _, opt in spec if not opt}
    assert _titles(schema) == []
    assert made.description == "A generated tool."
    for text in inputs:
        with contextlib.suppress(ToolInputError):
            made.validate(text)


json_inputs = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
).map(json.dumps)

test_signatures, test_signatures_slow = fast_and_slow(
    spec=params, inputs=st.lists(json_inputs | st.text(max_size=20), max_size=3)
)(check_signatures)
