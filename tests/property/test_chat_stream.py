"""The chat-completions stream parser: any events, any JSON, any chunk shape end in parts or
a ProviderError (StreamError for what it reads), never another exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from reverie.errors import ProviderError
from reverie.http.sse import ServerSentEvent
from reverie.model import Finish
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.stream import ChatStreamParser
from reverie.providers.openai_compat import CompatDialect
from reverie.providers.openrouter import RouterDialect

from .budget import fast_and_slow
from .json_values import chunk, json_values

DIALECTS = st.sampled_from([ChatDialect, RouterDialect, CompatDialect])

event_data = st.one_of(
    chunk.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=30),
    st.just("[DONE]"),
)


def _run(dialect: type[ChatDialect], events: list[str]) -> None:
    parser = ChatStreamParser(dialect(), [], "test")
    try:
        for data in events:
            parser.feed(ServerSentEvent("message", data))
            if parser.done:
                break
        parts = parser.finish()
    except ProviderError:
        return
    assert isinstance(parts[-1], Finish)


def check_any_events(dialect: type[ChatDialect], events: list[str]) -> None:
    _run(dialect, events)


test_any_events, test_any_events_slow = fast_and_slow(
    dialect=DIALECTS, events=st.lists(event_data, max_size=5)
)(check_any_events)


def check_chunk_shapes(dialect: type[ChatDialect], chunks: list[dict[str, Any]]) -> None:
    _run(dialect, [json.dumps(c) for c in chunks] + ["[DONE]"])


test_chunk_shapes, test_chunk_shapes_slow = fast_and_slow(
    dialect=DIALECTS, chunks=st.lists(chunk, max_size=5)
)(check_chunk_shapes)
