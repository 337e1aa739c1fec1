"""generate_object and stream_object over a scripted model: every mode, repair, the error,
partial streaming, raw schemas and the sync twins."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel, Field

import reverie
from reverie import (
    Call,
    FinishReason,
    FunctionTool,
    NoObjectGenerated,
    ObjectFinish,
    ObjectTextDelta,
    PartialObject,
    ProviderError,
    Response,
    StreamPart,
    TextDelta,
    Usage,
)
from reverie.model import ErrorPart, Finish
from reverie.structured.call import TEXT_INSTRUCTION
from reverie.testing.fake import ScriptedModel, reply

from .test_partial import extends


class Author(BaseModel):
    name: str = Field(description="Author's name")
    nationality: str


class Book(BaseModel):
    """A book with title, author, genres, and publication year"""

    title: str
    author: Author
    genres: list[str]
    published_year: int


BOOK = {
    "title": "The Lord of the Rings",
    "author": {"name": "J.R.R. Tolkien", "nationality": "British"},
    "genres": ["fantasy", "adventure"],
    "published_year": 1954,
}
BOOK_TEXT = json.dumps(BOOK)
USAGE = Usage(input_tokens=10, output_tokens=5, total_tokens=15)


def book_of(value: Any) -> Book:
    assert isinstance(value, Book)
    return value


# ---- modes ------------------------------------------------------------------------------


async def test_json_schema_mode_sends_a_response_format_and_validates_the_text() -> None:
    model = ScriptedModel([reply(BOOK_TEXT)])
    book = await reverie.generate_object(model, Book, prompt="Tolkien")
    assert book == Book.model_validate(BOOK)
    [call] = model.calls
    assert call.response_format is not None
    assert call.response_format.name == "Book"
    assert call.response_format.description == Book.__doc__
    schema = call.response_format.schema
    assert schema["required"] == ["title", "author", "genres", "published_year"]
    assert "title" not in schema and "title" not in schema["$defs"]["Author"]
    assert call.tools == () and call.tool_choice is None
    assert [m.role for m in call.prompt] == ["user"]


async def test_tool_mode_forces_one_tool_and_reads_its_input() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "Book", BOOK_TEXT)])])
    result = await reverie.generate_object_result(
        model, Book, prompt="Tolkien", mode="tool", name="Book", description="A book"
    )
    assert book_of(result.object).author.name == "J.R.R. Tolkien"
    assert result.text == BOOK_TEXT
    assert result.finish_reason == FinishReason.STOP  # the forced call is the answer
    [call] = model.calls
    [tool] = call.tools
    assert isinstance(tool, FunctionTool)
    assert (tool.name, tool.description, call.tool_choice) == ("Book", "A book", "Book")
    assert tool.input_schema["properties"]["genres"] == {
        "items": {"type": "string"},
        "type": "array",
    }
    assert call.response_format is None


async def test_text_mode_puts_the_schema_in_a_system_message() -> None:
    fenced = f"Here it is:\n```json\n{BOOK_TEXT}\n```"
    model = ScriptedModel([reply(fenced)])
    book = await reverie.generate_object(
        model, Book, prompt="Tolkien", system="Be exact.", mode="text"
    )
    assert book.published_year == 1954
    [call] = model.calls
    assert [m.role for m in call.prompt] == ["system", "system", "user"]
    instruction = call.prompt[1].content[0].text  # type: ignore[union-attr]
    assert instruction.startswith(TEXT_INSTRUCTION)
    sent = json.loads(instruction[len(TEXT_INSTRUCTION) :])
    assert sent["required"] == ["title", "author", "genres", "published_year"]
    assert call.response_format is None and call.tools == ()


@dataclass
class ToolModeModel(ScriptedModel):
    object_mode: str = "tool"


async def test_the_models_object_mode_is_the_default_and_mode_overrides_it() -> None:
    model = ToolModeModel([reply(tool_calls=[("c", "Book", BOOK_TEXT)]), reply(BOOK_TEXT)])
    await reverie.generate_object(model, Book, prompt="x")
    await reverie.generate_object(model, Book, prompt="x", mode="json_schema")
    first, second = model.calls
    assert first.tool_choice == "Book" and first.response_format is None
    assert second.response_format is not None and second.tools == ()


def test_specs_declare_their_default_mode() -> None:
    from reverie.providers.catalog import BUILT_IN

    modes = {spec.name: spec.object_mode for spec in BUILT_IN}
    assert modes == {
        "openai": "json_schema",
        "openai-responses": "json_schema",
        "azure": "json_schema",
        "openrouter": "tool",
        "vercel": "tool",
        "openai-compat": "tool",
        "anthropic": "tool",
        "bedrock": "tool",
        "google": "json_schema",
        "vertex": "json_schema",
        "local": "json_schema",
    }


def test_http_models_read_their_spec_and_claude_is_tool_mode_everywhere() -> None:
    def mode(name: str, model: str, **kwargs: Any) -> Any:
        return reverie.provider(name, api_key="k", **kwargs).model(model).object_mode

    assert mode("openai", "gpt-4o") == "json_schema"
    assert mode("openai", "gpt-4o", api="responses") == "json_schema"
    assert mode("openai-compat", "m", base_url="http://localhost:1") == "tool"
    assert mode("anthropic", "claude-sonnet-4") == "tool"
    assert mode("google", "gemini-2.5-flash") == "json_schema"
    vertex = reverie.provider("vertex", project="p", location="us-east5", skip_auth=True)
    assert vertex.model("gemini-2.5-flash").object_mode == "json_schema"
    assert vertex.model("claude-sonnet-4@20250514").object_mode == "tool"


async def test_a_prompt_is_required_and_modes_are_checked() -> None:
    model = ScriptedModel([])
    with pytest.raises(ValueError, match="prompt"):
        await reverie.generate_object(model, Book, system="only a system prompt")
    with pytest.raises(ValueError, match="mode"):
        await reverie.generate_object(model, Book, prompt="x", mode="grammar")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        await reverie.generate_object(model, 3, prompt="x")  # type: ignore[call-overload]


async def test_settings_options_headers_and_messages_reach_the_call() -> None:
    model = ScriptedModel([reply(BOOK_TEXT)])
    settings = reverie.Settings(max_output_tokens=4000)
    history = [reverie.user_message("earlier"), reverie.assistant_message("ok")]
    await reverie.generate_object(
        model,
        Book,
        messages=history,
        prompt="now",
        settings=settings,
        provider_options={"openai": {"store": True}},
        headers={"x-trace": "1"},
    )
    [call] = model.calls
    assert call.settings is settings
    assert call.provider_options == {"openai": {"store": True}}
    assert call.headers == {"x-trace": "1"}
    assert [m.role for m in call.prompt] == ["user", "assistant", "user"]


# ---- raw schemas ------------------------------------------------------------------------

PERSON = {
    "title": "Person",
    "description": "A person",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}


async def test_a_raw_schema_gives_a_validated_dict() -> None:
    model = ScriptedModel([reply('{"name": "Alice", "age": 30}')])
    person = await reverie.generate_object(model, PERSON, prompt="Alice")
    assert person == {"name": "Alice", "age": 30}
    fmt = model.calls[0].response_format
    assert fmt is not None and (fmt.name, fmt.description) == ("Person", "A person")
    assert fmt.schema == PERSON


async def test_a_raw_schema_violation_is_no_object() -> None:
    model = ScriptedModel([reply('{"name": "Alice", "age": "thirty"}')])
    with pytest.raises(NoObjectGenerated) as caught:
        await reverie.generate_object(model, PERSON, prompt="Alice")
    assert "$.age: expected integer" in str(caught.value)


# ---- parsing, repair and the error ------------------------------------------------------


async def test_json_repair_mends_a_truncated_answer_before_validation() -> None:
    model = ScriptedModel([reply('{"name": "Alice", "age": 30')])
    assert await reverie.generate_object(model, PERSON, prompt="x") == {"name": "Alice", "age": 30}


async def test_no_object_carries_text_cause_usage_and_finish_reason() -> None:
    text = '{"title": "LOTR"}'
    model = ScriptedModel([reply(text, usage=USAGE, finish_reason=FinishReason.LENGTH)])
    with pytest.raises(NoObjectGenerated) as caught:
        await reverie.generate_object(model, Book, prompt="x")
    error = caught.value
    assert error.text == text
    assert error.usage == USAGE and error.finish_reason == "length"
    assert type(error.cause).__name__ == "ValidationError"
    assert error.__cause__ is error.cause
    assert "cut off" in str(error) and "did not validate" in str(error)


async def test_an_empty_answer_is_no_object() -> None:
    model = ScriptedModel([reply("")])
    with pytest.raises(NoObjectGenerated, match="was empty") as caught:
        await reverie.generate_object(model, Book, prompt="x")
    assert caught.value.text == ""


async def test_prose_is_not_json() -> None:
    model = ScriptedModel([reply("I cannot help with that.")])
    with pytest.raises(NoObjectGenerated, match="could not be parsed"):
        await reverie.generate_object(model, Book, prompt="x")


async def test_the_repair_hook_is_called_once_with_the_text_and_error() -> None:
    seen: list[tuple[str, Exception]] = []

    def repair(text: str, error: Exception) -> str:
        seen.append((text, error))
        return text.replace('"1954"', "1954").replace("LOTR", "The Lord of the Rings")

    bad = BOOK_TEXT.replace("1954", '"nineteen"')
    model = ScriptedModel([reply(bad.replace('"nineteen"', '"1954"'))])
    result = await reverie.generate_object_result(model, Book, prompt="x", repair=repair)
    assert book_of(result.object).published_year == 1954
    assert len(seen) == 0  # "1954" as a string is valid for pydantic's lax int

    model = ScriptedModel([reply(bad)])

    def fix(text: str, error: Exception) -> str:
        seen.append((text, error))
        return text.replace('"nineteen"', "1954")

    result = await reverie.generate_object_result(model, Book, prompt="x", repair=fix)
    assert result.text == BOOK_TEXT and book_of(result.object).published_year == 1954
    [(text, error)] = seen
    assert text == bad and "published_year" in str(error)


async def test_an_async_repair_hook_and_one_that_gives_up() -> None:
    async def fix(text: str, error: Exception) -> str:
        return text + "}"

    model = ScriptedModel([reply('{"name": "A", "age": 1'), reply("nonsense")])
    assert await reverie.generate_object(model, PERSON, prompt="x", repair=fix) == {
        "name": "A",
        "age": 1,
    }
    calls: list[str] = []

    def give_up(text: str, error: Exception) -> None:
        calls.append(text)

    with pytest.raises(NoObjectGenerated) as caught:
        await reverie.generate_object(model, PERSON, prompt="x", repair=give_up)
    assert calls == ["nonsense"] and caught.value.text == "nonsense"


async def test_a_repair_that_fails_again_reports_the_repaired_text() -> None:
    model = ScriptedModel([reply('{"name": 1, "age": 1}')])
    with pytest.raises(NoObjectGenerated) as caught:
        await reverie.generate_object(
            model, PERSON, prompt="x", repair=lambda t, e: '{"name": 2, "age": 1}'
        )
    assert caught.value.text == '{"name": 2, "age": 1}'


async def test_provider_errors_pass_through() -> None:
    model = ScriptedModel([ProviderError("boom", provider="scripted")])
    with pytest.raises(ProviderError, match="boom"):
        await reverie.generate_object(model, Book, prompt="x")


# ---- streaming --------------------------------------------------------------------------


def check_partials(partials: list[Any]) -> None:
    """Each partial differs from the one before and only adds to it."""
    for before, after in itertools.pairwise(partials):
        assert before != after and extends(before, after)


async def test_stream_gives_growing_partials_the_text_then_the_object() -> None:
    model = ScriptedModel([reply(BOOK_TEXT, usage=USAGE)], chunk_size=5)
    parts = [p async for p in reverie.stream_object(model, Book, prompt="x")]
    partials = [p.object for p in parts if isinstance(p, PartialObject)]
    text = "".join(p.delta for p in parts if isinstance(p, ObjectTextDelta))
    assert text == BOOK_TEXT
    assert partials[0] == {} and partials[-1] == BOOK
    check_partials(partials)
    # never half a value: every string in a partial is complete
    assert all(p.get("title") in (None, BOOK["title"]) for p in partials)
    assert {"title": BOOK["title"], "author": {"name": "J.R.R. Tolkien"}} in partials
    finish = parts[-1]
    assert isinstance(finish, ObjectFinish)
    assert book_of(finish.result.object).title == "The Lord of the Rings"
    assert finish.result.usage == USAGE and finish.result.finish_reason == FinishReason.STOP
    assert finish.result.text == BOOK_TEXT


async def test_stream_in_tool_mode_follows_the_tool_input() -> None:
    model = ScriptedModel([reply("thinking aloud", tool_calls=[("c1", "Book", BOOK_TEXT)])])
    stream = reverie.stream_object(model, Book, prompt="x", mode="tool")
    partials = [p async for p in stream.partial_objects()]
    assert partials[-1] == BOOK
    check_partials(partials)
    assert stream.result.finish_reason == FinishReason.STOP
    assert stream.result.text == BOOK_TEXT


@dataclass
class PartsModel:
    """Streams the given parts as they are."""

    parts: list[StreamPart]
    provider: str = "parts"
    model_id: str = "parts"
    object_mode: str = "tool"
    calls: list[Call] = field(default_factory=list)

    async def generate(self, call: Call) -> Response:
        raise NotImplementedError

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        self.calls.append(call)
        for part in self.parts:
            yield part


async def test_a_tool_input_given_whole_is_streamed_as_one_delta() -> None:
    from reverie.content import ToolCall

    parts: list[StreamPart] = [
        ToolCall(tool_call_id="c", tool_name="Book", input=BOOK_TEXT),
        Finish(finish_reason=FinishReason.TOOL_CALLS, usage=USAGE),
    ]
    stream = reverie.stream_object(PartsModel(parts), Book, prompt="x")
    got = [p async for p in stream]
    assert [type(p).__name__ for p in got] == ["ObjectTextDelta", "PartialObject", "ObjectFinish"]
    assert stream.result.finish_reason == FinishReason.STOP


async def test_a_stream_error_part_is_raised_and_the_result_is_unset() -> None:
    parts: list[StreamPart] = [TextDelta("t", '{"a":'), ErrorPart(ProviderError("cut"))]
    stream = reverie.stream_object(PartsModel(parts, object_mode="text"), PERSON, prompt="x")
    with pytest.raises(ProviderError, match="cut"):
        await stream.collect()
    with pytest.raises(RuntimeError, match="not finished"):
        _ = stream.result


async def test_a_stream_that_does_not_validate_raises_after_its_partials() -> None:
    model = ScriptedModel([reply('{"title": "LOTR"}')])
    seen: list[Any] = []
    with pytest.raises(NoObjectGenerated) as caught:
        async for part in reverie.stream_object(model, Book, prompt="x"):
            seen.append(part)
    assert any(isinstance(p, PartialObject) and p.object == {"title": "LOTR"} for p in seen)
    assert caught.value.text == '{"title": "LOTR"}'


async def test_leaving_the_stream_early_closes_the_model_stream() -> None:
    model = ScriptedModel([reply(BOOK_TEXT)])
    async with reverie.stream_object(model, Book, prompt="x") as stream:
        async for part in stream:
            if isinstance(part, PartialObject):
                break
    assert model.closed_streams == 1


# ---- sync twins -------------------------------------------------------------------------


def test_generate_object_sync() -> None:
    model = ScriptedModel([reply(BOOK_TEXT), reply(BOOK_TEXT)])
    assert reverie.generate_object_sync(model, Book, prompt="x").title == "The Lord of the Rings"
    result = reverie.generate_object_result_sync(model, Book, prompt="x")
    assert result.usage.total_tokens == 15


def test_stream_object_sync_ends_with_the_finish_part() -> None:
    model = ScriptedModel([reply(BOOK_TEXT)])
    parts = list(reverie.stream_object_sync(model, Book, prompt="x"))
    assert isinstance(parts[-1], ObjectFinish)
    assert parts[-1].result.object == Book.model_validate(BOOK)
    assert any(isinstance(p, PartialObject) for p in parts)


def test_stream_object_sync_left_early_closes_the_stream() -> None:
    model = ScriptedModel([reply(BOOK_TEXT)])
    parts = reverie.stream_object_sync(model, Book, prompt="x")
    for part in parts:
        if isinstance(part, PartialObject):
            break
    parts.close()  # type: ignore[attr-defined]
    assert model.closed_streams == 1


async def test_the_sync_twins_refuse_a_running_loop() -> None:
    model = ScriptedModel([])
    with pytest.raises(RuntimeError, match=r"await reverie.generate_object\(\.\.\.\)"):
        reverie.generate_object_sync(model, Book, prompt="x")
    with pytest.raises(RuntimeError, match=r"stream_object_sync .*`async for part in reverie"):
        next(iter(reverie.stream_object_sync(model, Book, prompt="x")))
    assert asyncio.get_running_loop() is not None


@dataclass
class LoopModel(ScriptedModel):
    loops: list[Any] = field(default_factory=list)

    async def generate(self, call: Call) -> Response:
        self.loops.append(asyncio.get_running_loop())
        return await super().generate(call)


def test_sync_twins_share_the_threads_event_loop_with_run_sync() -> None:
    model = LoopModel([reply(BOOK_TEXT), reply(BOOK_TEXT), reply("done")])
    reverie.generate_object_sync(model, Book, prompt="x")
    reverie.generate_object_result_sync(model, Book, prompt="x")
    reverie.Agent(model).run_sync("x")
    first, second, agent = model.loops
    assert first is second is agent
