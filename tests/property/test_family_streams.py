"""Each wire family's stream parser (Responses, Anthropic, Gemini): any sequence of events,
documented types with arbitrary fields or anything at all, ends in parts closed by a Finish or
in a ProviderError (StreamError for what it reads), never another exception."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from reverie.errors import ProviderError
from reverie.http.sse import ServerSentEvent
from reverie.model import Finish
from reverie.providers.anthropic.stream import AnthropicStream
from reverie.providers.google.ids import make_id_generator
from reverie.providers.google.stream import GeminiStreamParser
from reverie.providers.openai_responses.stream import ResponsesStreamParser

from .budget import fast_and_slow
from .json_values import json_values, maybe, objects

RESPONSES_TYPES = [
    "response.created",
    "response.output_item.added",
    "response.output_item.done",
    "response.output_text.delta",
    "response.output_text.annotation.added",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_text.delta",
    "response.function_call_arguments.delta",
    "response.web_search_call.completed",
    "response.completed",
    "response.incomplete",
    "response.failed",
    "error",
]
ANTHROPIC_TYPES = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
]
small = st.text(max_size=8)
item = objects(
    type=maybe(st.sampled_from(["message", "reasoning", "function_call", "web_search_call"])),
    id=maybe(small),
    call_id=maybe(small),
    name=maybe(small),
    arguments=maybe(small),
    content=maybe(st.lists(json_values, max_size=2)),
    summary=maybe(st.lists(json_values, max_size=2)),
    encrypted_content=maybe(small),
)
responses_event = objects(
    type=maybe(st.sampled_from(RESPONSES_TYPES)),
    item=maybe(item),
    item_id=maybe(small),
    output_index=maybe(st.integers(0, 2)),
    summary_index=maybe(st.integers(0, 2)),
    delta=maybe(small),
    annotation=maybe(json_values),
    response=maybe(objects(id=maybe(small), usage=maybe(json_values), status=maybe(small))),
    code=maybe(small),
    message=maybe(small),
)
block = objects(
    type=maybe(st.sampled_from(["text", "thinking", "redacted_thinking", "tool_use"])),
    id=maybe(small),
    name=maybe(small),
    input=maybe(json_values),
    text=maybe(small),
    data=maybe(small),
)
anthropic_event = objects(
    type=maybe(st.sampled_from(ANTHROPIC_TYPES)),
    index=maybe(st.integers(0, 2)),
    content_block=maybe(block),
    delta=maybe(
        objects(
            type=maybe(
                st.sampled_from(
                    ["text_delta", "thinking_delta", "signature_delta", "input_json_delta"]
                )
            ),
            text=maybe(small),
            thinking=maybe(small),
            signature=maybe(small),
            partial_json=maybe(small),
            stop_reason=maybe(small),
        )
    ),
    message=maybe(objects(model=maybe(small), usage=maybe(json_values))),
    usage=maybe(json_values),
    error=maybe(objects(type=maybe(small), message=maybe(small))),
)
part = objects(
    text=maybe(small),
    thought=maybe(st.booleans()),
    thoughtSignature=maybe(small),
    functionCall=maybe(objects(name=maybe(small), args=maybe(json_values), id=maybe(small))),
)
gemini_chunk = objects(
    candidates=maybe(
        st.lists(
            maybe(
                objects(
                    content=maybe(objects(parts=maybe(st.lists(maybe(part), max_size=3)))),
                    finishReason=maybe(st.sampled_from(["STOP", "MAX_TOKENS", "SAFETY"])),
                )
            ),
            max_size=2,
        )
    ),
    usageMetadata=maybe(json_values),
    error=maybe(json_values),
)


def _run(parser: Any, events: list[Any]) -> None:
    try:
        for event in events:
            parser.feed(event)
            if parser.done:
                break
        parts = parser.finish()
    except ProviderError:
        return
    assert isinstance(parts[-1], Finish)


def _sse(data: Any) -> ServerSentEvent:
    kind = data.get("type") if isinstance(data, dict) else None
    return ServerSentEvent(kind if isinstance(kind, str) else "message", json.dumps(data))


PARSERS: dict[str, tuple[Callable[[], Any], Callable[[Any], Any], st.SearchStrategy[Any]]] = {
    "responses": (lambda: ResponsesStreamParser([], "openai", set()), _sse, responses_event),
    "anthropic": (lambda: AnthropicStream("anthropic", []), lambda e: e, anthropic_event),
    "gemini": (
        lambda: GeminiStreamParser([], "google", make_id_generator("sequential", "google")),
        _sse,
        gemini_chunk,
    ),
}


def check_family(family: str, data: st.DataObject) -> None:
    make, wrap, events = PARSERS[family]
    chosen = data.draw(st.lists(st.one_of(events, json_values), max_size=6))
    _run(make(), [wrap(e) for e in chosen])


test_family_streams, test_family_streams_slow = fast_and_slow(
    family=st.sampled_from(sorted(PARSERS)), data=st.data()
)(check_family)
