"""Faults under an Agent run: retried failures are invisible to the run; a failure that ends
the run is a typed error after the tools of earlier steps ran once."""

from __future__ import annotations

from typing import Annotated

import pytest

from reverie import Agent, ProviderError, tool
from reverie.errors import StreamError

from .chunks import OK_STREAM, completion, error, finish, text, tool_args, tool_start
from .conftest import Harness
from .server import reset, respond, stream

CALLS: list[str] = []


@tool
def weather(location: Annotated[str, "the city"]) -> str:
    """Get the weather in a city."""
    CALLS.append(location)
    return f"40 C in {location}"


TOOL_STEP = [tool_start(), tool_args('{"location":'), tool_args('"Paris"}'), finish("tool_calls")]


@pytest.fixture(autouse=True)
def _calls() -> None:
    CALLS.clear()


async def test_a_streamed_run_survives_a_reset_and_a_storm(h: Harness) -> None:
    h.server.script(
        reset,
        stream([*TOOL_STEP, "[DONE]"]),
        respond(503, error("busy")),
        stream(OK_STREAM),
    )
    agent = Agent(h.model(), tools=[weather])
    events = agent.stream("weather in Paris?")
    async for _ in events:
        pass
    assert events.result.text == "Hello" and CALLS == ["Paris"]
    assert h.server.attempts == 4 and h.slept == [0.5, 0.5]
    await h.check_clean()


async def test_a_stream_cut_in_the_second_step_ends_the_run_typed(h: Harness) -> None:
    h.server.script(stream([*TOOL_STEP, "[DONE]"]), stream([text("It is")], then="reset"))
    agent = Agent(h.model(), tools=[weather])
    with pytest.raises(StreamError) as info:
        async for _ in agent.stream("weather in Paris?"):
            pass
    assert "the stream broke off" in str(info.value)
    assert CALLS == ["Paris"] and h.server.attempts == 2  # the tool ran once, step 2 sent once
    await h.check_clean()


async def test_a_run_that_fails_after_its_tools_is_a_provider_error(h: Harness) -> None:
    body = completion(
        "",
        tool_calls=[
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"location":"Rome"}'},
            }
        ],
    )
    h.server.script(respond(200, body), respond(500, error("down")))
    agent = Agent(h.model(), tools=[weather])
    with pytest.raises(ProviderError) as info:
        await agent.run("weather in Rome?")
    assert info.value.status == 500 and CALLS == ["Rome"]
    assert h.server.attempts == 4 and h.slept == [0.5, 1.0]
    await h.check_clean()


async def test_closing_a_streamed_run_early_closes_its_connection(h: Harness) -> None:
    h.server.script(stream([text("a"), text("b")], then="hang"))
    async with Agent(h.model()).stream("hi") as events:
        async for _ in events:
            break
    await h.check_clean()


async def test_breaking_out_of_a_streamed_run_closes_its_connection(h: Harness) -> None:
    h.server.script(stream([text("a"), text("b")], then="hang"))
    async for _ in (events := Agent(h.model()).stream("hi")):
        break
    await h.check_clean()
    assert events is not None  # still referenced: nothing was garbage-collected
