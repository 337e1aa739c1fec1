"""The one reader of wire data (``providers/wire.py``): its accessors, and every family's plain
answer read through it, so that a malformed field anywhere is a ProviderError naming it."""

from __future__ import annotations

import math
from typing import Any

import pytest

from reverie.errors import ProviderError, StreamError
from reverie.providers.anthropic.response import parse_response as anthropic_answer
from reverie.providers.anthropic.usage import convert_usage as anthropic_usage
from reverie.providers.google.ids import make_id_generator
from reverie.providers.google.response import parse_response as gemini_answer
from reverie.providers.wire import Reader, path_text, show, unknown_option, unsupported

# ---- the accessors ----------------------------------------------------------------------------


def test_a_path_given_as_parts_reads_as_json_path() -> None:
    assert path_text(("choices", 0, "message", "tool_calls", 2, "id")) == (
        "choices[0].message.tool_calls[2].id"
    )
    assert path_text("usage.input_tokens") == "usage.input_tokens"


@pytest.mark.parametrize(
    ("value", "count"), [(12, 12), ("12", 12), (12.0, 12), ("7.0", 7), (None, 0), (0, 0)]
)
def test_a_token_count_is_read_from_a_number_or_its_text(value: Any, count: int) -> None:
    assert Reader("p").count({"n": value}, "n", "usage") == count


@pytest.mark.parametrize("value", [True, -1, "-3", "many", [], {}, math.inf, "inf", "nan", 1e400])
def test_anything_else_as_a_token_count_is_an_error_naming_the_field(value: Any) -> None:
    with pytest.raises(ProviderError, match=r"^p: 'usage\.n' is not a number: "):
        Reader("p").count({"n": value}, "n", "usage")


def test_a_streams_reader_raises_stream_errors_and_a_plain_ones_provider_errors() -> None:
    with pytest.raises(StreamError, match=r"^p: 'delta' is not an object: \[1\]$"):
        Reader("p", stream=True).obj([1], "delta")
    with pytest.raises(ProviderError) as caught:
        Reader("p").items("x", ("output", 2, "content"))
    assert type(caught.value) is ProviderError and caught.value.provider == "p"
    assert str(caught.value) == "p: 'output[2].content' is not a list: 'x'"


def test_absent_fields_read_as_empty_and_present_ones_must_have_their_type() -> None:
    read = Reader("p")
    assert read.opt_obj(None, "a") == {} and read.items(None, "a") == []
    assert read.name(None, "a") == "" and read.opt_text(None, "a") is None
    assert read.number(None, "a") is None and read.number(2, "a") == 2.0
    for method in (read.opt_obj, read.items, read.name, read.opt_text, read.number):
        with pytest.raises(ProviderError, match="'a' is not"):
            method(True if method is not read.number else "1", "a")
    with pytest.raises(ProviderError, match="'i' is not a number: True"):
        read.integer(True, "i")


def test_a_value_is_shown_bounded_however_big_or_deep() -> None:
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    assert len(show(deep)) <= 200 and len(show(["x" * 10**6] * 1000)) == 200
    assert show("y" * 300) == repr("y" * 300)[:200]


def test_a_stream_event_that_is_not_json_is_a_malformed_event_naming_the_provider() -> None:
    from reverie.http.reading import MalformedEvent

    with pytest.raises(MalformedEvent, match=r"^p: malformed stream event: '\{\"a\"'$"):
        Reader("p", stream=True).event('{"a"')
    with pytest.raises(StreamError, match=r"^p: stream event is not an object: '\[\]'$"):
        Reader("p", stream=True).event("[]")


def test_the_warnings_for_what_was_not_sent_are_written_once() -> None:
    assert unsupported("top_k", "no top_k").setting == "top_k"
    assert unknown_option("openai", "fancy").message == "unknown openai option 'fancy' was not sent"
    assert unknown_option("anthropic", "x", "is not an Anthropic option").message == (
        "anthropic option 'x' is not an Anthropic option and was not sent"
    )


# ---- the bodies that used to escape as bare TypeErrors -----------------------------------------


def claude(**fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "model": "claude",
        "content": [{"type": "text", "text": "Hi"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 1},
        **fields,
    }


def test_a_claude_stop_reason_that_is_a_list_names_the_field() -> None:
    with pytest.raises(ProviderError, match=r"^anthropic: 'stop_reason' is not a string: \["):
        anthropic_answer(claude(stop_reason=["end_turn"]), "anthropic", [])


def test_claude_citations_that_are_a_number_name_the_field() -> None:
    body = claude(content=[{"type": "text", "text": "Hi", "citations": 3}])
    with pytest.raises(ProviderError, match=r"'content\[0\]\.citations' is not a list: 3$"):
        anthropic_answer(body, "anthropic", [])


def test_claude_token_counts_sent_as_text_are_read_as_every_family_reads_them() -> None:
    usage = anthropic_usage({"input_tokens": "12", "output_tokens": 3}, "anthropic")
    assert usage.input_tokens == 12 and usage.output_tokens == 3


def test_a_gemini_error_status_that_is_a_list_is_still_a_provider_error() -> None:
    body = {"error": {"code": 500, "message": "boom", "status": ["INTERNAL"]}}
    with pytest.raises(ProviderError, match="boom") as caught:
        gemini_answer(body, [], "google", make_id_generator(None, "google"))
    assert caught.value.retryable  # the code says a server error


async def test_an_answer_nested_too_deeply_is_a_provider_error_not_a_recursion_error() -> None:
    import httpx2

    from reverie.providers.openai import OpenAI
    from reverie.retry import NO_RETRY

    deep = b'{"choices": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=deep)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    model = OpenAI(api_key="k", client=client, retry=NO_RETRY).model("gpt-4o")
    from reverie.messages import user_message
    from reverie.providers.kit import Call

    with pytest.raises(ProviderError, match=r"^openai: response is not JSON"):
        await model.generate(Call(prompt=[user_message("hi")]))
