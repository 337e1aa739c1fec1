"""The engine-independent seam, with an engine that runs each unit in process and records it:
which units a run makes, what crosses their boundary, and what is refused."""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from reverie import Agent
from reverie.agent.approval import Decision, PendingCall
from reverie.agent.events import RunFinish, StepFinish, StepStart
from reverie.content import File, Text, ToolCall
from reverie.durable import Durability, rebuildable_model
from reverie.durable.base import parse_unit_name, run_model_unit, run_tool_unit
from reverie.durable.recipe import ModelRecipe
from reverie.durable.wire import (
    WIRE_VERSION,
    dump_call,
    dump_response,
    dump_tool_input,
    load_call,
    load_response,
    load_tool_output,
)
from reverie.errors import ConfigurationError, ProviderError, SerializationError
from reverie.finish_reason import FinishReason
from reverie.messages import user_message
from reverie.model import Call, FunctionTool, ProviderTool, Response, Settings, TextDelta
from reverie.retry import RetryPolicy
from reverie.testing.fake import ScriptedModel
from reverie.tools import tool

from .fake_openai import FakeServer

SIDE_EFFECTS: list[str] = []
UNITS = ["weather.model", "weather.tool.get_weather", "weather.model"]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    SIDE_EFFECTS.append(city)
    return f"sunny in {city}"


class Recording(Durability):
    """Every unit runs here, in process, and is recorded with its JSON payload."""

    engine = "test"

    def __init__(self, active: bool = True, decisions: dict[str, Decision] | None = None):
        self.on = active
        self.units: list[tuple[str, str, str]] = []
        self.decisions = decisions or {}
        self.asked: list[list[str]] = []

    def active(self) -> bool:
        return self.on

    async def model_unit(self, agent: str, payload: str) -> str:
        out = await run_model_unit(payload)
        self.units.append((f"{agent}.model", payload, out))
        return out

    async def tool_unit(self, agent: str, tool: str, payload: str) -> str:
        out = await run_tool_unit(agent, tool, payload)
        self.units.append((f"{agent}.tool.{tool}", payload, out))
        return out

    async def decide(self, agent: str, pending: Sequence[PendingCall]) -> dict[str, Decision]:
        self.asked.append([p.tool_call_id for p in pending])
        return dict(self.decisions)


def make_agent(server: FakeServer, durability: Durability, **kw: Any) -> Agent[Any]:
    model = rebuildable_model("openai-compat:fake", base_url=server.base_url)
    return Agent(model, name="weather", tools=[get_weather], durability=durability, **kw)


async def test_each_request_and_tool_call_is_one_named_unit_of_versioned_json(
    fake_server: FakeServer,
) -> None:
    engine = Recording()
    agent = make_agent(fake_server, engine)
    SIDE_EFFECTS.clear()

    result = await agent.run("What is the weather in Paris?")

    assert result.text == "Forecast: sunny in Paris"
    assert [u[0] for u in engine.units] == UNITS
    for _, payload, out in engine.units:
        assert json.loads(payload)["schema_version"] == WIRE_VERSION
        assert json.loads(out)["schema_version"] == WIRE_VERSION
    first = json.loads(engine.units[0][1])
    settings = {"base_url": fake_server.base_url}
    assert first["model"] == {"model": "openai-compat:fake", "settings": settings}
    assert json.loads(engine.units[1][1])["input"] == '{"city":"Paris"}'
    assert SIDE_EFFECTS == ["Paris"]
    assert [s.model for s in result.steps] == ["openai-compat:fake"] * 2
    assert len(fake_server.requests()) == 2


async def test_a_streamed_durable_run_gives_each_units_response_whole_and_the_same_steps(
    fake_server: FakeServer,
) -> None:
    engine = Recording()
    agent = make_agent(fake_server, engine)
    events = [e async for e in agent.stream("What is the weather in Oslo?")]

    deltas = [e.delta for e in events if isinstance(e, TextDelta)]
    assert deltas == ["Forecast: sunny in Oslo"]  # not token by token: the unit's whole text
    assert [type(e) for e in events if isinstance(e, StepStart | StepFinish)] == [
        StepStart, StepFinish, StepStart, StepFinish,
    ]  # fmt: skip
    finish = events[-1]
    assert isinstance(finish, RunFinish) and finish.result.text == "Forecast: sunny in Oslo"
    assert [u[0] for u in engine.units] == UNITS


