"""Gemini ``streamGenerateContent?alt=sse`` events → framed StreamParts.

Gemini sends no terminal event: each event is a whole ``GenerateContentResponse`` holding
the next parts, and the last one carries the candidate's ``finishReason`` (with the final
usage). So the stream is done at the first event with a ``finishReason`` — or with a
``promptFeedback.blockReason``, when the prompt was refused and no candidate comes. A body
that ends before either is cut short and becomes a StreamError through the kit.

Consecutive text parts are one text block; a thought signature ends the block of the part
that carried it (a signature on an empty text part after a function call is a block of its
own, with no text), so it goes back on the same kind of part next turn. Thought parts are
reasoning blocks; function calls arrive whole, or, with the ``stream_function_call_arguments``
option (Vertex's ``streamFunctionCallArguments``), over several parts: a named part with
``willContinue``, parts of ``partialArgs``, and an empty ``functionCall`` that ends it (or the
next call, or the end of the stream when that part never comes). Such a call is one call whose
input deltas are its arguments' JSON text, written by ``partial_args.py``.

When thoughts were asked for (``include_thoughts``) and the model thought — thought tokens
counted, or a signature on its first part — but sent no thought summary, an empty reasoning
block goes before that part, so the step still records that it reasoned. It carries nothing
to replay (the signature stays on its own part).
"""

from __future__ import annotations

from typing import Any

from reverie.errors import StreamError
from reverie.framer import Framer
from reverie.http.fastjson import loads
from reverie.http.sse import ServerSentEvent
from reverie.model import Finish, StreamPart
from reverie.providers.google.errors import google_error
from reverie.providers.google.ids import IdGenerator
from reverie.providers.google.partial_args import PartialCall
from reverie.providers.google.response import (
    bad,
    finish_reason,
    first_candidate,
    read_file,
    response_metadata,
    sources,
)
from reverie.providers.google.signature import signature_metadata
from reverie.providers.google.usage import convert_usage, count
from reverie.warning import CallWarning

# What a functionCall part may carry; one with none of them is the part that ends a call.
_CALL_FIELDS = ("name", "args", "id", "partialArgs", "willContinue")


