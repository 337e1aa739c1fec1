"""The history pass's fast path (providers/portable.py): a conversation found to need nothing
is sent as it is. For any history and every family's target, what ``prepare`` gives is what
the whole pass gives; and a plain loop on one provider takes the fast path, its messages
not copied."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from reverie.messages import (
    ErrorOutput,
    FilePart,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from reverie.providers import portable
from reverie.providers.anthropic import messages as anthropic
from reverie.providers.google import messages as google
from reverie.providers.openai_chat import messages as chat
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_compat import CompatDialect
from reverie.providers.openai_responses import messages as responses
from reverie.providers.openrouter import RouterDialect
from reverie.providers.vercel import VercelDialect

from .budget import fast_and_slow

TARGETS = {
    "openai": chat.target(ChatDialect(), "openai"),
    "openrouter": chat.target(RouterDialect(), "openrouter"),
    "vercel": chat.target(VercelDialect(), "vercel"),
    "openai-compat": chat.target(CompatDialect(), "openai-compat"),
    "openai-responses": responses.target("openai"),
    "azure-responses": responses.target("azure"),
    "anthropic": anthropic.target("anthropic"),
    "bedrock": anthropic.target("bedrock"),
    "google": google.target("google"),
    "vertex": google.target("vertex"),
}

# Replay metadata of every namespace and host, options that are not replay metadata, none.
OPTIONS: list[dict[str, Any]] = [
    {},
    {"anthropic": {"cache_control": {"type": "ephemeral"}}},
    {"anthropic": {"signature": "sig-anthropic"}},
    {"anthropic": {"signature": "sig-bedrock", "host": "bedrock"}},
    {"google": {"thought_signature": "sig-google"}},
    {"google": {"thought_signature": "sig-vertex", "host": "vertex"}},
    {"openai": {"item_id": "rs_1", "encrypted_content": "enc"}},
    {"openai": {"item_id": "rs_2", "host": "azure"}},
    {"openrouter": {"reasoning_details": [{"type": "reasoning.text", "text": "t"}]}},
    {"vercel": {"reasoning_detail": {"type": "reasoning.text", "text": "t"}}},
    {"somewhere": {"item_id": "x"}},
]
# Ids valid everywhere, refused by some targets (characters, length), and empty.
IDS = ["call_1", "call_2", "toolu_3", "fc.4", "id with spaces", "x" * 70, ""]

# File URLs every target reads, some read, none reads, and data: URLs (readable or not).
FILE_URLS = [
    "https://example.com/a.png",
    "gs://bucket/a.pdf",
    "https://generativelanguage.googleapis.com/v1beta/files/abc",
    "s3://bucket/a.png",
    "data:image/png;base64,iVBORw==",
    "data:image/png;base64,!!",
    "",
]

options = st.sampled_from(OPTIONS)
ids = st.sampled_from(IDS)
# Names every target takes, and names some refuse (a path, a space, too long).
NAMES = ["weather", "weather", "get.weather", "tools/weather", "my tool", "w" * 70, "9lives"]
names = st.sampled_from(NAMES)
targets = st.sampled_from(sorted(TARGETS))
policies = st.sampled_from(["drop", "text"])


def _text(opts: dict[str, Any]) -> TextPart:
    return TextPart(text="hello", provider_options=opts)


def _reasoning(opts: dict[str, Any]) -> ReasoningPart:
    return ReasoningPart(text="thinking", provider_options=opts)


def _call(call_id: str, executed: bool, opts: dict[str, Any], name: str = "") -> ToolCallPart:
    return ToolCallPart(
        tool_call_id=call_id,
        tool_name=name or ("web_search" if executed else "weather"),
        input="{}",
        provider_executed=executed,
        provider_options=opts,
    )


def _result(call_id: str, executed: bool, error: bool, name: str = "weather") -> ToolResultPart:
    output = ErrorOutput(message="failed") if error else TextOutput(text='{"url": "https://a.b"}')
    return ToolResultPart(
        tool_call_id=call_id,
        tool_name=name,
        output=output,
        provider_executed=executed,
    )


parts = st.one_of(
    st.builds(_text, options),
    st.builds(_reasoning, options),
    st.builds(_call, ids, st.booleans(), options, names),
    st.builds(_result, ids, st.booleans(), st.booleans(), names),
    st.just(FilePart(data=b"\x89PNG", media_type="image/png")),
    st.builds(
        lambda url, media: FilePart(url=url, media_type=media),
        st.sampled_from(FILE_URLS),
        st.sampled_from(["image/png", "application/pdf", "audio/mpeg"]),
    ),
)
messages = st.builds(
    lambda role, content: Message(role=role, content=tuple(content)),
    st.sampled_from(["system", "user", "assistant", "tool"]),
    st.lists(parts, max_size=4),
)


# Each target's own reasoning metadata (None: it keeps no reasoning of its own).
OWN: dict[str, dict[str, Any] | None] = {
    "openai": None,
    "openrouter": {"openrouter": {"reasoning_details": [{"type": "reasoning.text"}]}},
    "vercel": {"vercel": {"reasoning_detail": {"type": "reasoning.text"}}},
    "openai-compat": {},
    "openai-responses": {"openai": {"item_id": "rs_1", "encrypted_content": "enc"}},
    "azure-responses": {"openai": {"item_id": "rs_2", "host": "azure"}},
    "anthropic": {"anthropic": {"signature": "sig-anthropic"}},
    "bedrock": {"anthropic": {"signature": "sig-bedrock", "host": "bedrock"}},
    "google": {"google": {"thought_signature": "sig-google"}},
    "vertex": {"google": {"thought_signature": "sig-vertex", "host": "vertex"}},
}


def _step(
    call_ids: list[str], reasoning: dict[str, Any] | None, text: dict[str, Any], results_in: str
) -> list[Message]:
    """One agent step: an assistant turn (reasoning with ``reasoning``'s metadata unless it is
    None, text with ``text``'s, calls), then the results: in a tool turn, leading a user
    turn, or after the text of a user turn."""
    thought = () if reasoning is None else (_reasoning(reasoning),)
    calls = tuple(_call(i, False, {}) for i in call_ids)
    turn = Message(role="assistant", content=(*thought, _text(text), *calls))
    results = tuple(_result(i, False, False) for i in call_ids)
    if results_in == "user":
        return [turn, Message(role="user", content=(*results, _text(text)))]
    if results_in == "user, after text":
        return [turn, Message(role="user", content=(_text(text), *results))]
    return [turn, Message(role="tool", content=results)] if results else [turn]


def _is_call(part: Any, call_id: str) -> bool:
    return isinstance(part, ToolCallPart) and part.tool_call_id == call_id


def _is_result(part: Any, call_id: str) -> bool:
    return isinstance(part, ToolResultPart) and part.tool_call_id == call_id


@st.composite
def loops(draw: st.DrawFn) -> tuple[list[Message], str]:
    """A loop on one provider, mostly: its own reasoning, plain text, fresh valid ids,
    results in order; and, each now and then, a foreign part, a repeated or refused id, a
    result out of place, a call left unanswered."""
    target = draw(targets)
    history = [
        Message(role="system", content=(_text({}),)),
        Message(role="user", content=(_text({}),)),
    ]

    def rarely() -> bool:
        return draw(st.integers(0, 3)) == 0

    used: list[str] = []
    for step in range(draw(st.integers(0, 4))):
        call_ids = [f"call_{step}_{k}" for k in range(draw(st.integers(0, 3)))]
        if call_ids and rarely():
            call_ids[0] = draw(st.sampled_from(IDS + used))  # refused, or used before
        used += call_ids
        reasoning = draw(options) if rarely() else OWN[target]
        text = draw(options) if rarely() else draw(st.sampled_from([{}, OWN[target] or {}]))
        where = draw(st.sampled_from(["user", "user, after text"])) if rarely() else "tool"
        turns = _step(call_ids, reasoning, text, where)
        if call_ids and rarely():  # another name for the first call, its result's maybe not
            name = draw(names)
            first = [
                _call(call_ids[0], False, {}, name) if _is_call(p, call_ids[0]) else p
                for p in turns[0].content
            ]
            turns[0] = Message(role="assistant", content=tuple(first))
            if len(turns) > 1 and draw(st.booleans()):
                answers = [
                    _result(call_ids[0], False, False, name) if _is_result(p, call_ids[0]) else p
                    for p in turns[1].content
                ]
                turns[1] = Message(role=turns[1].role, content=tuple(answers))
        if len(turns) > 1 and rarely():  # a call left unanswered, or a result without its call
            results = list(turns[1].content)
            if draw(st.booleans()):
                results[0] = _result("orphan", False, False)
            else:
                del results[0]
            turns[1] = Message(role=turns[1].role, content=tuple(results))
        history += turns
    if draw(st.booleans()):
        history.append(Message(role="user", content=(_text({}),)))  # the conversation goes on
    return history, target


def check_the_fast_path_changes_nothing_the_whole_pass_would(
    history: list[Message], target: str, policy: str
) -> None:
    to = TARGETS[target]
    fast = portable.prepare(history, to, policy)  # type: ignore[arg-type]
    whole = portable._rewrite(history, to, policy)  # type: ignore[arg-type]
    assert fast == whole
    if portable._unchanged(history, to):
        assert fast[0] == list(history) and all(
            a is b for a, b in zip(fast[0], history, strict=True)
        )


def check_a_loop(loop: tuple[list[Message], str], policy: str) -> None:
    check_the_fast_path_changes_nothing_the_whole_pass_would(loop[0], loop[1], policy)


test_any_history, test_any_history_slow = fast_and_slow(
    history=st.lists(messages, max_size=6), target=targets, policy=policies
)(check_the_fast_path_changes_nothing_the_whole_pass_would)

test_agent_loops, test_agent_loops_slow = fast_and_slow(loop=loops(), policy=policies)(check_a_loop)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_loop_on_one_provider_is_sent_as_it_is(target: str) -> None:
    history = [
        Message(role="system", content=(_text({}),)),
        Message(role="user", content=(_text({}),)),
        *_step(["call_1", "call_2"], OWN[target], {}, "tool"),
        *_step(["call_3"], OWN[target], OWN[target] or {}, "user"),
        Message(role="assistant", content=(_text({}),)),
        Message(role="user", content=(_text({}),)),
    ]
    assert portable._unchanged(history, TARGETS[target])
    sent, warnings = portable.prepare(history, TARGETS[target])
    assert warnings == [] and all(a is b for a, b in zip(sent, history, strict=True))
    assert (sent, warnings) == portable._rewrite(history, TARGETS[target], "drop")


def _plain_loop(target: str) -> list[Message]:
    return [
        Message(role="system", content=(_text({}),)),
        Message(role="user", content=(_text({}),)),
        *_step(["call_1", "call_2"], OWN[target], {}, "tool"),
        *_step(["call_3"], OWN[target], {}, "tool"),
        Message(role="assistant", content=(_text({}),)),
    ]


def _replace(history: list[Message], index: int, *content: Any) -> list[Message]:
    changed = list(history)
    changed[index] = Message(role=history[index].role, content=content)
    return changed


SIGNED_ELSEWHERE = {"anthropic": {"signature": "sig", "host": "bedrock"}}
DEVIATIONS: dict[str, tuple[str, Any]] = {
    # each: (target, how a plain loop is changed), one exit of the fast path each
    "a call id the target refuses": (
        "anthropic",
        lambda h: _replace(
            _replace(
                h,
                2,
                _reasoning(OWN["anthropic"] or {}),
                _call("id with spaces", False, {}),
                _call("call_2", False, {}),
            ),
            3,
            _result("id with spaces", False, False),
            _result("call_2", False, False),
        ),
    ),
    "a call id used twice": (
        "anthropic",
        lambda h: _replace(
            _replace(h, 4, _call("call_1", False, {})), 5, _result("call_1", False, False)
        ),
    ),
    "another vendor's reasoning": (
        "anthropic",
        lambda h: _replace(h, 4, _reasoning(OWN["google"] or {}), _call("call_3", False, {})),
    ),
    "another host's metadata on assistant text": (
        "anthropic",
        lambda h: _replace(h, 6, _text(SIGNED_ELSEWHERE)),
    ),
    "another host's metadata on user text": (
        "anthropic",
        lambda h: _replace(h, 1, _text(SIGNED_ELSEWHERE)),
    ),
    "results after text in a user turn": (
        "anthropic",
        lambda h: _replace(h, 5, _text({}), _result("call_3", False, False)),
    ),
    "a call unanswered when the model speaks again": (
        "openai",
        lambda h: _replace(h, 3, _result("call_1", False, False)),
    ),
    "a call unanswered when the user speaks again": (
        "openai",
        lambda h: [*h[:5], Message(role="user", content=(_text({}),))],
    ),
    "a call unanswered in a user turn of results": (
        "anthropic",
        lambda h: _replace(h, 3, _result("call_1", False, False), _text({})),
    ),
    "a result in a user turn without its call": (
        "anthropic",
        lambda h: _replace(h, 5, _result("orphan", False, False), _result("call_3", False, False)),
    ),
    "a result in a tool turn without its call": (
        "openai",
        lambda h: _replace(h, 5, _result("call_3", False, False), _result("orphan", False, False)),
    ),
    "text in a tool turn": (
        "openai",
        lambda h: _replace(h, 5, _result("call_3", False, False), _text({})),
    ),
    "an empty turn": ("openai", lambda h: _replace(h, 6)),
    "unsigned reasoning beside foreign metadata": (
        "google",
        lambda h: _replace(h, 6, _reasoning(OWN["anthropic"] or {}), _text(OWN["google"] or {})),
    ),
    "a file in an assistant turn of a target taking none": (
        "openai",
        lambda h: _replace(h, 6, _text({}), FilePart(data=b"\x89PNG", media_type="image/png")),
    ),
    "a file by data: URL": (
        "google",
        lambda h: _replace(
            h, 1, _text({}), FilePart(url="data:image/png;base64,iVBORw==", media_type="image/png")
        ),
    ),
    "a file by a URL the target cannot read": (
        "bedrock",
        lambda h: _replace(
            h, 1, _text({}), FilePart(url="https://example.com/a.png", media_type="image/png")
        ),
    ),
    "a file by a URL in an assistant turn of a target taking files": (
        "vertex",
        lambda h: _replace(
            h,
            6,
            FilePart(
                url="https://generativelanguage.googleapis.com/v1beta/files/a",
                media_type="image/png",
            ),
        ),
    ),
    "another vendor's web search": (
        "openai",
        lambda h: _replace(h, 6, _call("ws_1", True, {}), _text({})),
    ),
    "a provider-executed result in a tool turn": (
        "openai",
        lambda h: _replace(h, 5, _result("call_3", True, False)),
    ),
    "a provider-executed result leading a user turn": (
        "anthropic",
        lambda h: [
            *h[:5],
            Message(role="user", content=(_result("call_3", True, False), _text({}))),
            h[6],
        ],
    ),
    "a call name the target refuses": (
        "openai",
        lambda h: _replace(
            _replace(h, 4, _call("call_3", False, {}, "tools/weather")),
            5,
            _result("call_3", False, False, "tools/weather"),
        ),
    ),
    "a result under another name than its call's": (
        "anthropic",
        lambda h: _replace(h, 5, _result("call_3", False, False, "other_tool")),
    ),
    "a result under another name leading a user turn": (
        "anthropic",
        lambda h: [
            *h[:5],
            Message(role="user", content=(_result("call_3", False, False, "other"), _text({}))),
            h[6],
        ],
    ),
    "a tool result in an assistant turn": (
        "openai",
        lambda h: _replace(h, 6, _result("call_3", False, False), _text({})),
    ),
}


@pytest.mark.parametrize("deviation", sorted(DEVIATIONS))
def test_one_thing_to_change_takes_the_whole_pass(deviation: str) -> None:
    target, change = DEVIATIONS[deviation]
    assert portable._unchanged(_plain_loop(target), TARGETS[target])
    history = change(_plain_loop(target))
    sent = portable.prepare(history, TARGETS[target])
    assert not portable._unchanged(history, TARGETS[target])
    assert sent == portable._rewrite(history, TARGETS[target], "drop")
    assert sent[0] != history  # it was changed
