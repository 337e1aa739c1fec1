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

from reverie.framer import Framer
from reverie.http.fastjson import loads
from reverie.http.sse import ServerSentEvent
from reverie.model import Finish, StreamPart
from reverie.providers.costed import finish_usage
from reverie.providers.google.errors import google_error
from reverie.providers.google.ids import IdGenerator
from reverie.providers.google.partial_args import PartialCall
from reverie.providers.google.response import (
    candidate_parts,
    finish_reason,
    first_candidate,
    read_file,
    response_metadata,
    sources,
)
from reverie.providers.google.signature import signature_metadata
from reverie.providers.google.usage import convert_usage, count
from reverie.providers.wire import Reader
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
        "_read",
        "_reasoning",
        "_requested",
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
        requested: str | None = None,
    ) -> None:
        self._requested = requested
        self._warnings = warnings
        self._include_thoughts = include_thoughts
        self._seen_part = False
        self._provider = provider
        self._read = Reader(provider, stream=True)
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
        try:  # decoded here rather than through the reader: this runs for every chunk
            chunk = loads(data)
        except ValueError:
            if not data.strip():
                return []
            chunk = self._read.event_json(data)  # raises, saying what the event was
        error = google_error(chunk, self._provider, stream=True)
        if error is not None:
            raise error
        if not isinstance(chunk, dict):
            raise self._read.error(f"stream event is not an object: {data[:200]!r}")
        return self.feed_chunk(chunk)

    def feed_chunk(self, chunk: dict[str, Any]) -> list[StreamPart]:
        # The checks are written out here, not called: this runs for every chunk.
        read = self._read
        usage = chunk.get("usageMetadata")
        if usage is not None:
            if not isinstance(usage, dict):
                raise read.malformed("usageMetadata", usage, "an object")
            self._usage.update(usage)  # cumulative: later counts replace earlier ones
        model = chunk.get("modelVersion")
        if model is not None:
            if not isinstance(model, str):
                raise read.malformed("modelVersion", model, "a string")
            self._model_id = model
        self._chunk = chunk
        candidates = chunk.get("candidates")
        candidate = None
        if candidates:
            if not isinstance(candidates, list) or not isinstance(candidates[0], dict):
                candidate = first_candidate(chunk, read)  # raises, naming the field
            else:
                candidate = candidates[0]
        if candidate is not None:
            self._candidate = candidate
            content = candidate.get("content")
            parts = content.get("parts") if isinstance(content, dict) else None
            if not isinstance(parts, list):
                parts = candidate_parts(first_candidate(chunk, read), read)
            for index, part in enumerate(parts):
                if not isinstance(part, dict):
                    where = ("candidates", 0, "content", "parts", index)
                    raise read.malformed(where, part, "an object")
                self._part(part)
            if candidate.get("finishReason"):
                self.done = True
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            self.done = True
        return self._framer.drain()

    def _part(self, part: dict[str, Any]) -> None:
        framer = self._framer
        if len(part) == 1 and self._seen_part:
            # Most parts of a stream: more text for the block already open (no signature,
            # no thought; no reasoning can be open beside it), framed without the rest.
            text = part.get("text")
            if type(text) is str:
                tid = f"text-{self._text}"
                if framer.is_open("text", tid):
                    if text:
                        framer.text(tid, text)
                    return
        metadata = signature_metadata(part, self._provider)
        text = part.get("text")
        if text is not None and not isinstance(text, str):
            raise self._read.malformed("part.text", text, "a string")
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
            self._call_part(self._read.obj(part["functionCall"], "functionCall"), metadata)
        elif "inlineData" in part:
            framer.emit(read_file(part["inlineData"], self._read))

    def _call_part(self, call: dict[str, Any], metadata: dict[str, Any]) -> None:
        """A function call that came whole, or one part of a call whose arguments stream (or
        the empty part that ends one): the call stays open while ``willContinue`` says so."""
        read = self._read
        name = read.name(call.get("name"), "functionCall.name")
        if name and self._streamed is not None:
            self._end_streamed()  # a new call: the open one is complete
        streamed = self._streamed
        if streamed is None:
            if not any(call.get(key) for key in _CALL_FIELDS):
                return  # the empty part that ends a call already ended
            id_ = read.name(call.get("id"), "functionCall.id") or self._ids(name)
            self._framer.tool_start(id_, name)
            streamed = self._streamed = (id_, dict(metadata), PartialCall())
        elif metadata and not streamed[1]:
            streamed[1].update(metadata)
        id_, _, partial = streamed
        args = read.opt_obj(call.get("args"), "functionCall.args")
        if args:
            partial.set_whole(args)
        for arg in read.items(call.get("partialArgs"), "functionCall.partialArgs"):
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
        if signature or count(self._usage, "thoughtsTokenCount", self._read) > 0:
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
                usage=finish_usage(
                    convert_usage(self._usage, self._provider),
                    self._provider,
                    self._model_id,
                    self._requested,
                ),
                provider_metadata=response_metadata(self._chunk, candidate),
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return framer.drain()
