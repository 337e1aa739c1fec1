"""Arbitrary JSON values, and chat-completion-like chunks whose fields hold them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

#: Text as hostile as valid JSON allows: any code point, lone surrogates (``"\\ud83d"``,
#: which no UTF-8 writer can carry) among them, and brackets nested deeper than Python
#: recurses (valid, or cut off) where a string of JSON is expected.
LONE_SURROGATES = ["\ud83d", "\udcff", "\ude00", "\udfff"]
any_char = st.characters(exclude_categories=[]) | st.sampled_from(LONE_SURROGATES)
deep_json = st.integers(150, 3000).flatmap(
    lambda n: st.sampled_from(
        ["[" * n + "]" * n, "[" * n, '{"a":' * n + "1" + "}" * n, '{"a":' * n, '{"q": ' + "[" * n]
    )
)
hostile_text = st.one_of(st.text(any_char), deep_json)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(any_char, max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The documented shape, or anything at all in its place."""
    return st.one_of(strategy, json_values)


def objects(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


tool_call_delta = objects(
    index=maybe(st.integers(0, 2)),
    id=maybe(st.text(max_size=6)),
    type=maybe(st.just("function")),
    function=maybe(
        objects(name=maybe(st.text(max_size=6)), arguments=maybe(st.text(max_size=12) | deep_json))
    ),
)
reasoning_detail = objects(
    type=maybe(st.sampled_from(["reasoning.text", "reasoning.summary", "reasoning.encrypted"])),
    text=maybe(st.text(max_size=8)),
    summary=maybe(st.text(max_size=8)),
    data=maybe(st.text(max_size=8)),
    signature=maybe(st.text(max_size=8)),
    format=maybe(st.text(max_size=8)),
    id=maybe(st.text(max_size=4)),
    index=maybe(st.integers(0, 2)),
)
delta = objects(
    role=maybe(st.just("assistant")),
    content=maybe(st.text(any_char, max_size=12)),
    reasoning=maybe(st.text(max_size=8)),
    reasoning_content=maybe(st.text(max_size=8)),
    reasoning_details=maybe(st.lists(maybe(reasoning_detail), max_size=3)),
    tool_calls=maybe(st.lists(maybe(tool_call_delta), max_size=3)),
    annotations=maybe(st.lists(json_values, max_size=2)),
)
choice = objects(
    index=maybe(st.integers(0, 1)),
    delta=maybe(delta),
    finish_reason=maybe(st.sampled_from(["stop", "length", "tool_calls", "content_filter"])),
)
usage = objects(
    prompt_tokens=maybe(st.integers(0, 100)),
    completion_tokens=maybe(st.integers(0, 100)),
    total_tokens=maybe(st.integers(0, 200)),
    cost=maybe(st.floats(0, 1)),
    prompt_tokens_details=maybe(objects(cached_tokens=maybe(st.integers(0, 10)))),
    completion_tokens_details=maybe(objects(reasoning_tokens=maybe(st.integers(0, 10)))),
)
chunk = objects(
    id=maybe(st.text(max_size=4)),
    model=maybe(st.text(max_size=6)),
    provider=maybe(st.text(max_size=6)),
    choices=maybe(st.lists(maybe(choice), max_size=2)),
    usage=maybe(usage),
    error=st.one_of(st.none(), json_values),
)
