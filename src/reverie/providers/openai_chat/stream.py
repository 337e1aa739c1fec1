"""Chat-completions stream events → framed StreamParts.

The parser owns the family's terminal signal, ``data: [DONE]``. Tool calls are emitted whole
once the stream finishes, after their input deltas, because some providers keep sending
argument fragments until the very end. Chunks that are not the documented shape end the
stream with a StreamError naming the field, never with a raw exception.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import StreamError
from reverie.framer import Framer
from reverie.http.fastjson import loads
from reverie.http.sse import ServerSentEvent
from reverie.messages import Metadata
from reverie.model import Finish, StreamPart
from reverie.providers.openai_chat.annotations import Citations
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.finish_reason import map_finish_reason
from reverie.providers.openai_chat.usage import convert_usage
from reverie.warning import CallWarning

TEXT_ID = "text-0"


class ChatStreamParser:
    terminal = "[DONE]"

    __slots__ = (
        "_citations",
        "_dialect",
        "_finish_reason",
        "_framer",
        "_metadata",
        "_model_id",
        "_provider",
        "_reasoning",
        "_tool_ids",
        "_usage",
        "_warnings",
        "done",
    )

    def __init__(self, dialect: ChatDialect, warnings: list[CallWarning], provider: str) -> None:
        self._dialect = dialect
        self._warnings = warnings
        self._provider = provider
        self._framer = Framer()
        self._reasoning = dialect.reasoning_stream()
        self._citations = Citations(provider)
        self._tool_ids: dict[int, str] = {}  # wire index → call id, in arrival order
        self._finish_reason: str | None = None
        self._usage: dict[str, Any] | None = None
        self._metadata: Metadata = {}
        self._model_id = ""
        self.done = False

    def _error(self, message: str, **kw: Any) -> StreamError:
        return StreamError(f"{self._provider}: {message}", provider=self._provider, **kw)

    def feed(self, event: ServerSentEvent) -> list[StreamPart]:
        data = event.data
        if data == "[DONE]":
            self.done = True
            return []
        try:
            chunk = loads(data)
        except ValueError:
            raise self._error(f"malformed stream event: {data[:200]!r}") from None
        if not isinstance(chunk, dict):
            raise self._error(f"stream chunk is not an object: {data[:200]!r}")
        return self.feed_chunk(chunk)

    def feed_chunk(self, chunk: dict[str, Any]) -> list[StreamPart]:
        error = chunk.get("error")
        if error is not None:
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise self._error(f"stream error: {message}", body=str(error))
        usage = chunk.get("usage")
        if usage:
            if not isinstance(usage, dict):
                raise self._error(f"'usage' is not an object: {usage!r:.200}")
            self._usage = usage
        if not self._model_id and isinstance(chunk.get("model"), str):
            self._model_id = chunk["model"]
        if not self._metadata:  # the same on every chunk: read it until found, not each time
            self._metadata = self._dialect.response_metadata(chunk)
        choices = chunk.get("choices")
        if not choices:
            return []
        if not isinstance(choices, list):
            raise self._error(f"'choices' is not a list: {choices!r:.200}")
        framer = self._framer
        for choice in choices:
            if not isinstance(choice, dict):
                raise self._error(f"a choice is not an object: {choice!r:.200}")
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if not isinstance(delta, dict):
                raise self._error(f"'delta' is not an object: {delta!r:.200}")
            self._reasoning.feed(delta, framer)
            text = delta.get("content")
            if isinstance(text, str) and text:
                self._reasoning.close(framer)
                framer.text(TEXT_ID, text)
            annotations = delta.get("annotations")
            if annotations:
                for source in self._citations.read(annotations):
                    framer.emit(source)
            calls = delta.get("tool_calls")
            if calls:
                if not isinstance(calls, list):
                    raise self._error(f"'tool_calls' is not a list: {calls!r:.200}")
                self._reasoning.close(framer)
                for position, call in enumerate(calls):
                    self._tool_delta(call, position)
            if choice.get("finish_reason"):
                self._finish_reason = choice["finish_reason"]
        return framer.drain()

    def _tool_delta(self, call: Any, position: int) -> None:
        if not isinstance(call, dict):
            raise self._error(f"a tool call delta is not an object: {call!r:.200}")
        index = call.get("index", position)
        if not isinstance(index, int):
            raise self._error(f"a tool call's 'index' is not a number: {index!r:.200}")
        function = call.get("function") or {}
        if not isinstance(function, dict):
            raise self._error(f"'function' is not an object: {function!r:.200}")
        id_ = self._tool_ids.get(index)
        if id_ is None:
            id_ = call.get("id") or f"call_{index}"
            if not isinstance(id_, str):
                raise self._error(f"a tool call's 'id' is not a string: {id_!r:.200}")
            self._tool_ids[index] = id_
            self._framer.tool_start(id_, str(function.get("name") or ""))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # the intent is plain: an object sent unencoded
            arguments = json.dumps(arguments)
        if arguments:
            self._framer.tool_delta(id_, str(arguments))

    def finish(self) -> list[StreamPart]:
        """Parts that close the stream after its terminal ``[DONE]``."""
        framer = self._framer
        self._reasoning.close(framer)
        framer.close()
        framer.emit(
            Finish(
                finish_reason=map_finish_reason(self._finish_reason),
                usage=convert_usage(self._usage, self._provider),
                provider_metadata=self._metadata,
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()
