"""An agent as data: what travels, what is rebuilt, and what is refused before any work."""

from __future__ import annotations

from dataclasses import replace

import pytest

import reverie
from reverie.batch import run_many
from reverie.batch.recipe_json import dumps, loads
from reverie.recipe import agent_recipe

from .batch_tools import decorated_weather, stop_after_one, weather

URL = "http://127.0.0.1:9/v1"


def model() -> reverie.LanguageModel:
    return reverie.resolve_model("openai-compat:fake", base_url=URL)


def test_an_agent_round_trips_through_json_text() -> None:
    agent = reverie.Agent(
        model(),
        system="be brief",
        tools=[weather, decorated_weather],
        temperature=0.2,
        stop_sequences=["END"],
        max_steps=7,
        stop_when=[stop_after_one],
        provider_options={"openai-compat": {"user": "u1"}},
        retry=reverie.RetryPolicy(max_retries=5),
        name="weather-agent",
    )
    text = dumps(agent_recipe(agent))
    assert "api_key" not in text
    again = loads(text).build()
    assert again.model.provider == "openai-compat" and again.model.model_id == "fake"
    assert [t.name for t in again.tools] == ["weather", "decorated_weather"]
    assert again.tools[1].parallel is True
    assert again.tools[0].input_schema == agent.tools[0].input_schema
    assert again.settings == agent.settings
    assert again.system == "be brief" and again.max_steps == 7 and again.name == "weather-agent"
    assert again.stop_when == (stop_after_one,)
    assert again.retry is not None and again.retry.max_retries == 5
    assert again.provider_options == {"openai-compat": {"user": "u1"}}
    assert dumps(agent_recipe(again)) == text


def test_the_api_key_never_travels(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-secret-never-in-a-recipe"
    agent = reverie.Agent(reverie.resolve_model("openai-compat:fake", base_url=URL, api_key=secret))
    assert secret not in dumps(agent_recipe(agent))


def _nested_tool() -> reverie.Tool:
    def inner(x: int) -> int:
        return x

    return reverie.tool(inner)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (
            lambda: reverie.Agent(model(), tools=[reverie.tool(name="echo")(lambda x: x)]),
            "top level",
        ),
        (lambda: reverie.Agent(model(), tools=[_nested_tool()]), "top level"),
        (
            lambda: reverie.Agent(model(), tools=[replace(decorated_weather, name="other")]),
            "changed after",
        ),
        (lambda: reverie.Agent(model(), stop_when=[lambda steps: False]), "stop condition"),
        (lambda: reverie.Agent(model(), before_tool=lambda *a: None), "before_tool"),
        (lambda: reverie.Agent(_scripted()), "'provider:model'"),
        (
            lambda: reverie.Agent(
                reverie.resolve_model("openai-compat:fake", base_url=URL, client=_client())
            ),
            "client=",
        ),
        (
            lambda: reverie.Agent(model(), retry=reverie.RetryPolicy(on_retry=lambda *a: None)),
            "retry",
        ),
    ],
)
async def test_an_agent_that_cannot_travel_is_refused_before_ray_starts(
    make: object, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reverie.batch.ray_engine as engine

    def no_ray() -> None:
        raise AssertionError("Ray was reached")

    monkeypatch.setattr(engine, "import_ray", no_ray)
    agent = make()  # type: ignore[operator]
    with pytest.raises(reverie.ConfigurationError, match=words):
        await run_many(agent, ["x"], engine="ray", progress=False)


def _scripted() -> reverie.LanguageModel:
    from reverie.testing import ScriptedModel

    return ScriptedModel([])


def _client() -> object:
    import httpx2

    return httpx2.AsyncClient()
