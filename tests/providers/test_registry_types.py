"""``reverie.provider(name, ...)`` is typed per built-in name: mypy (strict) sees the concrete
provider class, its ``.model()`` the concrete model, and a misspelled or mistyped setting is
an error. The settings TypedDicts behind the overloads stay equal to the constructors."""

from __future__ import annotations

import inspect
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reverie.providers import settings as typed
from reverie.providers.provider import HttpSettings
from reverie.providers.registry import PROVIDERS

SRC = Path(__file__).resolve().parents[2] / "src"

SNIPPET = """\
from typing import assert_type

import reverie
from reverie.providers.anthropic import Anthropic, AnthropicModel
from reverie.providers.bedrock import Bedrock
from reverie.providers.google import GeminiModel, Google
from reverie.providers.local import Local, LocalModel
from reverie.providers.openai_chat import ChatModel
from reverie.providers.openrouter import OpenRouter
from reverie.providers.vertex import Vertex

assert_type(reverie.provider("anthropic", api_key="k"), Anthropic)
assert_type(reverie.provider("anthropic").model("claude-sonnet-4-5"), AnthropicModel)
assert_type(reverie.provider("bedrock", region="eu-west-1"), Bedrock)
assert_type(reverie.provider("bedrock").model("anthropic.claude"), AnthropicModel)
assert_type(reverie.provider("google", tool_call_ids="tool_name"), Google)
assert_type(reverie.provider("google").model("gemini-2.5-flash"), GeminiModel)
assert_type(reverie.provider("openrouter", max_in_flight=10), OpenRouter)
assert_type(reverie.provider("openrouter").model("openai/gpt-4o"), ChatModel)
assert_type(reverie.provider("vertex", project="p", location="global"), Vertex)
assert_type(reverie.provider("local", n_ctx=2048).model("smollm2"), LocalModel)
assert_type(reverie.provider("local"), Local)
reveal_type(reverie.provider("openai").model("gpt-4o"))
reverie.provider("anthropic", api_kye="k")  # error: misspelled
reverie.provider("bedrock", region=1)  # error: not a str
reverie.provider("openai", max_concurrency=4)  # error: the old name
reverie.provider("vertex", api_key="k")  # error: Vertex takes cloud credentials
"""


def test_mypy_sees_concrete_providers_and_models_and_refuses_bad_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = pytest.importorskip("mypy.api")
    monkeypatch.setenv("MYPYPATH", str(SRC))  # this checkout's reverie, installed or not
    snippet = tmp_path / "snippet.py"
    snippet.write_text(SNIPPET)
    limit = sys.getrecursionlimit()
    try:
        out, err, _ = api.run(
            [
                "--strict",
                "--no-error-summary",
                "--show-error-codes",
                "--cache-dir",
                str(tmp_path / "cache"),
                "--python-version",
                "3.11",
                str(snippet),
            ]
        )
    finally:
        # mypy raises the interpreter's recursion limit for good; later tests need the usual
        sys.setrecursionlimit(limit)
    lines = SNIPPET.splitlines()
    errors = {
        int(line.split(":")[1])
        for line in out.splitlines()
        if ": error:" in line and line.startswith(str(snippet))
    }
    expected = {n for n, text in enumerate(lines, 1) if "# error" in text}
    assert errors == expected, textwrap.indent(out + err, "  ")
    revealed = [line for line in out.splitlines() if "Revealed type" in line]
    assert revealed and "ChatModel | reverie.providers.openai_responses" in revealed[0]


def _keywords(cls: Any) -> set[str]:
    """The keyword settings a provider's constructor takes (``**http`` expanded)."""
    names: set[str] = set()
    for parameter in inspect.signature(cls.__init__).parameters.values():
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            names.add(parameter.name)
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            names |= set(HttpSettings.__annotations__)
    return names


SETTINGS = {
    "openai": typed.OpenAISettings,
    "openai-responses": typed.OpenAISettings,
    "azure": typed.AzureSettings,
    "openrouter": typed.KeySettings,
    "vercel": typed.KeySettings,
    "openai-compat": typed.CompatSettings,
    "anthropic": typed.KeySettings,
    "bedrock": typed.BedrockSettings,
    "google": typed.GoogleSettings,
    "vertex": typed.VertexSettings,
    "local": typed.LocalSettings,
}


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_each_names_typed_settings_are_its_constructors(name: str) -> None:
    assert set(SETTINGS[name].__annotations__) == _keywords(PROVIDERS[name].load())
