"""Responses stream events → framed StreamParts.

The parser owns the family's terminal signal: ``response.completed`` (or
``response.incomplete``). ``response.failed`` and ``error`` events are StreamErrors, marked
retryable when the error says it is transient. Text, reasoning summaries, raw reasoning
text (``response.reasoning_text.delta``, as open-weight models served through
Responses-compatible endpoints send it) and function-call arguments are framed as they
arrive; a reasoning item's blocks (one per summary part or raw text part) end when the item
is done, with its final encrypted content. Events that are not the documented shape end the
stream with a StreamError naming the field.

Parts are keyed by an event's ``output_index`` (mapped to the id its item was added with),
not by its ``item_id``: some Responses-compatible servers change ``item_id`` on every event.
Text that came as deltas is never emitted again when its item is done.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import ProviderError
from reverie.framer import Framer
from reverie.http.sse import ServerSentEvent
from reverie.messages import Metadata
from reverie.model import Finish, StreamPart
from reverie.providers.costed import finish_usage
from reverie.providers.openai_responses.errors import wire_error
from reverie.providers.openai_responses.finish_reason import map_finish_reason
from reverie.providers.openai_responses.response import (
    WEB_SEARCH,
    item_metadata,
    raw_metadata,
    reasoning_metadata,
    reasoning_texts,
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


class _ReasoningItem:
    """The blocks of one reasoning item: one per summary part (``("s", index)``) or raw text
    part (``("r", content index)``). The block opened when the item was added is taken by
    the first of them, so it keeps its place before the text that follows."""

    __slots__ = ("blocks", "item_id", "order", "raw", "spare")

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        self.blocks: dict[tuple[str, int], str] = {}
        self.order: list[str] = []
        self.raw: set[str] = set()
        self.spare = ""

    def block(self, kind: str, index: int, framer: Framer) -> str:
        found = self.blocks.get((kind, index))
        if found is not None:
            return found
        if self.spare:
            block, self.spare = self.spare, ""
        else:
            block = f"{self.item_id}:{index}" if kind == "s" else f"{self.item_id}:r{index}"
            if block in self.order:  # taken by the first block of the other kind
                block = f"{self.item_id}:{kind}{index}"
            self.open(block, framer)
        self.blocks[(kind, index)] = block
        if kind == "r":
            self.raw.add(block)
        return block

    def open(self, block: str, framer: Framer) -> None:
        self.order.append(block)
        framer.reasoning(block, "", {"openai": {"item_id": self.item_id}})


class ResponsesStreamParser:
    terminal = "response.completed"

    __slots__ = (
        "_calls",
        "_framer",
        "_has_calls",
        "_ids",
        "_model_id",
        "_provider",
        "_read",
        "_reasoning",
        "_requested",
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
        *,
        requested: str | None = None,
    ) -> None:
        self._requested = requested
        self._warnings = warnings
        self._provider = provider
        self._read = Reader(provider, stream=True)
        self._tool_names = tool_names or {}
        self._framer = Framer()
        self._calls: dict[str, str] = {}  # function-call item id → call id
        self._reasoning: dict[str, _ReasoningItem] = {}  # reasoning item id → its blocks
        self._ids: dict[int, str] = {}  # output index → the id its item was added with
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
            framer.text(self._key(data), self._str(data, "delta"))
        elif kind == "response.reasoning_summary_text.delta":
            framer.reasoning(self._block(data, "s"), self._str(data, "delta"))
        elif kind == "response.reasoning_text.delta":
            framer.reasoning(self._block(data, "r"), self._str(data, "delta"))
        elif kind == "response.function_call_arguments.delta":
            item_id = self._key(data)
            call_id = self._calls.get(item_id)
            if call_id is None:
                raise self._read.error(f"arguments for an unknown function call {item_id!r:.100}")
            framer.tool_delta(call_id, self._str(data, "delta"))
        elif kind == "response.output_item.added":
            item = self._item(data)
            index = data.get("output_index")
            if type(index) is int:
                if isinstance(item.get("id"), str):
                    self._ids[index] = item["id"]
            elif index is not None:
                raise self._read.malformed("output_index", index, "a number")
            self._item_added(item)
        elif kind == "response.output_item.done":
            self._item_done(self._item(data), data)
        elif kind == "response.reasoning_summary_part.added":
            self._block(data, "s")  # opens the part's block
        elif kind == "response.reasoning_text.done":
            self._raw_done(data)
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
            reasoning = self._reasoning_item(self._str(item, "id"))
            if not reasoning.order:
                reasoning.spare = f"{reasoning.item_id}:0"
                reasoning.open(reasoning.spare, self._framer)
        elif kind == "function_call":
            call_id = self._str(item, "call_id")
            self._calls[self._str(item, "id")] = call_id
            self._framer.tool_start(call_id, self._read.name(item.get("name"), "item.name"))
        elif kind == "web_search_call":
            name = self._tool_names.get(WEB_SEARCH, WEB_SEARCH)
            self._framer.tool_start(self._str(item, "id"), name, provider_executed=True)

    def _item_done(self, item: dict[str, Any], data: dict[str, Any]) -> None:
        kind = item.get("type")
        framer = self._framer
        if kind == "message":
            item_id = self._key(data, self._str(item, "id"))
            if not framer.is_open("text", item_id):
                text = _message_text(item)  # a message that came whole, without deltas
                if not text:
                    return
                framer.text(item_id, text)
            framer.end_text(item_id, item_metadata(item, self._provider))
        elif kind == "reasoning":
            item_id = self._key(data, self._str(item, "id"))
            reasoning = self._reasoning.pop(item_id, None) or _ReasoningItem(item_id)
            # Raw text parts that came whole, without deltas.
            for index, text in reasoning_texts(item, self._read):
                if ("r", index) not in reasoning.blocks:
                    framer.reasoning(reasoning.block("r", index, framer), text)
            metadata = reasoning_metadata(item, self._provider)
            for block in reasoning.order or [f"{item_id}:0"]:
                if block in reasoning.raw:
                    framer.end_reasoning(block, raw_metadata(metadata))
                else:
                    framer.end_reasoning(block, metadata)
        elif kind == "function_call":
            call_id = self._str(item, "call_id")
            arguments = item.get("arguments")
            if isinstance(arguments, dict):  # an object sent unencoded: the intent is plain
                arguments = json.dumps(arguments)
            self._calls.pop(self._key(data, str(item.get("id"))), None)
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

    def _block(self, data: dict[str, Any], kind: str) -> str:
        """The block of a summary part (``kind`` ``"s"``) or raw text part (``"r"``)."""
        name = "summary_index" if kind == "s" else "content_index"
        index = self._read.integer(data.get(name, 0), name)
        return self._reasoning_item(self._key(data)).block(kind, index, self._framer)

    def _reasoning_item(self, item_id: str) -> _ReasoningItem:
        reasoning = self._reasoning.get(item_id)
        if reasoning is None:
            reasoning = self._reasoning[item_id] = _ReasoningItem(item_id)
        return reasoning

    def _raw_done(self, data: dict[str, Any]) -> None:
        """A raw text part's whole text: framed only when no delta brought it."""
        reasoning = self._reasoning_item(self._key(data))
        index = self._read.integer(data.get("content_index", 0), "content_index")
        if ("r", index) in reasoning.blocks:
            return
        text = self._read.name(data.get("text"), "text")
        self._framer.reasoning(self._block(data, "r"), text)

    def _key(self, data: dict[str, Any], fallback: str | None = None) -> str:
        """The id of the item an event belongs to: the one its ``output_index`` was added
        with, else the event's ``item_id`` (or ``fallback``, an item's own id)."""
        index = data.get("output_index")
        if type(index) is int:
            found = self._ids.get(index)
            if found is None:  # an item never added: the first id seen for its index holds
                found = self._ids[index] = fallback or self._str(data, "item_id")
            return found
        if index is not None:
            raise self._read.malformed("output_index", index, "a number")
        return fallback if fallback is not None else self._str(data, "item_id")

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
                usage=finish_usage(
                    convert_usage(response.get("usage"), self._provider),
                    self._provider,
                    self._model_id,
                    self._requested,
                ),
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