async def test_outside_a_workflow_the_durability_does_nothing(fake_server: FakeServer) -> None:
    engine = Recording(active=False)
    agent = make_agent(fake_server, engine)

    result = await agent.run("What is the weather in Lima?")

    assert result.text == "Forecast: sunny in Lima"
    assert engine.units == []


async def test_a_call_needing_approval_waits_for_the_engines_decision(
    fake_server: FakeServer,
) -> None:
    careful = replace(get_weather, needs_approval=True)
    engine = Recording(decisions={"call_Rome": "not today"})
    model = rebuildable_model("openai-compat:fake", base_url=fake_server.base_url)
    agent = Agent(model, name="weather", tools=[careful], durability=engine)
    SIDE_EFFECTS.clear()

    result = await agent.run("What is the weather in Rome?")

    assert engine.asked == [["call_Rome"]]
    assert result.pending == [] and SIDE_EFFECTS == []
    assert result.text == "Forecast: denied: not today"
    assert [u[0] for u in engine.units] == ["weather.model", "weather.model"]


def test_a_model_that_cannot_be_rebuilt_is_refused_when_the_agent_is_made() -> None:
    with pytest.raises(ConfigurationError, match="rebuildable"):
        Agent(ScriptedModel([]), name="scripted", durability=Recording())


def test_a_key_never_travels_with_the_model() -> None:
    with pytest.raises(ConfigurationError, match="api_key= would be written"):
        rebuildable_model("openai-compat:fake", base_url="http://127.0.0.1:1/v1", api_key="sk-x")
    with pytest.raises(ConfigurationError, match="not plain data"):
        rebuildable_model("openai-compat:fake", base_url=object())


def test_a_durable_agent_needs_a_name_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_COMPAT_BASE_URL", "http://127.0.0.1:9/v1")
    with pytest.raises(ConfigurationError, match="stable name="):
        Agent("openai-compat:fake", durability=Recording())
    with pytest.raises(ConfigurationError, match="name must be"):
        Agent("openai-compat:fake", name="two words", durability=Recording())
    first = Agent("openai-compat:fake", name="twin", durability=Recording())
    with pytest.raises(ConfigurationError, match="two durable agents are named 'twin'"):
        Agent("openai-compat:fake", name="twin", durability=Recording())
    del first
    gc.collect()
    Agent("openai-compat:fake", name="twin", durability=Recording())  # the name is free again
    with pytest.raises(TypeError, match="durability must be"):
        Agent("openai-compat:fake", name="x", durability="dbos")  # type: ignore[arg-type]


def test_unit_names_parse_back() -> None:
    assert parse_unit_name("weather.model") == ("weather", None)
    assert parse_unit_name("a.b.tool.get_weather") == ("a.b", "get_weather")
    with pytest.raises(ConfigurationError):
        parse_unit_name("weather.activity")


def test_a_call_crosses_the_boundary_and_comes_back_equal() -> None:
    call = Call(
        prompt=[user_message("hi")],
        tools=[
            FunctionTool(name="f", description="d", input_schema={"type": "object"}),
            ProviderTool(id="openai.web_search", name="web_search", args={"k": 1}),
        ],
        tool_choice="auto",
        settings=Settings(temperature=0.5, stop_sequences=("END",)),
        provider_options={"openai": {"store": False}},
        headers={"x-trace": "1"},
        retry=RetryPolicy(max_retries=1, initial_delay=0.1, max_delay=2.0),
    )
    recipe = ModelRecipe("openai:gpt-4o", {"base_url": "http://127.0.0.1:9/v1"})
    back_recipe, back = load_call(dump_call(recipe, call))
    assert back_recipe == recipe
    assert list(back.prompt) == list(call.prompt)
    assert list(back.tools) == list(call.tools)
    assert (back.settings, back.tool_choice) == (call.settings, "auto")
    assert back.headers == {"x-trace": "1"}
    assert back.provider_options == {"openai": {"store": False}}
    assert back.retry is not None and back.retry.max_retries == 1 and back.retry.max_delay == 2.0


