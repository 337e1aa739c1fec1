"""The scenarios of SCENARIOS.md: how each is set up and what it asserts.

Everything goes through the public API (Agent, tools, messages, results), as a user would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from reverie import (
    Agent,
    FilePart,
    Message,
    ProviderTool,
    ReasoningPart,
    RunResult,
    Settings,
    tool,
    user_message,
)
from reverie.agent import StepFinish
from reverie.agent.prepare import PrepareStep
from reverie.conformance.groups import Case
from reverie.content import Source, ToolCall, ToolResult
from reverie.model import LanguageModel, TextDelta
from reverie.tools import Tool

S1 = "You are a helpful assistant"
S2 = (
    "You are a helpful assistant. CRITICAL: Always use both add and multiply at the same time "
    "ALWAYS."
)
S3 = "You are a helpful assistant. Always use both add and multiply at the same time."
S4 = "You are a helpful assistant. Use the add tool to perform calculations."


class CheckFailed(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


def _add(a: Annotated[int, "first number"], b: Annotated[int, "second number"]) -> int:
    """Add two numbers"""
    return a + b


def _multiply(a: Annotated[int, "first number"], b: Annotated[int, "second number"]) -> int:
    """Multiply two numbers"""
    return a * b


def make_tools(names: tuple[str, ...]) -> list[Tool]:
    functions: dict[str, Callable[..., Any]] = {
        "weather": _weather,
        "add": _add,
        "multiply": _multiply,
    }
    return [tool(name=n)(functions[n]) for n in names]


Check = Callable[[RunResult, Case, list[str]], None]


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A second turn on the same agent: the first turn's prompt and step messages as
    history, then ``prompt``; ``check`` holds for the second turn's result."""

    prompt: str
    check: Check


@dataclass(frozen=True, slots=True)
class AgentScenario:
    system: str
    tools: tuple[str, ...]
    prompt: str
    max_tokens: int | None
    check: Check
    stream: bool = False
    image: bool = False
    provider_tools: tuple[ProviderTool, ...] = ()
    follow_up: FollowUp | None = None


# ---- checks -------------------------------------------------------------------------------


def check_simple(result: RunResult, case: Case, deltas: list[str]) -> None:
    text = result.text
    expect(any(w in text for w in ("Oi", "oi", "Olá", "olá")), f"no greeting in {text!r}")


def _first_step_calls(result: RunResult, count: int | None) -> list[ToolCall]:
    calls = result.steps[0].tool_calls
    expect(all(not c.invalid for c in calls), f"invalid tool calls: {calls}")
    if count is not None:
        expect(len(calls) == count, f"expected {count} tool calls in step 1, got {len(calls)}")
    return calls


def check_tool(result: RunResult, case: Case, deltas: list[str]) -> None:
    expect(len(result.steps) >= 2, f"expected at least 2 steps, got {len(result.steps)}")
    calls = _first_step_calls(result, 1)
    expect(calls[0].tool_name == "weather", f"called {calls[0].tool_name}, not weather")
    _contains(result.text, "Florence", "40")


def check_multi_tool(result: RunResult, case: Case, deltas: list[str]) -> None:
    expect(len(result.steps) == 2, f"expected exactly 2 steps, got {len(result.steps)}")
    _first_step_calls(result, 2)
    _contains(result.text, "5", "6")


def check_thinking(result: RunResult, case: Case, deltas: list[str]) -> None:
    _contains(result.text, "Florence", "40")
    reasoning = [
        part
        for step in result.steps
        for message in step.messages
        for part in message.content
        if isinstance(part, ReasoningPart)
    ]
    check = case.thinking_check
    if check == "reasoning_present":
        expect(bool(reasoning), "no reasoning parts")
    elif check == "anthropic_signature":
        signed = [p for p in reasoning if p.text and _anthropic_signature(p)]
        expect(bool(reasoning), "no reasoning parts")
        expect(len(signed) == len(reasoning), f"{len(signed)} of {len(reasoning)} signed")
    elif check == "reasoning_tokens":
        expect(result.response.usage.reasoning_tokens > 0, "no reasoning tokens reported")
    elif check == "openai_encrypted_reasoning":
        encrypted = [
            p
            for p in reasoning
            if (p.provider_options.get("openai") or {}).get("encrypted_content")
        ]
        expect(bool(reasoning), "no reasoning parts")
        expect(len(encrypted) == len(reasoning), "reasoning without encrypted content")


def _anthropic_signature(part: ReasoningPart) -> bool:
    signature = (part.provider_options.get("anthropic") or {}).get("signature")
    return isinstance(signature, str) and bool(signature)


def check_image(result: RunResult, case: Case, deltas: list[str]) -> None:
    expect(bool(result.text), "empty answer")


