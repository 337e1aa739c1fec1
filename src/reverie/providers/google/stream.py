"""Gemini ``streamGenerateContent?alt=sse`` events → framed StreamParts.

Gemini sends no terminal event: each event is a whole ``GenerateContentResponse`` holding
the next parts, and the last one carries the candidate's ``finishReason`` (with the final
usage). So the stream is done at the first event with a ``finishReason`` — or with a
``promptFeedback.blockReason``, when the prompt was refused and no candidate comes. A body
that ends before either is cut short and becomes a StreamError through the kit.

Consecutive text parts are one text block; a thought signature ends the block of the part
that carried it (a signature on an empty text part after a function call is a block of its
own, with no text), so it goes back on the same kind of part next turn. Thought parts are
reasoning blocks; function calls arrive whole.

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
from reverie.providers.google.response import (
    finish_reason,
    first_candidate,
    read_call,
    read_file,
    response_metadata,
    sources,
)
from reverie.providers.google.signature import signature_metadata
from reverie.providers.google.usage import convert_usage, count
from reverie.warning import CallWarning


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
        metadata = signature_metadata(part, self._provider)
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
            id_, name, input_ = read_call(part["functionCall"], self._provider, self._ids)
            framer.tool_end(id_, input=input_, name=name, metadata=metadata)
            self._has_calls = True
        elif "inlineData" in part:
            framer.emit(read_file(part["inlineData"], self._provider))

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