class GeminiStreamParser:
    terminal = "a finishReason"

    __slots__ = (
        "_candidate",
        "_chunk",
        "_framer",
        "_has_calls",
        "_ids",
        "_include_thoughts",
        "_model_id",
        "_provider",
        "_reasoning",
        "_seen_part",
        "_streamed",
        "_text",
        "_usage",
        "_warnings",
        "done",
    )

    def __init__(
        self,
        warnings: list[CallWarning],
        provider: str,
        ids: IdGenerator,
        *,
        include_thoughts: bool = False,
    ) -> None:
        self._warnings = warnings
        self._include_thoughts = include_thoughts
        self._seen_part = False
        self._provider = provider
        self._ids = ids
        self._framer = Framer()
        self._text = 0  # index of the current text block id
        self._reasoning = 0
        self._has_calls = False
        self._usage: dict[str, Any] = {}
        self._chunk: dict[str, Any] = {}  # the last event, for its finish data
        self._candidate: dict[str, Any] | None = None
        self._model_id = ""
        # The call whose arguments are streaming: (id, its metadata, its partial arguments).
        self._streamed: tuple[str, dict[str, Any], PartialCall] | None = None
        self.done = False

    def feed(self, event: ServerSentEvent) -> list[StreamPart]:
        data = event.data
        try:
            chunk = loads(data)
        except ValueError:
            if not data.strip():
                return []
            raise self._error(f"malformed stream event: {data[:200]!r}") from None
        error = google_error(chunk, self._provider, stream=True)
        if error is not None:
            raise error
        if not isinstance(chunk, dict):
            raise self._error(f"stream event is not an object: {data[:200]!r}")
        return self.feed_chunk(chunk)

    def _error(self, message: str) -> StreamError:
        return StreamError(f"{self._provider}: {message}", provider=self._provider)

    def feed_chunk(self, chunk: dict[str, Any]) -> list[StreamPart]:
        usage = chunk.get("usageMetadata")
        if isinstance(usage, dict):
            self._usage.update(usage)  # cumulative: later counts replace earlier ones
        if isinstance(chunk.get("modelVersion"), str):
            self._model_id = chunk["modelVersion"]
        self._chunk = chunk
        candidate = first_candidate(chunk, self._provider)
        if candidate is not None:
            self._candidate = candidate
            parts = candidate.get("content", {}).get("parts") or []
            if not isinstance(parts, list):
                raise self._error(f"'content.parts' is not a list: {parts!r:.200}")
            for part in parts:
                if not isinstance(part, dict):
                    raise self._error(f"a part is not an object: {part!r:.200}")
                self._part(part)
            if candidate.get("finishReason"):
                self.done = True
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            self.done = True
        return self._framer.drain()

    def _part(self, part: dict[str, Any]) -> None:
        framer = self._framer
        metadata = signature_metadata(part)
        text = part.get("text")
        thought = part.get("thought")
        if text == "" and not metadata and not thought:
            return  # an empty closing part: nothing to frame, and not the first part
        first, self._seen_part = not self._seen_part, True
        if isinstance(text, str):
            if thought:
                self._end_text()
                rid = f"reasoning-{self._reasoning}"
                framer.reasoning(rid, text)
                if metadata:
                    framer.end_reasoning(rid, metadata)
                    self._reasoning += 1
                return
            self._hidden_reasoning(first, metadata)
            self._end_reasoning()
            tid = f"text-{self._text}"
            if text:
                framer.text(tid, text)
            if metadata:
                framer.end_text(tid, metadata)  # opens a signature-only block if none is
                self._text += 1
            return
        self._hidden_reasoning(first, metadata)
        self._end_text()
        self._end_reasoning()
        if "functionCall" in part:
            call = part["functionCall"]
            if not isinstance(call, dict):
                raise bad(self._provider, "'functionCall' is not an object", call)
            self._call_part(call, metadata)
        elif "inlineData" in part:
            framer.emit(read_file(part["inlineData"], self._provider))

    def _call_part(self, call: dict[str, Any], metadata: dict[str, Any]) -> None:
        """A function call that came whole, or one part of a call whose arguments stream (or
        the empty part that ends one): the call stays open while ``willContinue`` says so."""
        name = call.get("name")
        if name and self._streamed is not None:
            self._end_streamed()  # a new call: the open one is complete
        streamed = self._streamed
        if streamed is None:
            if not any(call.get(key) for key in _CALL_FIELDS):
                return  # the empty part that ends a call already ended
            given = call.get("id")
            name = str(name or "")
            id_ = given if isinstance(given, str) and given else self._ids(name)
            self._framer.tool_start(id_, name)
            streamed = self._streamed = (id_, dict(metadata), PartialCall())
        elif metadata and not streamed[1]:
            streamed[1].update(metadata)
        id_, _, partial = streamed
        args = call.get("args")
        if isinstance(args, dict) and args:
            partial.set_whole(args)
        partials = call.get("partialArgs") or []
        if not isinstance(partials, list):
            raise self._error(f"'partialArgs' is not a list: {partials!r:.200}")
        for arg in partials:
            text = partial.add(arg)
            if text:
                self._framer.tool_delta(id_, text)
        if not call.get("willContinue"):
            self._end_streamed()

    def _end_streamed(self) -> None:
        streamed = self._streamed
        if streamed is None:
            return
        self._streamed = None
        id_, metadata, partial = streamed
        closing = partial.close()
        if closing:
            self._framer.tool_delta(id_, closing)
        self._framer.tool_end(id_, input=partial.final(), metadata=metadata)
        self._has_calls = True

    def _hidden_reasoning(self, first: bool, signature: dict[str, Any]) -> None:
        if not (first and self._include_thoughts):
            return
        if signature or count(self._usage, "thoughtsTokenCount", self._provider) > 0:
            rid = f"reasoning-{self._reasoning}"
            self._framer.reasoning(rid, "")
            self._framer.end_reasoning(rid)
            self._reasoning += 1

    def _end_text(self) -> None:
        tid = f"text-{self._text}"
        if self._framer.is_open("text", tid):
            self._framer.end_text(tid)
            self._text += 1

    def _end_reasoning(self) -> None:
        rid = f"reasoning-{self._reasoning}"
        if self._framer.is_open("reasoning", rid):
            self._framer.end_reasoning(rid)
            self._reasoning += 1

    def finish(self) -> list[StreamPart]:
        """The closing parts once a finishReason (or a blocked prompt) has arrived."""
        framer = self._framer
        self._end_streamed()  # a stream that ended without the call's closing part
        framer.close()
        candidate = self._candidate
        for source in sources(candidate):
            framer.emit(source)
        framer.emit(
            Finish(
                finish_reason=finish_reason(self._chunk, candidate, self._has_calls),
                usage=convert_usage(self._usage, self._provider),
                provider_metadata=response_metadata(self._chunk, candidate),
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()