def check_legacy_simple(result: RunResult, case: Case, deltas: list[str]) -> None:
    expect("Oi" in result.text or "Olá" in result.text, f"no greeting in {result.text!r}")


def check_legacy_tool(result: RunResult, case: Case, deltas: list[str]) -> None:
    _contains(result.text, "Florence", "40")


def check_legacy_stream(result: RunResult, case: Case, deltas: list[str]) -> None:
    text = result.text.lower()
    expect(bool(text), "empty answer")
    _contains(text, "uno", "dos", "tres")
    expect(bool(deltas) and bool("".join(deltas)), "no text deltas streamed")


def check_legacy_stream_tools(result: RunResult, case: Case, deltas: list[str]) -> None:
    _contains(result.text, "42")
    calls = [c for s in result.steps for c in s.tool_calls]
    expect(bool(calls) and all(c.tool_name == "add" for c in calls), f"tool calls: {calls}")
    expect(any(s.tool_results for s in result.steps), "no tool results")


def check_legacy_stream_multi(result: RunResult, case: Case, deltas: list[str]) -> None:
    expect(len(result.steps) == 2, f"expected exactly 2 steps, got {len(result.steps)}")
    _contains(result.text, "5", "6")
    expect(any(s.tool_results for s in result.steps), "no tool results")


def _provider_calls(result: RunResult) -> list[ToolCall]:
    """Provider-executed tool calls over all steps' content; the first must be web_search."""
    calls = [
        c
        for step in result.steps
        for c in step.content
        if isinstance(c, ToolCall) and c.provider_executed
    ]
    expect(bool(calls), "no provider-executed tool call")
    expect(calls[0].tool_name == "web_search", f"first provider call is {calls[0].tool_name}")
    return calls


def _sources(result: RunResult) -> list[Source]:
    return [c for step in result.steps for c in step.content if isinstance(c, Source)]


def _tokyo(result: RunResult) -> None:
    expect(bool(result.text), "empty answer")
    _contains(result.text, "Tokyo")


def check_openai_web_search_generate(result: RunResult, case: Case, deltas: list[str]) -> None:
    _tokyo(result)
    _provider_calls(result)
    sources = _sources(result)
    expect(all(s.url for s in sources), f"a source without URL: {sources}")


def check_web_search_stream(result: RunResult, case: Case, deltas: list[str]) -> None:
    _tokyo(result)
    _provider_calls(result)
    results = [
        c
        for step in result.steps
        for c in step.content
        if isinstance(c, ToolResult) and c.provider_executed
    ]
    expect(bool(results), "no provider-executed tool result")


def check_anthropic_web_search_generate(result: RunResult, case: Case, deltas: list[str]) -> None:
    _tokyo(result)
    _provider_calls(result)
    sources = _sources(result)
    expect(bool(sources), "no source")
    expect(bool(sources[0].url), f"first source has no URL: {sources[0]}")


def check_osaka(result: RunResult, case: Case, deltas: list[str]) -> None:
    expect(bool(result.text), "empty answer")
    _contains(result.text, "Osaka")


def _contains(text: str, *needles: str) -> None:
    for needle in needles:
        expect(needle in text, f"{needle!r} not in {text!r}")


W = "What's the weather in Florence,Italy?"
W_SPACE = "What's the weather in Florence, Italy?"
MULTI = "Add and multiply the number 2 and 3"


def _both(generate: str, stream: str, scenario: AgentScenario) -> dict[str, AgentScenario]:
    """Most scenarios come as a generate/stream pair differing only in the mode."""
    return {generate: scenario, stream: replace(scenario, stream=True)}


HI = "Say hi in Portuguese"
TOKYO = "What is the current population of Tokyo? Cite your source."
OPENAI_WEB_SEARCH = ProviderTool(id="openai.web_search", name="web_search")
ANTHROPIC_WEB_SEARCH = ProviderTool(id="anthropic.web_search_20250305", name="web_search")
DESCRIBE = "Describe the image briefly in English."
THINKING = AgentScenario(S1, ("weather",), W_SPACE, None, check_thinking)

