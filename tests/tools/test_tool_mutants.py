"""Behaviour of reverie.tools.tool that the mutation run (tools/mutation.py) found unasserted:
each test here fails on at least one mutant that survived the rest of the suite.

Every tool is built inside its test: mutmut forks after import, so a module-level ``@tool``
would run the unmutated code."""

from __future__ import annotations

import threading
from typing import Any

import pydantic
import pytest

import reverie
from reverie import TextOutput, ToolHookContext
from reverie.content import ToolCall
from reverie.errors import ToolInputError
from reverie.testing import ScriptedModel, reply


async def test_a_tool_called_on_the_loop_gets_every_argument_by_name() -> None:
    @reverie.tool(blocking=False)
    def book(city: str, nights: int, breakfast: bool = False) -> str:
        """Book a room"""
        return f"{city}/{nights}/{breakfast}/{threading.get_ident()}"

    arguments = '{"city": "Rome", "nights": 3, "breakfast": true}'
    model = ScriptedModel([reply(tool_calls=[("c1", "book", arguments)]), reply("done")])
    result = await reverie.Agent(model, tools=[book]).run("go")
    assert result.steps[0].tool_results[0].output == TextOutput(
        text=f"Rome/3/True/{threading.get_ident()}"
    )


async def test_the_input_a_hook_sees_is_a_model_named_for_the_function() -> None:
    # What a before_tool hook or an approval prompt shows of context.args: BookRoom(...), or
    # Input(...) for a function whose name has no letters (``def _`` renamed by name=).
    def book_room(city: str, nights: int = 1) -> str:
        """Book a room"""
        return city

    def _(key: str) -> str:
        """Look a key up"""
        return key

    seen: list[str] = []

    def show(call: ToolCall, context: ToolHookContext) -> None:
        seen.append(repr(context.args))

    tools = [reverie.tool(book_room), reverie.tool(name="lookup")(_)]
    calls = [("c1", "book_room", '{"city": "Rome"}'), ("c2", "lookup", '{"key": "k"}')]
    model = ScriptedModel([reply(tool_calls=calls), reply("done")])
    await reverie.Agent(model, tools=tools, before_tool=show).run("go")
    assert seen == ["BookRoom(city='Rome', nights=1)", "Input(key='k')"]


def test_a_plain_signature_builds_its_pydantic_model_at_the_first_call_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The point of writing a plain signature's schema without pydantic: making the tool
    # costs no model; the first input validated builds it, once.
    made: list[str] = []
    create_model = pydantic.create_model

    def counting(name: str, **fields: Any) -> Any:
        made.append(name)
        return create_model(name, **fields)

    monkeypatch.setattr(pydantic, "create_model", counting)

    def weather(location: str, days: int = 1) -> str:
        """Forecast"""
        return location

    made_tool = reverie.tool(weather)
    assert made_tool.input_schema["required"] == ["location"]
    assert made == []
    assert made_tool.validate('{"location": "Rome"}').location == "Rome"
    assert made_tool.validate('{"location": "Oslo", "days": 2}').days == 2
    assert made == ["Weather"]


def test_a_schema_tool_reads_blank_input_as_no_arguments_and_refuses_a_non_object() -> None:
    lookup = reverie.Tool.from_schema("lookup", "", {"type": "object"}, lambda args: args)
    assert lookup.validate("") == {} == lookup.validate(" \n")
    assert lookup.validate('{"key": "k"}') == {"key": "k"}
    with pytest.raises(ToolInputError) as error:
        lookup.validate("[1]")
    assert str(error.value) == "tool input must be a JSON object"
