"""Chat-completions stream chunks → framed StreamParts.

Tool calls are emitted whole once the stream finishes, after their input deltas, because
some providers keep sending argument fragments until the very end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reverie.content import ToolCall
from reverie.errors import StreamError
from reverie.messages import Metadata
from reverie.model import (
    Finish,
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.openai_chat.finish_reason import map_finish_reason
from reverie.providers.openai_chat.usage import convert_usage
from reverie.warning import CallWarning

TEXT_ID = "text-0"


@dataclass(slots=True)
class _ToolState:
    id: str
    name: str
    arguments: list[str] = field(default_factory=list)


class ChatStreamParser:
    __slots__ = (
        "_dialect",
        "_finish_reason",
        "_metadata",
        "_model_id",
        "_reasoning",
        "_text_open",
        "_tools",
        "_usage",
        "_warnings",
    )

    def __init__(self, dialect: ChatDialect, warnings: list[CallWarning]) -> None:
        self._dialect = dialect
        self._warnings = warnings
        self._reasoning = dialect.reasoning_stream()
        self._text_open = False
        self._tools: dict[int, _ToolState] = {}
        self._finish_reason: str | None = None
        self._usage: dict[str, Any] | None = None
        self._metadata: Metadata = {}
        self._model_id = ""

    def feed(self, chunk: dict[str, Any]) -> list[StreamPart]:
        error = chunk.get("error")
        if error is not None:
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise StreamError(
                f"{self._dialect.provider}: stream error: {message}",
                provider=self._dialect.provider,
                body=str(error),
            )
        if chunk.get("usage"):
            self._usage = chunk["usage"]
        if not self._model_id and isinstance(chunk.get("model"), str):
            self._model_id = chunk["model"]
        if not self._metadata:  # the same on every chunk: read it until found, not each time
            self._metadata = self._dialect.response_metadata(chunk)
        parts: list[StreamPart] = []
        for choice in chunk.get("choices") or ():
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            parts += self._reasoning.feed(delta)
            text = delta.get("content")
            if isinstance(text, str) and text:
                parts += self._reasoning.close()
                if not self._text_open:
                    self._text_open = True
                    parts.append(TextStart(TEXT_ID))
                parts.append(TextDelta(TEXT_ID, text))
            for position, call in enumerate(delta.get("tool_calls") or ()):
                parts += self._reasoning.close()
                parts += self._tool_delta(call, position)
            if choice.get("finish_reason"):
                self._finish_reason = choice["finish_reason"]
        return parts

    def _tool_delta(self, call: dict[str, Any], position: int) -> list[StreamPart]:
        index = call.get("index", position)
        function = call.get("function") or {}
        state = self._tools.get(index)
        parts: list[StreamPart] = []
        if state is None:
            state = _ToolState(id=call.get("id") or f"call_{index}", name=function.get("name", ""))
            self._tools[index] = state
            parts.append(ToolInputStart(state.id, state.name))
        arguments = function.get("arguments")
        if arguments:
            state.arguments.append(arguments)
            parts.append(ToolInputDelta(state.id, arguments))
        return parts

    def finish(self) -> list[StreamPart]:
        """Parts that close the stream after its terminal ``[DONE]``."""
        parts = self._reasoning.close()
        if self._text_open:
            self._text_open = False
            parts.append(TextEnd(TEXT_ID))
        for state in self._tools.values():
            parts.append(ToolInputEnd(state.id))
            parts.append(
                ToolCall(
                    tool_call_id=state.id,
                    tool_name=state.name,
                    input="".join(state.arguments) or "{}",
                )
            )
        parts.append(
            Finish(
                finish_reason=map_finish_reason(self._finish_reason),
                usage=convert_usage(self._usage),
                provider_metadata=self._metadata,
                warnings=self._warnings,
                model_id=self._model_id,
            )
        )
        return parts
