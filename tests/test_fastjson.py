"""http/fastjson.loads: pydantic-core's speed, the standard library's answers and errors."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, strategies as st

from reverie.http.fastjson import loads

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(blacklist_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_any_json_document_reads_as_the_standard_library_reads_it(value: object) -> None:
    text = json.dumps(value)
    assert loads(text) == json.loads(text)
    assert loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '"\\ud83d\\ude00"',  # a surrogate pair in escapes: pydantic-core refuses it
        "[" * 300 + "]" * 300,  # deeper than pydantic-core's nesting limit
        '{"a": 1, "a": 2}',
        "123456789012345678901234567890",
        "[1e400, -0.0, 1E5]",
    ],
)
def test_what_pydantic_core_refuses_or_reads_differently_is_the_standard_librarys(
    text: str,
) -> None:
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"\\ud800"', "\ufffd"),
        (
            '{"\\ud83dk": ["a\\uDFFFb", {"x": "\\ud83d\\ude00\\ud83d"}]}',
            {"\ufffdk": ["a\ufffdb", {"x": "\U0001f600\ufffd"}]},
        ),
    ],
)
def test_a_lone_surrogate_escape_reads_as_the_replacement_character(
    text: str, value: object
) -> None:
    """The one difference from the standard library: no UTF-8 writer can carry a lone
    surrogate on, so it is read as U+FFFD (keys too); a pair still reads as its character."""
    assert loads(text) == loads(text.encode()) == value


def test_json_nested_deeper_than_python_recurses_is_a_value_error() -> None:
    for text in ("[" * 100_000 + "]" * 100_000, "[" * 100_000):
        with pytest.raises(ValueError, match=r"nested too deeply|Expecting"):
            loads(text)


def test_nan_and_infinity_read_as_the_standard_library_reads_them() -> None:
    values = loads("[NaN, Infinity, -Infinity]")
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf]


@pytest.mark.parametrize("text", ["", "{", '{"a": 1,}', "[1] x", "01", "\ufeff{}"])
def test_bad_input_raises_the_standard_librarys_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as ours:
        loads(text)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(text)
    assert str(ours.value) == str(theirs.value)


def test_bytes_with_a_byte_order_mark_read_as_the_standard_library_reads_them() -> None:
    assert loads(b"\xef\xbb\xbf{}") == json.loads(b"\xef\xbb\xbf{}") == {}


def test_json_nested_too_deeply_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        loads(b"[" * 100_000 + b"]" * 100_000)
