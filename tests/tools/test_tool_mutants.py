"""Behaviour of reverie.tools.tool that the mutation run (tools/mutation.py) found unasserted:
each test here fails on at least one mutant that survived the rest of the suite.

Every tool is built inside its test: mutmut forks after import, so a module-level ``@tool``
would run the unmutated code."""

from __future__ import annotations

import threading

import reverie
from reverie import TextOutput
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