def test_a_response_with_bytes_crosses_the_boundary() -> None:
    response = Response(
        content=[Text(text="hi"), File(data=b"\x89PNG\x00", media_type="image/png"),
                 ToolCall(tool_call_id="c", tool_name="t", input="{}")],
        finish_reason=FinishReason.TOOL_CALLS,
        model_id="m",
    )  # fmt: skip
    assert load_response(dump_response(response)) == response


def test_a_payload_of_a_newer_reverie_is_refused_with_what_to_do() -> None:
    text = dump_response(Response(content=[], finish_reason=FinishReason.STOP))
    newer = text.replace(f'"schema_version": {WIRE_VERSION}', '"schema_version": 99')
    with pytest.raises(SerializationError, match="upgrade the worker"):
        load_response(newer)
    with pytest.raises(SerializationError):
        load_response('{"schema_version": 1, "response": {"content": "nope"}}')


def test_a_retry_policy_with_code_cannot_travel() -> None:
    async def sleep(seconds: float) -> None:
        return None

    call = Call(prompt=[user_message("hi")], retry=RetryPolicy(sleep=sleep))
    with pytest.raises(ConfigurationError, match="custom sleep"):
        dump_call(ModelRecipe("openai:gpt-4o", {}), call)


async def test_a_tool_unit_checks_its_input_again_and_finds_tools_by_name(
    fake_server: FakeServer,
) -> None:
    agent = make_agent(fake_server, Recording())
    bad = await run_tool_unit("weather", "get_weather", dump_tool_input("c1", '{"town": 1}'))
    output, _ = load_tool_output(bad)
    assert output.type == "error"
    with pytest.raises(ConfigurationError, match="no tool named 'nope'"):
        await run_tool_unit("weather", "nope", dump_tool_input("c1", "{}"))
    with pytest.raises(ConfigurationError, match="no durable agent named 'ghost'"):
        await run_tool_unit("ghost", "get_weather", dump_tool_input("c1", "{}"))
    del agent


def test_importing_reverie_and_its_durable_package_imports_no_engine() -> None:
    code = (
        "import sys, reverie, reverie.durable; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dbos', 'temporalio')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_sync_facade_is_refused_inside_a_workflow_and_allowed_outside(
    fake_server: FakeServer,
) -> None:
    inside = make_agent(fake_server, Recording(active=True))
    with pytest.raises(RuntimeError, match=r"agent.run_sync\(\) inside a test workflow"):
        inside.run_sync("What is the weather in Oslo?")
    with pytest.raises(RuntimeError, match=r"agent.stream_sync\(\) inside a test workflow"):
        inside.stream_sync("What is the weather in Oslo?")
    del inside
    gc.collect()
    outside = make_agent(fake_server, Recording(active=False))
    assert outside.run_sync("What is the weather in Oslo?").text == "Forecast: sunny in Oslo"
    assert len(fake_server.requests()) == 2


async def test_inside_a_workflow_a_steps_calls_run_one_after_another_in_call_order(
    fake_server: FakeServer,
) -> None:
    events: list[str] = []

    async def slow(city: str) -> str:
        """The weather, slowly."""
        events.append(f"start {city}")
        await asyncio.sleep(0.05)
        events.append(f"end {city}")
        return f"sunny in {city}"

    model = rebuildable_model("openai-compat:fake", base_url=fake_server.base_url)
    engine = Recording()
    agent = Agent(
        model,
        name="weather",
        tools=[tool(slow, name="get_weather", parallel=True)],
        durability=engine,
    )
    result = await agent.run("What is the weather in Paris+Rome+Oslo?")

    assert events == [f"{e} {c}" for c in ("Paris", "Rome", "Oslo") for e in ("start", "end")]
    assert result.text == "Forecast: sunny in Paris; sunny in Rome; sunny in Oslo"
    tool_units = [json.loads(u[1])["tool_call_id"] for u in engine.units if ".tool." in u[0]]
    assert tool_units == ["call_Paris", "call_Rome", "call_Oslo"]
    del agent
    gc.collect()
    events.clear()
    outside = Agent(
        model,
        name="weather",
        tools=[tool(slow, name="get_weather", parallel=True)],
        durability=Recording(active=False),
    )
    await outside.run("What is the weather in Paris+Rome?")
    assert events[:2] == ["start Paris", "start Rome"]  # outside, parallel as asked


