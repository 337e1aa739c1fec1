"""Anthropic stream events → framed StreamParts.

Events arrive as decoded JSON objects, whatever carried them (SSE from Anthropic, the AWS
event stream from Bedrock): ``message_start``, then per content block ``content_block_start``
/ ``_delta`` / ``_stop``, then ``message_delta`` (stop reason, final usage) and the terminal
``message_stop``. An ``error`` event raises a StreamError, retryable when Anthropic says the
failure is passing (overloaded, rate limited, internal). A second ``message_start`` with
another id before ``message_stop`` (an upstream that began again mid-answer) is a retryable
StreamError too: the unfinished message's blocks and calls are never presented as whole; the
same ``message_start`` repeated is ignored.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import StreamError
from reverie.framer import Framer
from reverie.http.sse import SseDecoder
from reverie.model import Finish, StreamPart
from reverie.providers.anthropic.errors import stream_error
from reverie.providers.anthropic.finish_reason import map_finish_reason
from reverie.providers.anthropic.options import NAMESPACE
from reverie.providers.anthropic.response import citation_source, server_result
from reverie.providers.anthropic.usage import merge_usage, usage_of
from reverie.providers.costed import finish_usage
from reverie.providers.wire import Reader, show
from reverie.warning import CallWarning


class SseJson:
    """The framing of Anthropic's SSE body: its events' JSON (``ping`` included; the parser
    skips it)."""

    __slots__ = ("_failed", "_read", "_sse")

    media_type = "text/event-stream"

    def __init__(self) -> None:
        self._sse = SseDecoder()
        self._read = Reader("", stream=True)  # the body's reader adds the provider's name
        self._failed: StreamError | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        if self._failed is not None:
            raise self._failed
        decode = self._read.event_json
        events: list[Any] = []
        for event in self._sse.feed(chunk):
            try:
                events.append(decode(event.data))
            except StreamError as exc:
                if not events:
                    raise
                # the events before it are read first: their text is not lost
                self._failed = StreamError(str(exc), provider=exc.provider, body=exc.body)
                break
        return events

    def close(self) -> list[Any]:
        if self._failed is not None:
            raise self._failed
        decode = self._read.event_json
        return [decode(event.data) for event in self._sse.close()]


class _Block:
    __slots__ = ("id", "input", "kind", "signature")

    def __init__(self, kind: str, id: str) -> None:
        self.kind = kind  # text, thinking, tool, server_tool
        self.id = id
        self.signature = ""
        self.input: Any = None  # a tool's input given whole in its start block


class AnthropicStream:
    """One streamed answer; ``terminal`` is ``message_stop``."""

    terminal = "message_stop"

    __slots__ = (
        "_blocks",
        "_framer",
        "_message_id",
        "_model_id",
        "_names",
        "_provider",
        "_read",
        "_requested",
        "_sources",
        "_stop_reason",
        "_usage",
        "_warnings",
        "done",
    )

    def __init__(
        self, provider: str, warnings: list[CallWarning], *, requested: str | None = None
    ) -> None:
        self._requested = requested
        self._provider = provider
        self._read = Reader(provider, stream=True)
        self._warnings = warnings
        self._framer = Framer()
        self._blocks: dict[int, _Block] = {}
        self._names: dict[str, str] = {}
        self._usage: dict[str, int] = {}
        self._stop_reason: str | None = None
        self._model_id = ""
        self._message_id: str | None = None  # set by message_start
        self._sources = 0
        self.done = False

    def feed(self, event: Any) -> list[StreamPart]:
        read = self._read
        if not isinstance(event, dict):
            raise read.error(f"stream event is not an object: {show(event)}")
        kind = event.get("type")
        if kind == "content_block_delta":
            self._delta(event)
        elif kind == "content_block_start":
            self._start(event)
        elif kind == "content_block_stop":
            self._stop(event)
        elif kind == "message_start":
            message = read.opt_obj(event.get("message"), "message")
            message_id = read.name(message.get("id"), "message.id")
            if self._message_id is not None:
                if message_id and message_id == self._message_id:
                    return []  # the same start again: nothing new
                raise read.error(
                    f"a new message started before message {self._message_id!r:.100} "
                    "finished; its partial content was dropped",
                    retryable=True,
                )
            self._message_id = message_id
            self._model_id = read.name(message.get("model"), "message.model")
            merge_usage(self._usage, message.get("usage"), read)
        elif kind == "message_delta":
            delta = read.opt_obj(event.get("delta"), "delta")
            reason = read.opt_text(delta.get("stop_reason"), "delta.stop_reason")
            if reason:
                self._stop_reason = reason
            merge_usage(self._usage, event.get("usage"), read)
        elif kind == "message_stop":
            self.done = True
        elif kind == "error":
            raise stream_error(event, self._provider)
        return self._framer.drain()  # ping and unknown events carry nothing

    def _index(self, event: dict[str, Any]) -> int:
        index = event.get("index")
        if isinstance(index, int) and not isinstance(index, bool):
            return index
        return self._read.integer(index, "index")  # raises, naming the field

    def _start(self, event: dict[str, Any]) -> None:
        read = self._read
        index = self._index(event)
        block = read.obj(event.get("content_block"), "content_block")
        kind = block.get("type")
        framer = self._framer
        id = str(index)
        if kind == "text":
            self._blocks[index] = _Block("text", id)
            framer.text(id, read.name(block.get("text"), "content_block.text"))
            for citation in read.items(block.get("citations"), "content_block.citations"):
                self._cite(citation)
        elif kind == "thinking":
            state = self._blocks[index] = _Block("thinking", id)
            state.signature = read.name(block.get("signature"), "content_block.signature")
            framer.reasoning(id, read.name(block.get("thinking"), "content_block.thinking"))
        elif kind == "redacted_thinking":
            data = read.name(block.get("data"), "content_block.data")
            framer.end_reasoning(id, {NAMESPACE: {"redacted_data": data}})
        elif kind in ("tool_use", "server_tool_use"):
            name = read.name(block.get("name"), "content_block.name")
            call_id = read.name(block.get("id"), "content_block.id") or f"call_{index}"
            state = self._blocks[index] = _Block("tool", call_id)
            state.input = block.get("input") or None
            self._names[call_id] = name
            framer.tool_start(call_id, name, provider_executed=kind == "server_tool_use")
        elif isinstance(kind, str) and kind.endswith("_tool_result") and "tool_use_id" in block:
            framer.emit(server_result(block, self._names, self._provider))

    def _delta(self, event: dict[str, Any]) -> None:
        state = self._blocks.get(self._index(event))
        delta = event.get("delta")
        if state is None or not isinstance(delta, dict):
            return
        kind = delta.get("type")
        framer = self._framer
        read = self._read
        if kind == "text_delta":  # the most frequent event: its check written out
            text = delta.get("text")
            framer.text(state.id, text if isinstance(text, str) else read.name(text, "delta.text"))
        elif kind == "input_json_delta":
            partial = read.name(delta.get("partial_json"), "delta.partial_json")
            if partial:
                state.input = None  # the fragments are the input now
                framer.tool_delta(state.id, partial)
        elif kind == "thinking_delta":
            framer.reasoning(state.id, read.name(delta.get("thinking"), "delta.thinking"))
        elif kind == "signature_delta":
            state.signature += read.name(delta.get("signature"), "delta.signature")
        elif kind == "citations_delta":
            self._cite(delta.get("citation"))

    def _cite(self, citation: Any) -> None:
        source = citation_source(citation, self._sources)
        if source is not None:
            self._sources += 1
            self._framer.emit(source)

    def _stop(self, event: dict[str, Any]) -> None:
        state = self._blocks.pop(self._index(event), None)
        if state is None:
            return
        framer = self._framer
        if state.kind == "text":
            framer.end_text(state.id)
        elif state.kind == "thinking":
            meta = {NAMESPACE: {"signature": state.signature}} if state.signature else {}
            framer.end_reasoning(state.id, meta)
        elif state.input:
            framer.tool_end(state.id, input=json.dumps(state.input, ensure_ascii=False))
        else:
            framer.tool_end(state.id)

    def finish(self) -> list[StreamPart]:
        framer = self._framer
        framer.close()
        framer.emit(
            Finish(
                finish_reason=map_finish_reason(self._stop_reason),
                usage=finish_usage(
                    usage_of(self._usage), self._provider, self._model_id, self._requested
                ),
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()
