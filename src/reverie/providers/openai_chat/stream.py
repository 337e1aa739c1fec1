"""Chat-completions stream events → framed StreamParts.

The parser owns the family's terminal signal, ``data: [DONE]``. Tool calls are emitted whole
once the stream finishes, after their input deltas, because some providers keep sending
argument fragments until the very end. Chunks that are not the documented shape end the
stream with a StreamError naming the field, never with a raw exception.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.framer import Framer
from reverie.http.fastjson import loads
from reverie.http.sse import ServerSentEvent
from reverie.messages import Metadata
from reverie.model import Finish, StreamPart
from reverie.providers.costed import finish_usage
from reverie.providers.openai_chat.annotations import Citations
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.errors import wire_error
from reverie.providers.openai_chat.finish_reason import map_finish_reason, refused
from reverie.providers.openai_chat.usage import convert_usage
from reverie.providers.wire import Reader
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
        "_read",
        "_reasoning",
        "_refused",
        "_requested",
        "_taken",
        "_tool_ids",
        "_usage",
        "_warnings",
        "done",
    )

    def __init__(
        self,
        dialect: ChatDialect,
        warnings: list[CallWarning],
        provider: str,
        *,
        requested: str | None = None,
    ) -> None:
        self._requested = requested
        self._dialect = dialect
        self._warnings = warnings
        self._provider = provider
        self._read = Reader(provider, stream=True)
        self._framer = Framer()
        self._reasoning = dialect.reasoning_stream()
        self._citations = Citations(provider)
        # wire index → [the call's wire id, its id in this stream, whether arguments came]
        self._tool_ids: dict[int, list[Any]] = {}
        self._taken: set[str] = set()  # call ids given out in this stream
        self._refused = False
        self._finish_reason: str | None = None
        self._usage: dict[str, Any] | None = None
        self._metadata: Metadata = {}
        self._model_id = ""
        self.done = False

    def feed(self, event: ServerSentEvent) -> list[StreamPart]:
        data = event.data
        if data == "[DONE]":
            self.done = True
            return []
        try:  # decoded here rather than through the reader: this runs for every chunk
            chunk = loads(data)
        except ValueError:
            chunk = None
        if not isinstance(chunk, dict):
            chunk = self._read.event(data)  # raises, saying what the event was
        return self.feed_chunk(chunk)

    def feed_chunk(self, chunk: dict[str, Any]) -> list[StreamPart]:
        read = self._read
        error = chunk.get("error")
        if error is not None:
            raise wire_error(error, self._provider, stream=True)
        usage = chunk.get("usage")
        if usage:
            self._usage = read.obj(usage, "usage")
        if not self._model_id:
            self._model_id = read.name(chunk.get("model"), "model")
        if not self._metadata:  # the same on every chunk: read it until found, not each time
            self._metadata = self._dialect.response_metadata(chunk)
        choices = chunk.get("choices")
        if not choices:
            return []
        if not isinstance(choices, list):
            raise read.malformed("choices", choices, "a list")
        framer = self._framer
        # The checks are written out here, not called: this runs for every chunk.
        for position, choice in enumerate(choices):
            if not isinstance(choice, dict):
                raise read.malformed(("choices", position), choice, "an object")
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                delta = read.opt_obj(delta, "choices[0].delta")
            self._reasoning.feed(delta, framer)
            text = delta.get("content")
            if text:
                if not isinstance(text, str):
                    raise read.malformed("choices[0].delta.content", text, "a string")
                self._reasoning.close(framer)
                framer.text(TEXT_ID, text)
            refusal = delta.get("refusal")
            if refusal:  # a refusal comes instead of the content: it is the answer's text
                self._refused = True
                self._reasoning.close(framer)
                framer.text(TEXT_ID, read.text(refusal, "choices[0].delta.refusal"))
            annotations = delta.get("annotations")
            if annotations:
                for source in self._citations.read(annotations):
                    framer.emit(source)
            calls = delta.get("tool_calls")
            if calls:
                self._reasoning.close(framer)
                for position, call in enumerate(read.items(calls, "choices[0].delta.tool_calls")):
                    self._tool_delta(call, position)
            reason = choice.get("finish_reason")
            if reason:
                self._finish_reason = read.text(reason, "choices[0].finish_reason")
        return framer.drain()

    def _tool_delta(self, call: Any, position: int) -> None:
        read = self._read
        where = ("choices", 0, "delta", "tool_calls", position)
        call = read.obj(call, where)
        index = read.integer(call.get("index", position), (*where, "index"))
        function = read.opt_obj(call.get("function"), (*where, "function"))
        state = self._tool_ids.get(index)
        given = read.name(call.get("id"), (*where, "id"))
        name = read.name(function.get("name"), (*where, "name"))
        if state is not None and given and (given != state[0] or (name and self._whole(state))):
            # Another call on an index already used (a server numbering every call 0, or
            # sending two whole calls under one id): the call there is complete, this one new.
            self._framer.tool_end(state[1])
            state = None
        if state is None:
            wire = given or f"call_{index}"
            state = self._tool_ids[index] = [wire, self._unique(wire), False]
            self._framer.tool_start(state[1], name)
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # the intent is plain: an object sent unencoded
            arguments = json.dumps(arguments)
        if arguments:
            state[2] = True
            text = read.text(arguments, (*where, "function", "arguments"))
            self._framer.tool_delta(state[1], text)

    def _whole(self, state: list[Any]) -> bool:
        """Whether the call's arguments so far are a whole JSON value (a start repeated
        after them begins another call; before, it only repeats the header)."""
        if not state[2]:
            return False
        try:
            loads(self._framer.tool_input(state[1]))
        except ValueError:
            return False
        return True

    def _unique(self, id_: str) -> str:
        """``id_``, or ``id_`` with ``_2``, ``_3``… when an earlier call of this stream has it
        (two calls under one id would be framed as one)."""
        taken = self._taken
        candidate, n = id_, 1
        while candidate in taken:
            n += 1
            candidate = f"{id_}_{n}"
        taken.add(candidate)
        return candidate

    def finish(self) -> list[StreamPart]:
        """Parts that close the stream after its terminal ``[DONE]``."""
        framer = self._framer
        self._reasoning.close(framer)
        framer.close()
        framer.emit(
            Finish(
                finish_reason=refused(map_finish_reason(self._finish_reason), self._refused),
                usage=finish_usage(
                    convert_usage(self._usage, self._provider),
                    self._provider,
                    self._model_id,
                    self._requested,
                ),
                provider_metadata=self._metadata,
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()
