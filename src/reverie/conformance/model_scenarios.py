"""Scenarios that call a language model directly, without an agent.

Object generation (SCENARIOS.md §5): a Person or a Book through ``reverie.generate_object``
or ``reverie.stream_object``, in the provider's default mode.

Computer use (§8): the model asks for a screenshot through Anthropic's computer tool; the
second call hands it one (a 1×1 PNG) as a media tool result and expects a description.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import reverie
from reverie import (
    ErrorPart,
    Finish,
    FinishReason,
    LanguageModel,
    MediaOutput,
    Message,
    ObjectFinish,
    PartialObject,
    ProviderTool,
    Settings,
    TextDelta,
    ToolCall,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.conformance.groups import Case
from reverie.conformance.scenarios import S1, expect
from reverie.providers.kit import Call

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


PERSON: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The person's name"},
        "age": {"type": "integer", "description": "The person's age"},
        "city": {"type": "string", "description": "The city where the person lives"},
    },
    "required": ["name", "age", "city"],
}
BOOK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "The book title"},
        "author": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Author's name"},
                "nationality": {"type": "string", "description": "Author's nationality"},
            },
            "required": ["name", "nationality"],
        },
        "genres": {
            "type": "array",
            "items": {"type": "string"},
            "description": "List of genres",
        },
        "published_year": {"type": "integer", "description": "Year the book was published"},
    },
    "required": ["title", "author", "genres", "published_year"],
}
_OBJECTS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "simple": (
        "Generate information about a person named Alice who is 30 years old and lives in Paris.",
        "Person",
        "A person with name, age, and city",
        PERSON,
    ),
    "complex": (
        "Generate information about 'The Lord of the Rings' book by J.R.R. Tolkien, including "
        "genres like fantasy and adventure, and its publication year (1954).",
        "Book",
        "A book with title, author, genres, and publication year",
        BOOK,
    ),
}


async def object_generation(case: Case, model: LanguageModel, *, kind: str, stream: bool) -> None:
    prompt, name, description, schema = _OBJECTS[kind]
    options: dict[str, Any] = {
        "prompt": prompt,
        "name": name,
        "description": description,
        "settings": Settings(max_output_tokens=4000),
    }
    if not stream:
        result = await reverie.generate_object_result(model, schema, **options)
        expect(result.object is not None, "no object")
        expect(bool(result.text), "empty raw text")
        expect(result.usage.total_tokens > 0, "no usage")
        _check_object(kind, result.object)
        return
    count, last, finish = 0, None, None
    async for part in reverie.stream_object(model, schema, **options):
        if isinstance(part, PartialObject):
            count, last = count + 1, part.object
        elif isinstance(part, ObjectFinish):
            finish = part.result
    expect(count > 0, "no object part")
    expect(last is not None, "no last object")
    expect(finish is not None, "no finish part")
    assert finish is not None
    expect(finish.finish_reason != FinishReason.UNKNOWN, "finish reason unknown")
    expect(finish.usage.total_tokens > 0, "no usage")
    _check_object(kind, last)


def _check_object(kind: str, value: Any) -> None:
    expect(isinstance(value, dict), f"not an object: {value!r}")
    if kind == "simple":
        expect({"name", "age", "city"} <= set(value), f"keys missing in {value!r}")
        expect(_text(value["name"]), f"name {value['name']!r}")
        expect(_number(value["age"]) and value["age"] > 0, f"age {value['age']!r}")
        expect(_text(value["city"]), f"city {value['city']!r}")
        return
    keys = {"title", "author", "genres", "published_year"}
    expect(keys <= set(value), f"keys missing in {value!r}")
    title = value["title"]
    expect(isinstance(title, str) and "rings" in title.lower(), f"title {title!r}")
    author = value["author"]
    expect(isinstance(author, dict) and {"name", "nationality"} <= set(author), f"{author!r}")
    genres = value["genres"]
    expect(isinstance(genres, list) and bool(genres), f"genres {genres!r}")
    expect(all(isinstance(g, str) for g in genres), f"genres {genres!r}")
    year = value["published_year"]
    expect(_number(year) and year > 1900, f"published_year {year!r}")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


MODEL_SCENARIOS: dict[str, ModelScenario] = {
    "simple_object": partial(object_generation, kind="simple", stream=False),
    "simple_object_streaming": partial(object_generation, kind="simple", stream=True),
    "complex_object": partial(object_generation, kind="complex", stream=False),
    "complex_object_streaming": partial(object_generation, kind="complex", stream=True),
    "computer_use": partial(computer_use, stream=False),
    "computer_use_streaming": partial(computer_use, stream=True),
}
