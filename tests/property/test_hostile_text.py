"""Hostile text anywhere a model or a tool writes: lone surrogates and JSON nested deeper than
Python recurses. Reading it from the wire, checking and repairing tool input, parsing a
structured answer, encoding the next request and saving the conversation each end in a
value or their documented error, never another exception."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
from hypothesis import strategies as st

import reverie
from reverie.agent.execute import check_call, not_json, repair_json
from reverie.content import ToolCall
from reverie.errors import ConfigurationError
from reverie.http.body import dump_json
from reverie.http.fastjson import loads
from reverie.structured.parse import ParseError, parse_json

from .budget import fast_and_slow
from .json_values import any_char, deep_json, hostile_text, json_values


def _surrogate_free(value: Any) -> bool:
    text = json.dumps(value, ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_wire_json(data: str) -> None:
    """What a server sends, as bytes: a value holding no lone surrogate, or ValueError."""
    try:
        value = loads(data.encode("utf-8", "surrogatepass"))
    except ValueError:
        return
    assert _surrogate_free(value)


test_wire_json, test_wire_json_slow = fast_and_slow(
    data=st.one_of(json_values.map(json.dumps), hostile_text)
)(check_wire_json)


def lookup(q: str) -> str:
    """Look something up."""
    return q


TOOLS = {"lookup": reverie.tool(lookup)}


def check_tool_input(text: str) -> None:
    """Any input a model gives a tool: the call checked (valid, repaired or marked invalid
    with a bounded error for the model), never an exception."""
    call = ToolCall(tool_call_id="c", tool_name="lookup", input=text)
    checked, _ = asyncio.run(check_call(call, TOOLS, repair_json))
    if checked.invalid:
        assert checked.error and len(checked.error) < 1000
    not_json(text)
    with contextlib.suppress(ParseError):
        parse_json(text)


test_tool_input, test_tool_input_slow = fast_and_slow(
    text=st.one_of(
        hostile_text,
        json_values.map(lambda v: json.dumps({"q": v})),
        json_values.map(json.dumps),
        deep_json,
    )
)(check_tool_input)


def check_request_body(value: Any) -> None:
    """Any text in a request body encodes as UTF-8 JSON that reads back, lone surrogates as
    U+FFFD; nothing else changes."""
    body = {"messages": [{"role": "user", "content": value}]}
    try:
        raw = dump_json(body)
    except ConfigurationError:  # refused: only for what JSON cannot carry (infinities)
        with pytest.raises(ValueError, match="JSON compliant"):
            json.dumps(body, allow_nan=False)
        return
    back = json.loads(raw.decode("utf-8"))
    if _surrogate_free(value):
        assert back == body
    else:
        assert "\ufffd" in raw.decode()


test_request_body, test_request_body_slow = fast_and_slow(value=json_values)(check_request_body)


def check_conversation_saves(text: str, output: str) -> None:
    """A conversation holding hostile text from the user and a tool saves and loads."""
    messages = [
        reverie.user_message(text),
        reverie.Message(
            role="tool",
            content=(
                reverie.ToolResultPart(
                    tool_call_id="c", tool_name="lookup", output=reverie.TextOutput(text=output)
                ),
            ),
        ),
    ]
    loaded = reverie.load_messages(reverie.dump_messages(messages))
    assert len(loaded) == 2


test_conversation_saves, test_conversation_saves_slow = fast_and_slow(
    text=st.text(any_char), output=hostile_text
)(check_conversation_saves)
