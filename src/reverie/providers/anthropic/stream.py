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
from reverie.http.fastjson import loads
from reverie.http.sse import SseDecoder
from reverie.model import Finish, StreamPart
from reverie.providers.anthropic.errors import stream_error
from reverie.providers.anthropic.finish_reason import map_finish_reason
from reverie.providers.anthropic.options import NAMESPACE
from reverie.providers.anthropic.response import citation_source, server_result
from reverie.providers.anthropic.usage import convert_usage, merge_usage
from reverie.warning import CallWarning


class SseJson:
    """The framing of Anthropic's SSE body: its events' JSON (``ping`` included; the parser
    skips it)."""

    __slots__ = ("_sse",)

    def __init__(self) -> None:
        self._sse = SseDecoder()

    def feed(self, chunk: bytes) -> list[Any]:
        return [loads(event.data) for event in self._sse.feed(chunk)]

    def close(self) -> list[Any]:
        return [loads(event.data) for event in self._sse.close()]


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
        "_sources",
        "_stop_reason",
        "_usage",
        "_warnings",
        "done",
    )

    def __init__(self, provider: str, warnings: list[CallWarning]) -> None:
        self._provider = provider
        self._warnings = warnings
        self._framer = Framer()
        self._blocks: dict[int, _Block] = {}
        self._names: dict[str, str] = {}
        self._usage: dict[str, Any] = {}
        self._stop_reason: str | None = None
        self._model_id = ""
        self._message_id: str | None = None  # set by message_start
        self._sources = 0
        self.done = False

    def _error(self, message: str) -> StreamError:
        return StreamError(f"{self._provider}: {message}", provider=self._provider)

    def feed(self, event: Any) -> list[StreamPart]:
        if not isinstance(event, dict):
            raise self._error(f"stream event is not an object: {event!r:.200}")
        kind = event.get("type")
        if kind == "content_block_delta":
            self._delta(event)
        elif kind == "content_block_start":
            self._start(event)
        elif kind == "content_block_stop":
            self._stop(event)
        elif kind == "message_start":
            message = event.get("message") or {}
            if not isinstance(message, dict):
                raise self._error(f"'message' is not an object: {message!r:.200}")
            message_id = str(message.get("id") or "")
            if self._message_id is not None:
                if message_id and message_id == self._message_id:
                    return []  # the same start again: nothing new
                raise StreamError(
                    f"{self._provider}: a new message started before message "
                    f"{self._message_id!r:.100} finished; its partial content was dropped",
                    provider=self._provider,
                    retryable=True,
                )
            self._message_id = message_id
            self._model_id = str(message.get("model") or "")
            merge_usage(self._usage, message.get("usage"), self._provider)
        elif kind == "message_delta":
            delta = event.get("delta") or {}
            if isinstance(delta, dict) and delta.get("stop_reason"):
                self._stop_reason = str(delta["stop_reason"])
            merge_usage(self._usage, event.get("usage"), self._provider)
        elif kind == "message_stop":
            self.done = True
        elif kind == "error":
            raise stream_error(event, self._provider)
        return self._framer.drain()  # ping and unknown events carry nothing

    def _index(self, event: dict[str, Any]) -> int:
        index = event.get("index")
        if not isinstance(index, int):
            raise self._error(f"content block event without an index: {event!r:.200}")
        return index

    def _start(self, event: dict[str, Any]) -> None:
        index = self._index(event)
        block = event.get("content_block")
        if not isinstance(block, dict):
            raise self._error(f"'content_block' is not an object: {block!r:.200}")
        kind = block.get("type")
        framer = self._framer
        id = str(index)
        if kind == "text":
            self._blocks[index] = _Block("text", id)
            framer.text(id, str(block.get("text") or ""))
            for citation in block.get("citations") or ():
                self._cite(citation)
        elif kind == "thinking":
            state = self._blocks[index] = _Block("thinking", id)
            state.signature = str(block.get("signature") or "")
            framer.reasoning(id, str(block.get("thinking") or ""))
        elif kind == "redacted_thinking":
            meta = {NAMESPACE: {"redacted_data": str(block.get("data") or "")}}
            framer.end_reasoning(id, meta)
        elif kind in ("tool_use", "server_tool_use"):
            name = str(block.get("name") or "")
            call_id = str(block.get("id") or f"call_{index}")
            state = self._blocks[index] = _Block("tool", call_id)
            state.input = block.get("input") or None
            self._names[call_id] = name
            framer.tool_start(call_id, name, provider_executed=kind == "server_tool_use")
        elif isinstance(kind, str) and kind.endswith("_tool_result") and "tool_use_id" in block:
            framer.emit(server_result(block, self._names))

    def _delta(self, event: dict[str, Any]) -> None:
        state = self._blocks.get(self._index(event))
        delta = event.get("delta")
        if state is None or not isinstance(delta, dict):
            return
        kind = delta.get("type")
        framer = self._framer
        if kind == "text_delta":
            framer.text(state.id, str(delta.get("text") or ""))
        elif kind == "input_json_delta":
            partial = str(delta.get("partial_json") or "")
            if partial:
                state.input = None  # the fragments are the input now
                framer.tool_delta(state.id, partial)
        elif kind == "thinking_delta":
            framer.reasoning(state.id, str(delta.get("thinking") or ""))
        elif kind == "signature_delta":
            state.signature += str(delta.get("signature") or "")
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
                usage=convert_usage(self._usage, self._provider),
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()
