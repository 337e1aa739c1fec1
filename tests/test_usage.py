"""Usage has one meaning for every family (see ``Usage``); here, how the chat family maps to
it, on the plain and the streamed path."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx2
import pytest

from reverie.errors import ProviderError
from reverie.messages import user_message
from reverie.model import Call, Finish, LanguageModel
from reverie.providers.openai import OpenAI
from reverie.providers.openai_chat.usage import convert_usage
from reverie.usage import Usage

# OpenAI's shape: prompt_tokens counts the cached ones; completion_tokens the reasoning ones.
CHAT_USAGE: dict[str, Any] = {
    "prompt_tokens": 1200,
    "completion_tokens": 300,
    "total_tokens": 1500,
    "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 256, "audio_tokens": 0},
}
CHAT_MAPPED = Usage(
    input_tokens=1200,
    output_tokens=300,
    total_tokens=1500,
    reasoning_tokens=256,
    cache_read_tokens=1024,
)


def test_chat_usage_maps_cached_and_reasoning_tokens_as_subsets() -> None:
    usage = convert_usage(CHAT_USAGE)
    assert usage == CHAT_MAPPED
    # The meanings the docstring promises, whatever the family.
    assert usage.cache_read_tokens + usage.cache_write_tokens <= usage.input_tokens
    assert usage.reasoning_tokens <= usage.output_tokens
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


def test_chat_usage_keeps_cache_writes_and_cost_openrouter_reports() -> None:
    raw = {
        "prompt_tokens": 3000,
        "completion_tokens": 50,
        "prompt_tokens_details": {"cached_tokens": 1000, "cache_write_tokens": 1900},
        "cost": 0.0042,
    }
    assert convert_usage(raw, "openrouter") == Usage(
        input_tokens=3000,
        output_tokens=50,
        total_tokens=3050,  # not reported: input + output
        cache_read_tokens=1000,
        cache_write_tokens=1900,
        cost=0.0042,
        cost_source="provider",
    )


def test_a_total_the_provider_reports_is_kept() -> None:
    raw = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 16}
    assert convert_usage(raw).total_tokens == 16


def test_missing_usage_is_all_zero_no_cost_and_marked_unreported() -> None:
    assert convert_usage(None) == Usage(reported=False)
    assert convert_usage({"prompt_tokens": 7}) == Usage(input_tokens=7, total_tokens=7)


@pytest.mark.parametrize(
    "raw",
    [
        [1],
        {"prompt_tokens": True},
        {"prompt_tokens": "many"},
        {"prompt_tokens": float("inf")},  # JSON's Infinity token, which json.loads reads
        {"prompt_tokens": "1e400"},
        {"prompt_tokens": float("nan")},
    ],
)
def test_a_malformed_usage_is_a_provider_error(raw: Any) -> None:
    with pytest.raises(ProviderError):
        convert_usage(raw)


def test_usages_add_field_by_field_and_cost_only_when_every_part_has_one() -> None:
    priced = Usage(input_tokens=1, output_tokens=2, total_tokens=3, cost=0.5)
    total = CHAT_MAPPED + priced
    assert total == Usage(
        input_tokens=1201,
        output_tokens=302,
        total_tokens=1503,
        reasoning_tokens=256,
        cache_read_tokens=1024,
        cost=None,  # CHAT_MAPPED's cost is unknown: so is the total's
    )
    assert (priced + priced).cost == 1.0
    assert (Usage() + Usage()).cost is None


def _model(answer: bytes, content_type: str) -> LanguageModel:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=answer, headers={"Content-Type": content_type})

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    model: LanguageModel = OpenAI(api_key="k", client=client).model("o4-mini")
    return model


CALL = Call(prompt=[user_message("hi")])


async def test_generate_reports_the_chat_usage_in_our_meaning() -> None:
    body = {
        "id": "c",
        "model": "o4-mini",
        "choices": [{"index": 0, "message": {"content": "hi"}, "finish_reason": "stop"}],
        "usage": CHAT_USAGE,
    }
    response = await _model(json.dumps(body).encode(), "application/json").generate(CALL)
    assert tokens(response.usage) == CHAT_MAPPED


async def test_stream_reports_the_chat_usage_in_our_meaning() -> None:
    chunks = [
        {"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": CHAT_USAGE},
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    parts = [p async for p in _model(body.encode(), "text/event-stream").stream(CALL)]
    finish = parts[-1]
    assert isinstance(finish, Finish) and tokens(finish.usage) == CHAT_MAPPED


def tokens(usage: Usage) -> Usage:
    """``usage`` without its cost (o4-mini's is estimated: see tests/test_pricing.py)."""
    return dataclasses.replace(usage, cost=None, cost_source=None)
