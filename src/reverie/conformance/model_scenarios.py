"""Scenarios that call a language model directly, without an agent (SCENARIOS.md §8).

Computer use: the model asks for a screenshot through Anthropic's computer tool; the second
call hands it one (a 1×1 PNG) as a media tool result and expects a description.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial

from reverie import (
    Call,
    ErrorPart,
    Finish,
    FinishReason,
    LanguageModel,
    MediaOutput,
    Message,
    ProviderTool,
    TextDelta,
    ToolCall,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.conformance.groups import Case
from reverie.conformance.scenarios import S1, expect

SCREENSHOT = (  # a 1×1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/"
    "PchI7wAAAABJRU5ErkJggg=="
)

ModelScenario = Callable[[Case, LanguageModel], Awaitable[None]]


def _computer(case: Case) -> ProviderTool:
    params = case.params
    args = {
        "display_width_px": params.get("display_width_px", 1920),
        "display_height_px": params.get("display_height_px", 1080),
    }
    version = params.get("computer_tool_version", "computer_20250124")
    # As fantasy's test does: the arguments go through JSON first, whole numbers as floats.
    floats = json.loads(json.dumps(args), parse_int=float)
    return ProviderTool(id=f"anthropic.{version}", name="computer", args=floats)


async def _call(model: LanguageModel, call: Call, stream: bool) -> tuple[str, list[ToolCall], str]:
    """(text, tool calls, finish reason) of one generate or stream call."""
    if not stream:
        response = await model.generate(call)
        calls = [c for c in response.content if isinstance(c, ToolCall)]
        return response.text, calls, response.finish_reason
    text: list[str] = []
    calls = []
    finish = ""
    async for part in model.stream(call):
        if isinstance(part, ErrorPart):
            raise part.error
        if isinstance(part, TextDelta):
            text.append(part.delta)
        elif isinstance(part, ToolCall):
            calls.append(part)
        elif isinstance(part, Finish):
            finish = part.finish_reason
    return "".join(text), calls, finish


async def computer_use(case: Case, model: LanguageModel, *, stream: bool) -> None:
    tool = _computer(case)
    prompt: list[Message] = [system_message(S1), user_message("Take a screenshot of the desktop")]
    _, calls, finish = await _call(model, Call(prompt=prompt, tools=[tool]), stream)
    expect(finish == FinishReason.TOOL_CALLS, f"finish reason {finish}, not tool-calls")
    expect(len(calls) == 1, f"expected one tool call, got {len(calls)}")
    [call] = calls
    expect(call.tool_name == "computer", f"called {call.tool_name}, not computer")
    expect("screenshot" in call.input, f"no screenshot in {call.input!r}")

    prompt += [
        Message(
            role="assistant",
            content=(
                ToolCallPart(
                    tool_call_id=call.tool_call_id, tool_name=call.tool_name, input=call.input
                ),
            ),
        ),
        Message(
            role="tool",
            content=(
                ToolResultPart(
                    tool_call_id=call.tool_call_id,
                    tool_name=call.tool_name,
                    output=MediaOutput(data=SCREENSHOT, media_type="image/png"),
                ),
            ),
        ),
    ]
    text, _, _ = await _call(model, Call(prompt=prompt, tools=[tool]), stream)
    expect(bool(text), "empty answer")
    expect("desktop" in text, f"'desktop' not in {text!r}")


MODEL_SCENARIOS: dict[str, ModelScenario] = {
    "computer_use": partial(computer_use, stream=False),
    "computer_use_streaming": partial(computer_use, stream=True),
}