AGENT_SCENARIOS: dict[str, AgentScenario] = {
    **_both("simple", "simple_streaming", AgentScenario(S1, (), HI, 4000, check_simple)),
    **_both("tool", "tool_streaming", AgentScenario(S1, ("weather",), W, 4000, check_tool)),
    # The two multi-tool scenarios differ in their system prompt, not only in the mode.
    "multi_tool": AgentScenario(S2, ("add", "multiply"), MULTI, 4000, check_multi_tool),
    "multi_tool_streaming": AgentScenario(
        S3, ("add", "multiply"), MULTI, 4000, check_multi_tool, stream=True
    ),
    **_both("thinking", "thinking-streaming", THINKING),
    **_both(
        "image_upload",
        "image_upload_streaming",
        AgentScenario(S1, (), DESCRIBE, 4000, check_image, image=True),
    ),
    "legacy_simple": AgentScenario(S1, (), HI, None, check_legacy_simple),
    "legacy_tool": AgentScenario(
        S1, ("weather",), "What's the weather in Florence?", None, check_legacy_tool
    ),
    "legacy_stream": AgentScenario(
        S1, (), "Count from 1 to 3 in Spanish", None, check_legacy_stream, stream=True
    ),
    "legacy_stream_with_tools": AgentScenario(
        S4, ("add",), "What is 15 + 27?", None, check_legacy_stream_tools, stream=True
    ),
    "legacy_stream_with_multiple_tools": AgentScenario(
        S3, ("add", "multiply"), MULTI, None, check_legacy_stream_multi, stream=True
    ),
    "openai_web_search_generate": AgentScenario(
        S1, (), TOKYO, 4000, check_openai_web_search_generate, provider_tools=(OPENAI_WEB_SEARCH,)
    ),
    "openai_web_search_stream": AgentScenario(
        S1,
        (),
        TOKYO,
        4000,
        check_web_search_stream,
        stream=True,
        provider_tools=(OPENAI_WEB_SEARCH,),
    ),
    "anthropic_web_search_generate": AgentScenario(
        S1,
        (),
        TOKYO,
        4000,
        check_anthropic_web_search_generate,
        provider_tools=(ANTHROPIC_WEB_SEARCH,),
    ),
    "anthropic_web_search_stream": AgentScenario(
        S1,
        (),
        TOKYO,
        4000,
        check_web_search_stream,
        stream=True,
        provider_tools=(ANTHROPIC_WEB_SEARCH,),
        follow_up=FollowUp("How does that compare to Osaka?", check_osaka),
    ),
    # Legacy thinking is the thinking scenario with options and checks set by the runner.
    **_both("legacy_thinking", "legacy_thinking_streaming", THINKING),
}

LEGACY_THINKING_OPTIONS: dict[str, Any] = {
    "anthropic": {"thinking": {"budget_tokens": 10000}},
    "google": {"thinking_config": {"thinking_budget": 100, "include_thoughts": True}},
    "openai": {"reasoning_effort": "medium"},
    "openrouter": {"reasoning": {"effort": "high"}},
}


async def run_agent_scenario(
    scenario: AgentScenario,
    case: Case,
    model: LanguageModel,
    cassettes: Path,
    prepare_step: PrepareStep | None = None,
) -> None:
    overrides = case.overrides
    max_tokens = overrides.get("max_output_tokens", scenario.max_tokens)
    if "max_output_tokens" in overrides.get("unset", ()):
        max_tokens = None
    agent = Agent(
        model,
        system=overrides.get("system_prompt", scenario.system),
        tools=[*make_tools(scenario.tools), *scenario.provider_tools],
        prepare_step=prepare_step,
    )
    files: list[FilePart] = []
    if scenario.image:
        data = (cassettes / "wish.png").read_bytes()
        files.append(FilePart(data=data, media_type="image/png", filename="wish.png"))
    prompt = overrides.get("prompt", scenario.prompt)
    settings = Settings(max_output_tokens=max_tokens)
    result, deltas = await _turn(agent, scenario.stream, case, prompt, settings, files=files)
    scenario.check(result, case, deltas)
    follow_up = scenario.follow_up
    if follow_up is not None:
        history = [user_message(prompt, files)]
        history += [m for step in result.steps for m in step.messages]
        result, deltas = await _turn(
            agent, scenario.stream, case, follow_up.prompt, settings, messages=history
        )
        follow_up.check(result, case, deltas)


async def _turn(
    agent: Agent,
    stream: bool,
    case: Case,
    prompt: str,
    settings: Settings,
    *,
    files: list[FilePart] | None = None,
    messages: list[Message] | None = None,
) -> tuple[RunResult, list[str]]:
    """One agent run (streamed or not) → its result and the streamed text deltas."""
    deltas: list[str] = []
    options: dict[str, Any] = {"settings": settings, "provider_options": case.provider_options}
    if files:
        options["files"] = files
    if messages:
        options["messages"] = messages
    if not stream:
        return await agent.run(prompt, **options), deltas
    events = agent.stream(prompt, **options)
    steps_seen = 0
    async for event in events:
        if isinstance(event, TextDelta):
            deltas.append(event.delta)
        elif isinstance(event, StepFinish):
            steps_seen += 1
    result = events.result
    expect(steps_seen == len(result.steps), "step-finish events do not match the steps")
    return result, deltas
