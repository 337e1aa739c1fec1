"""Saved state edited, cut or forged on its way: a conversation or result file, a batch's
JSON lines, an agent recipe, a durable unit's payload. Each is refused with a
SerializationError (or ConfigurationError for a recipe's references) saying what is wrong;
nothing raw escapes, nothing is silently dropped, and no reference runs code it should not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reverie
from reverie import SerializationError
from reverie.batch.jsonl import read_jsonl
from reverie.batch.recipe_json import dumps as dump_recipe, loads as load_recipe
from reverie.durable import wire
from reverie.errors import (
    ConfigurationError,
    ContextOverflowError,
    ProviderError,
    RateLimitError,
    StreamOverloadedError,
)
from reverie.recipe import AgentRecipe, ToolRecipe, resolve
from reverie.serialize import _PART_TYPES

DEEP = "[" * 100_000 + "]" * 100_000


def conversation(*parts: object) -> str:
    message = {"role": "user", "content": list(parts)}
    return json.dumps({"schema_version": 2, "messages": [message]})


MESSAGES = {
    "deep": (DEEP, "nested too deeply"),
    "deep-inside": ('{"schema_version": 2, "messages": ' + DEEP + "}", "nested too deeply"),
    "unknown-part": (conversation({"type": "shell", "cmd": "rm -rf /"}), "unknown part type"),
    "unknown-role": (
        json.dumps({"schema_version": 2, "messages": [{"role": "root", "content": []}]}),
        "role",
    ),
    "content-text": (
        json.dumps({"schema_version": 2, "messages": [{"role": "user", "content": "x"}]}),
        "content",
    ),
    "text-a-number": (conversation({"type": "text", "text": 5}), "text"),
    "huge-version": ('{"schema_version": ' + "9" * 5000 + ', "messages": []}', "invalid JSON"),
    "infinite-version": ('{"schema_version": 1e999, "messages": []}', "whole number"),
    "newer-version": ('{"schema_version": 99, "messages": []}', "newer reverie"),
    "messages-null": ('{"schema_version": 2, "messages": null}', "valid array"),
    "not-utf8": (b'{"schema_version": 2, "messages": [\xff]}', "invalid JSON"),
    "cut": (conversation({"type": "text", "text": "hello"})[:-7], "invalid JSON"),
    "bad-base64": (
        conversation({"type": "file", "data": "@@@", "media_type": "image/png"}),
        "content.0",
    ),
}


@pytest.mark.parametrize("case", MESSAGES, ids=list(MESSAGES))
def test_a_tampered_conversation_is_refused_saying_why(case: str) -> None:
    text, words = MESSAGES[case]
    with pytest.raises(SerializationError) as info:
        reverie.load_messages(text)
    assert words in str(info.value)


def test_the_known_part_types_are_the_messages_parts() -> None:
    import dataclasses

    from reverie.messages import _PARTS

    defaults = {f.default for cls in _PARTS for f in dataclasses.fields(cls) if f.name == "type"}
    assert defaults == _PART_TYPES


def test_a_tampered_result_is_refused_saying_why() -> None:
    with pytest.raises(SerializationError, match="nested too deeply"):
        reverie.load_result(DEEP)
    with pytest.raises(SerializationError, match="unknown part type 'exec'"):
        reverie.load_result(
            json.dumps(
                {
                    "schema_version": 2,
                    "messages": [{"role": "user", "content": [{"type": "exec"}]}],
                    "steps": [],
                    "usage": {},
                    "stop_reason": "done",
                }
            )
        )


# ---- batch JSON lines ---------------------------------------------------------------------------

LINES = {
    "cut": ('{"index": 0, "input": "h', "line 2: not a JSON object"),
    "not-an-object": ("[1, 2]", "line 2: not a JSON object"),
    "index-text": ('{"index": "1", "input": "hi"}', "'index' must be a whole number"),
    "index-negative": ('{"index": -1, "input": "hi"}', "'index' must be a whole number"),
    "index-infinite": ('{"index": 1e999, "input": "hi"}', "'index' must be a whole number"),
    "no-input": ('{"index": 1}', "it has no 'input'"),
    "input-a-number": ('{"index": 1, "input": 7}', "neither a prompt nor a conversation"),
    "result-an-object": ('{"index": 1, "input": "hi", "result": {}}', "'result' must be"),
    "result-forged": ('{"index": 1, "input": "hi", "result": "{}"}', "not a valid result"),
    "error-an-object": ('{"index": 1, "input": "hi", "error": {"x": 1}}', "'error' must be"),
    "deep": (DEEP, "line 2: not a JSON object"),
}


@pytest.mark.parametrize("case", LINES, ids=list(LINES))
def test_a_tampered_batch_line_is_refused_naming_the_line(tmp_path: Path, case: str) -> None:
    line, words = LINES[case]
    path = tmp_path / "out.jsonl"
    path.write_text('{"index": 0, "input": "fine", "error": "ProviderError: x"}\n' + line + "\n")
    with pytest.raises(SerializationError) as info:
        read_jsonl(str(path))
    assert str(info.value).startswith("out.jsonl, line 2: ") and words in str(info.value)


def test_a_batch_line_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"index": 0, "input": "\xff"}\n')
    with pytest.raises(SerializationError, match="line 1"):
        read_jsonl(str(path))


# ---- agent recipes ------------------------------------------------------------------------------


def _recipe(**overrides: object) -> str:
    from reverie.providers.rebuild import ModelRecipe

    recipe = AgentRecipe(model=ModelRecipe("openai:gpt-4o"), tools=(), options=())
    data = json.loads(dump_recipe(recipe))
    data.update(overrides)
    return json.dumps(data)


@pytest.mark.parametrize(
    "ref",
    [
        "os:system",
        "builtins:eval",
        "subprocess:run",
        "shutil:rmtree",
        "importlib:import_module",
        "reverie:__builtins__",
        "reverie.recipe:importlib",  # a module, not a function
        "reverie.recipe:sys",
        "os.path:join; import os",
        "not a reference",
        "",
    ],
)
def test_a_recipe_cannot_name_anything_but_a_function_of_yours(ref: str) -> None:
    text = _recipe(tools=[{"ref": ref, "options": []}])
    recipe = load_recipe(text)
    with pytest.raises(ConfigurationError) as info:
        recipe.tools[0].build()
    assert repr(ref)[:20] in str(info.value) or "reference" in str(info.value)
    hooked = _recipe(options=[["prepare_step", ref]], hooks=["prepare_step"])
    with pytest.raises(ConfigurationError):
        load_recipe(hooked).build()


def test_a_recipe_names_a_tool_function_of_a_module() -> None:
    from . import test_tampered_state as here

    ref = f"{here.__name__}:lookup"
    assert ToolRecipe(ref, ()).build().name == "lookup"
    assert resolve(ref) is lookup


def lookup(q: str) -> str:
    """A tool function at the top level of a module, as a recipe names one."""
    return q


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        '{"version": 1}',
        _recipe(tools="os:system"),
        _recipe(tools=[{"ref": 5, "options": []}]),
        _recipe(options={"a": 1}),
        _recipe(hooks=["prepare_step"]),
        DEEP,
    ],
)
def test_a_forged_recipe_is_a_serialization_error(text: str) -> None:
    with pytest.raises(SerializationError, match="not an agent recipe"):
        load_recipe(text)


# ---- durable payloads ---------------------------------------------------------------------------


def test_a_recorded_error_comes_back_typed() -> None:
    error = RateLimitError("openai: slow down", provider="openai", status=429, retryable=True)
    error.code = "rate_limit_exceeded"
    error.retry_after = 3.0
    again = _raised(wire.dump_error(error))
    assert type(again) is RateLimitError and again.retryable and again.retry_after == 3.0
    assert again.code == "rate_limit_exceeded" and again.status == 429
    streamed = StreamOverloadedError("anthropic: overloaded", provider="anthropic")
    assert type(_raised(wire.dump_error(streamed))) is StreamOverloadedError
    overflow = ContextOverflowError("too long", used_tokens=9, max_tokens=8)
    back = _raised(wire.dump_error(overflow))
    assert isinstance(back, ContextOverflowError) and back.used_tokens == 9


def test_an_edited_recorded_error_keeps_no_field_of_the_wrong_type() -> None:
    forged = {
        "kind": "SystemExit",  # never made from a payload
        "message": ["x"],
        "status": "500",
        "retryable": "yes",
        "retry_after": "99999",
        "body": {"a": 1},
        "code": 7,
    }
    error = _raised(json.dumps({"schema_version": 1, "error": forged}))
    assert type(error) is ProviderError and not error.retryable
    assert (error.status, error.retry_after, error.body, error.code) == (None, None, None, None)
    infinite = _raised(json.dumps({"schema_version": 1, "error": {"retry_after": 1e308 * 10}}))
    assert infinite.retry_after is None


def _raised(text: str) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        wire.load_response(text)
    return info.value


@pytest.mark.parametrize(
    "load", [wire.load_response, wire.load_call, wire.load_tool_input, wire.load_tool_output]
)
@pytest.mark.parametrize(
    "text",
    [DEEP, '{"error": ' + DEEP + "}", "", '{"schema_version": 1}', '{"schema_version": 9e9}'],
)
def test_a_tampered_durable_payload_is_a_serialization_error(load: object, text: str) -> None:
    with pytest.raises(SerializationError):
        load(text)  # type: ignore[operator]
