"""The README's Python tour runs as written (against a scripted model, not the network)."""

from __future__ import annotations

import asyncio
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import httpx2
import pytest

import reverie
from reverie.providers import registry
from reverie.testing import ReplayTransport, ScriptedModel, reply

README = (Path(__file__).parents[1] / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> list[ScriptedModel]:
    """Every model string resolves to a fresh scripted weather conversation."""
    made: list[ScriptedModel] = []

    def resolve(spec: str, **settings: Any) -> ScriptedModel:
        model = ScriptedModel(
            [
                reply(tool_calls=[("call_1", "weather", '{"location": "Florence"}')]),
                reply("It is 40 C in Florence."),
            ]
        )
        made.append(model)
        return model

    monkeypatch.setattr(registry, "resolve_model", resolve)
    return made


def test_the_tour_runs(scripted: list[ScriptedModel], capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    exec(BLOCKS[0], namespace)
    result = namespace["result"]
    assert isinstance(result, reverie.RunResult)
    assert capsys.readouterr().out.strip() == "It is 40 C in Florence."
    assert [c.tool_name for c in result.steps[0].tool_calls] == ["weather"]
    assert result.steps[0].tool_results[0].output == reverie.TextOutput(text="40 C")
    assert scripted[0].calls[0].settings.max_output_tokens is None


SEED = Path(os.environ["REVERIE_CONFORMANCE"]) / "cassettes" / "seed" / "openrouter-kimi-k2"


@pytest.mark.skipif(not SEED.is_dir(), reason=f"no conformance corpus at {SEED}")
def test_the_tour_sends_what_the_seed_recording_holds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tour is the seed conversation: replayed, every request matches the recorded one
    byte for byte (a setting the recording lacks, such as a maximum of output tokens, would
    not) and the recorded answer comes back."""
    transport = ReplayTransport(SEED / "tool.yaml")

    def recorded(spec: str, **settings: Any) -> Any:
        name, _, model_id = spec.partition(":")
        client = httpx2.AsyncClient(transport=transport)
        return reverie.provider(name, api_key="test", client=client).model(model_id)

    monkeypatch.setattr(registry, "resolve_model", recorded)
    namespace: dict[str, Any] = {}
    exec(BLOCKS[0], namespace)
    assert transport.unused == []
    assert (
        capsys.readouterr().out
        == "The weather in Florence is currently 40°C (104°F). It`s quite hot there!\n"
    )
    assert namespace["result"].usage.cost is not None


def test_the_streaming_example_runs(
    scripted: list[ScriptedModel], capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {}
    exec(BLOCKS[0], namespace)  # defines the agent the streaming example uses
    namespace["agent"].model = registry.resolve_model("fresh:script")
    capsys.readouterr()
    body = textwrap.indent(BLOCKS[1], "    ")
    exec(f"async def main():\n{body}", namespace)
    asyncio.run(namespace["main"]())
    out = capsys.readouterr().out
    assert out.startswith("It is 40 C in Florence.")
    assert "Usage(" in out


def block_with(text: str) -> str:
    [block] = [b for b in BLOCKS if text in b]
    return block


def test_the_approval_example_pauses_then_resumes(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ScriptedModel(
        [reply(tool_calls=[("c1", "delete_file", '{"path": "old.log"}')]), reply("Deleted.")]
    )
    monkeypatch.setattr(registry, "resolve_model", lambda spec, **kw: model)
    namespace: dict[str, Any] = {"reverie": reverie}
    exec(block_with("needs_approval=True"), namespace)
    result = namespace["result"]
    assert namespace["paused"].stop_reason == "approval"
    assert result.text == "Deleted."
    assert result.resumed[0].output == reverie.TextOutput(text="deleted old.log")


def test_the_fallback_example_answers_from_the_second_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    overloaded = reverie.ProviderError("overloaded", status=529, retryable=True)
    models = {
        "anthropic:claude-sonnet-4-5": ScriptedModel(
            [overloaded], provider="anthropic", model_id="claude-sonnet-4-5"
        ),
        "openai:gpt-4o": ScriptedModel(
            [reply("Hamlet hesitates.")], provider="openai", model_id="gpt-4o"
        ),
    }
    monkeypatch.setattr(registry, "resolve_model", lambda spec, **kw: models[spec])
    namespace: dict[str, Any] = {"reverie": reverie}
    exec(block_with("reverie.fallback("), namespace)
    result = namespace["result"]
    assert result.text == "Hamlet hesitates."
    assert result.steps[-1].provider_metadata["fallback"]["model"] == "openai:gpt-4o"