async def test_a_provider_error_is_the_units_recorded_result_and_raised_in_the_workflow(
    fake_server: FakeServer,
) -> None:
    engine = Recording()
    agent = make_agent(fake_server, engine)

    with pytest.raises(ProviderError) as caught:
        await agent.run("What is the weather in Nowhere?")

    assert caught.value.status == 400 and "no such city" in str(caught.value.body)
    [(name, _, recorded)] = engine.units
    assert name == "weather.model"
    assert json.loads(recorded)["error"]["status"] == 400  # data, not a pickled exception
    with pytest.raises(ProviderError) as again:  # a replay raises the same error
        load_response(recorded)
    assert (str(again.value), again.value.status) == (str(caught.value), 400)
    assert len(fake_server.requests()) == 1  # a bad request is not retried


@pytest.mark.parametrize(
    ("module", "engine", "extra"),
    [("dbos", "dbos", "dbos"), ("temporal", "temporalio", "temporal")],
)
def test_an_engine_module_without_its_engine_names_the_extra_to_install(
    module: str, engine: str, extra: str
) -> None:
    code = (
        f"import sys; sys.modules[{engine!r}] = None\n"
        f"try:\n    import reverie.durable.{module}\n"
        "except ImportError as exc:\n    print(exc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"pip install 'reverie[{extra}]'" in out.stdout


@pytest.mark.parametrize("engine", ["dbos", "temporal"])
async def test_with_no_engine_instance_in_the_process_the_agent_simply_runs(
    fake_server: FakeServer, engine: str
) -> None:
    if engine == "dbos":
        pytest.importorskip("dbos")
        from reverie.durable.dbos import DBOSDurability

        durability: Durability = DBOSDurability()
    else:
        pytest.importorskip("temporalio")
        from reverie.durable.temporal import TemporalDurability

        durability = TemporalDurability()
    agent = make_agent(fake_server, durability)

    result = await agent.run("What is the weather in Quito?")

    assert result.text == "Forecast: sunny in Quito"
    assert len(fake_server.requests()) == 2


async def test_a_credential_header_never_reaches_the_engines_database(
    fake_server: FakeServer,
) -> None:
    with pytest.raises(ConfigurationError, match="header 'Authorization' would be written"):
        rebuildable_model(
            "openai-compat:fake", base_url=fake_server.base_url, headers={"Authorization": "x"}
        )
    engine = Recording()
    agent = make_agent(fake_server, engine, headers={"X-Api-Key": "sk-secret"})
    with pytest.raises(ConfigurationError, match="header 'X-Api-Key' would be written"):
        await agent.run("What is the weather in Oslo?")
    assert engine.units == [] and fake_server.requests() == []
    del agent
    harmless = make_agent_again(fake_server, engine, headers={"X-Trace": "1"})
    assert (await harmless.run("What is the weather in Oslo?")).text.startswith("Forecast")


def make_agent_again(server: FakeServer, durability: Durability, **kw: Any) -> Agent[Any]:
    gc.collect()  # the earlier agent of this name is gone
    return make_agent(server, durability, **kw)


async def test_a_model_the_registry_noted_a_recipe_on_is_rebuilt_from_it(
    fake_server: FakeServer,
) -> None:
    from types import SimpleNamespace

    noted = ScriptedModel([])  # the registry's note is all a unit reads
    noted._reverie_recipe = SimpleNamespace(  # type: ignore[attr-defined]
        model="openai-compat:fake", settings=(("base_url", fake_server.base_url),)
    )
    engine = Recording()
    agent = Agent(noted, name="noted", tools=[get_weather], durability=engine)

    result = await agent.run("What is the weather in Bonn?")

    assert result.text == "Forecast: sunny in Bonn"
    assert json.loads(engine.units[0][1])["model"]["model"] == "openai-compat:fake"
    refused = ScriptedModel([])
    refused._reverie_recipe = "its provider was given client="  # type: ignore[attr-defined]
    with pytest.raises(ConfigurationError, match=r"cannot be \(its provider was given client="):
        Agent(refused, name="refused", durability=engine)
