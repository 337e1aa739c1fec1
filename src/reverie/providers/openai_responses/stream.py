"""Responses stream events → framed StreamParts.

The parser owns the family's terminal signal: ``response.completed`` (or
``response.incomplete``). ``response.failed`` and ``error`` events are StreamErrors, marked
retryable when the error says it is transient. Text, reasoning summaries and function-call
arguments are framed as they arrive; a reasoning item's blocks (one per summary part) end
when the item is done, with its final encrypted content. Events that are not the documented
shape end the stream with a StreamError naming the field.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError
from reverie.framer import Framer
from reverie.http.sse import ServerSentEvent
from reverie.messages import Metadata
from reverie.model import Finish, StreamPart
from reverie.providers.openai_responses.errors import wire_error
from reverie.providers.openai_responses.finish_reason import map_finish_reason
from reverie.providers.openai_responses.response import (
    WEB_SEARCH,
    item_metadata,
    reasoning_metadata,
    response_metadata,
    to_source,
    web_search_input,
    web_search_result,
)
from reverie.providers.openai_responses.usage import convert_usage
from reverie.providers.wire import Reader, show
from reverie.warning import CallWarning

TERMINAL = ("response.completed", "response.incomplete")
# Events that carry nothing the parser keeps (the text or arguments they repeat came as
# deltas): when the SSE event name says so, their JSON is not even decoded.
SKIPPED = frozenset(
    {
        "response.in_progress",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.function_call_arguments.done",
        "response.web_search_call.in_progress",
        "response.web_search_call.searching",
        "response.web_search_call.completed",
    }
)


class ResponsesStreamParser:
    terminal = "response.completed"

    __slots__ = (
        "_calls",
        "_framer",
        "_has_calls",
        "_model_id",
        "_provider",
        "_read",
        "_reasoning",
        "_response",
        "_tool_names",
        "_warnings",
        "done",
    )

    def __init__(
        self,
        warnings: list[CallWarning],
        provider: str,
        tool_names: dict[str, str] | None = None,
    ) -> None:
        self._warnings = warnings
        self._provider = provider
        self._read = Reader(provider, stream=True)
        self._tool_names = tool_names or {}
        self._framer = Framer()
        self._calls: dict[str, str] = {}  # function-call item id → call id
        self._reasoning: dict[str, list[str]] = {}  # reasoning item id → its open block ids
        self._has_calls = False
        self._response: dict[str, Any] = {}
        self._model_id = ""
        self.done = False

    def feed(self, event: ServerSentEvent) -> list[StreamPart]:
        if event.event in SKIPPED:
            return []
        self.feed_event(self._read.event(event.data))
        return self._framer.drain()

    def feed_event(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        framer = self._framer
        # The most frequent events first.
        if kind == "response.output_text.delta" or kind == "response.refusal.delta":
            framer.text(self._str(data, "item_id"), self._str(data, "delta"))
        elif kind == "response.reasoning_summary_text.delta":
            framer.reasoning(self._summary_block(data), self._str(data, "delta"))
        elif kind == "response.function_call_arguments.delta":
            item_id = self._str(data, "item_id")
            call_id = self._calls.get(item_id)
            if call_id is None:
                raise self._read.error(f"arguments for an unknown function call {item_id!r:.100}")
            framer.tool_delta(call_id, self._str(data, "delta"))
        elif kind == "response.output_item.added":
            self._item_added(self._item(data))
        elif kind == "response.output_item.done":
            self._item_done(self._item(data))
        elif kind == "response.reasoning_summary_part.added":
            self._summary_block(data)  # opens the part's block
        elif kind == "response.output_text.annotation.added":
            source = to_source(
                data.get("annotation"),
                f"{data.get('item_id')}:{data.get('content_index', 0)}:"
                f"{data.get('annotation_index', 0)}",
            )
            if source is not None:
                framer.emit(source)
        elif kind in TERMINAL:
            self._keep_response(data)
            self.done = True
        elif kind == "response.created":
            self._keep_response(data)
        elif kind == "response.failed":
            response = data.get("response")
            error = response.get("error") if isinstance(response, dict) else None
            raise self._in_band(error if isinstance(error, dict) else {}, "the response failed")
        elif kind == "error":
            nested = data.get("error")
            raise self._in_band(nested if isinstance(nested, dict) else data, "stream error")

    # ---- items ----------------------------------------------------------------------------

    def _item_added(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        if kind == "reasoning":
            # Opened now so reasoning keeps its place before the text that follows it.
            item_id = self._str(item, "id")
            self._open_reasoning(item_id, f"{item_id}:0")
        elif kind == "function_call":
            call_id = self._str(item, "call_id")
            self._calls[self._str(item, "id")] = call_id
            self._framer.tool_start(call_id, self._read.name(item.get("name"), "item.name"))
        elif kind == "web_search_call":
            name = self._tool_names.get(WEB_SEARCH, WEB_SEARCH)
            self._framer.tool_start(self._str(item, "id"), name, provider_executed=True)

    def _item_done(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        framer = self._framer
        if kind == "message":
            item_id = self._str(item, "id")
            if not framer.is_open("text", item_id):
                text = _message_text(item)  # a message that came whole, without deltas
                if not text:
                    return
                framer.text(item_id, text)
            framer.end_text(item_id, item_metadata(item, self._provider))
        elif kind == "reasoning":
            item_id = self._str(item, "id")
            blocks = self._reasoning.pop(item_id, None) or [f"{item_id}:0"]
            for block in blocks:
                framer.end_reasoning(block, reasoning_metadata(item, self._provider))
        elif kind == "function_call":
            call_id = self._str(item, "call_id")
            arguments = item.get("arguments")
            if isinstance(arguments, dict):  # an object sent unencoded: the intent is plain
                arguments = json.dumps(arguments)
            self._calls.pop(str(item.get("id")), None)
            framer.tool_end(
                call_id,
                input=arguments if isinstance(arguments, str) else None,
                name=self._read.name(item.get("name"), "item.name") or None,
                metadata=item_metadata(item, self._provider),
            )
            self._has_calls = True
        elif kind == "web_search_call":
            name = self._tool_names.get(WEB_SEARCH, WEB_SEARCH)
            call_id = self._str(item, "id")
            # A search that comes whole was never started: it is still the server's to run.
            framer.tool_start(call_id, name, provider_executed=True)
            framer.tool_end(call_id, input=web_search_input(item))
            framer.emit(web_search_result(item, name))

    def _summary_block(self, data: dict[str, Any]) -> str:
        item_id = self._str(data, "item_id")
        index = self._read.integer(data.get("summary_index", 0), "summary_index")
        block = f"{item_id}:{index}"
        self._open_reasoning(item_id, block)
        return block

    def _open_reasoning(self, item_id: str, block: str) -> None:
        blocks = self._reasoning.setdefault(item_id, [])
        if block not in blocks:
            blocks.append(block)
            self._framer.reasoning(block, "", {"openai": {"item_id": item_id}})

    # ---- shapes and errors ----------------------------------------------------------------

    def _item(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._read.obj(data.get("item"), "item")

    def _str(self, data: dict[str, Any], key: str) -> str:
        value = data.get(key)
        if isinstance(value, str):
            return value
        raise self._read.error(f"{data.get('type')}: '{key}' is not a string: {show(value)}")

    def _keep_response(self, data: dict[str, Any]) -> None:
        response = self._response = self._read.obj(data.get("response"), "response")
        model = self._read.name(response.get("model"), "response.model")
        if model:
            self._model_id = model

    def _in_band(self, error: dict[str, Any], fallback: str) -> ProviderError:
        return wire_error(error, self._provider, fallback, stream=True)

    def finish(self) -> list[StreamPart]:
        """Parts that close the stream after its terminal event."""
        framer = self._framer
        framer.close()
        response = self._response
        metadata: Metadata = response_metadata(response)
        framer.emit(
            Finish(
                finish_reason=map_finish_reason(
                    self._read.opt_text(response.get("status"), "response.status"),
                    self._read.opt_obj(
                        response.get("incomplete_details"), "response.incomplete_details"
                    ),
                    self._has_calls,
                ),
                usage=convert_usage(response.get("usage"), self._provider),
                provider_metadata=metadata,
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()


def _message_text(item: dict[str, Any]) -> str:
    """The text of a message that came whole: its output text and refusal parts, read as
    the non-streaming answer reads them."""
    parts = item.get("content") or []
    if not isinstance(parts, list):
        return ""
    texts: list[str] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        text = part.get("refusal") if kind == "refusal" else part.get("text")
        if kind in ("output_text", "refusal") and isinstance(text, str):
            texts.append(text)
    return "".join(texts)
