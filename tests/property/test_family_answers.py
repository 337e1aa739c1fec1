"""Every family's plain answer: a valid body with any field replaced by any JSON value (lone
surrogates and deep nesting among them) reads, or is a ProviderError naming the provider,
never another exception."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from reverie.errors import ProviderError
from reverie.model import Response
from reverie.providers.anthropic.response import parse_response as anthropic_answer
from reverie.providers.google.ids import make_id_generator
from reverie.providers.google.response import parse_response as gemini_answer
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.response import parse_response as chat_answer
from reverie.providers.openai_responses.response import parse_response as responses_answer

from .budget import fast_and_slow
from .json_values import json_values


def claude(**fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "model": "claude",
        "content": [{"type": "text", "text": "Hi"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 1},
        **fields,
    }


Parse = Callable[[Any], Response]

FAMILIES: dict[str, tuple[dict[str, Any], Parse]] = {
    "openai_chat": (
        {
            "id": "c",
            "model": "gpt",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": "Hi",
                        "tool_calls": [
                            {"id": "t", "function": {"name": "f", "arguments": '{"a": 1}'}}
                        ],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": 3,
                "completion_tokens": 1,
                "prompt_tokens_details": {"cached_tokens": 1},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        },
        lambda body: chat_answer(body, ChatDialect(), [], "openai"),
    ),
    "openai_responses": (
        {
            "id": "r",
            "model": "gpt",
            "status": "completed",
            "output": [
                {"type": "reasoning", "id": "rs", "summary": [{"type": "x", "text": "think"}]},
                {
                    "type": "message",
                    "id": "m",
                    "content": [
                        {
                            "type": "output_text",
                            "text": "Hi",
                            "annotations": [{"type": "url_citation", "url": "https://e.x"}],
                        }
                    ],
                },
                {
                    "type": "function_call",
                    "id": "f",
                    "call_id": "c",
                    "name": "f",
                    "arguments": "{}",
                },
                {"type": "web_search_call", "id": "w", "status": "completed"},
            ],
            "usage": {"input_tokens": 3, "output_tokens": 1, "input_tokens_details": {}},
        },
        lambda body: responses_answer(body, [], "openai"),
    ),
    "anthropic": (
        claude(
            content=[
                {"type": "thinking", "thinking": "hm", "signature": "s"},
                {"type": "text", "text": "Hi", "citations": [{"url": "https://e.x"}]},
                {"type": "tool_use", "id": "t", "name": "f", "input": {"a": 1}},
            ]
        ),
        lambda body: anthropic_answer(body, "anthropic", []),
    ),
    "google": (
        {
            "modelVersion": "gemini",
            "candidates": [
                {
                    "finishReason": "STOP",
                    "content": {
                        "parts": [
                            {"text": "Hi"},
                            {"functionCall": {"name": "f", "args": {"a": 1}}},
                            {"inlineData": {"mimeType": "image/png", "data": "aGk="}},
                        ]
                    },
                    "groundingMetadata": {"groundingChunks": [{"web": {"uri": "https://e.x"}}]},
                }
            ],
            "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1},
        },
        lambda body: gemini_answer(
            body, [], "google", make_id_generator(None, "google"), include_thoughts=True
        ),
    ),
}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document, as the keys and indexes leading to it."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    body = copy.deepcopy(body)
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return body


def test_each_familys_sample_answer_reads() -> None:
    for body, parse in FAMILIES.values():
        assert parse(body).content


deep: Any = "x"
for _ in range(400):  # deeper than pydantic-core reads; the wire gives up to ~1000 (json.loads)
    deep = [deep]
odd_values = json_values | st.sampled_from(["\ud83d", "a\udc00b", deep, {"k": deep}])


def check_any_field_of_any_value(family: str, data: Any) -> None:
    body, parse = FAMILIES[family]
    path = data.draw(st.sampled_from(paths(body)))
    value = data.draw(odd_values)
    try:
        parse(replaced(body, path, value))
    except ProviderError as error:
        assert error.provider  # named, never a bare TypeError/KeyError/AttributeError


test_any_field_of_any_value, test_any_field_of_any_value_slow = fast_and_slow(
    family=st.sampled_from(sorted(FAMILIES)), data=st.data()
)(check_any_field_of_any_value)
