"""A scripted language model for testing agents without HTTP.

Each call takes the next scripted response, in order, and records the Call it was given.
``stream`` frames the same response into parts the way providers do, so ``run`` and
``stream`` over one script must give the same steps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from reverie.content import Reasoning, Text, ToolCall
from reverie.finish_reason import FinishReason
from reverie.model import (
    Call,
    ErrorPart,
    Finish,
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    Response,
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)
from reverie.usage import Usage


def reply(
    text: str = "",
    *,
    tool_calls: Sequence[tuple[str, str, str]] = (),
    reasoning: str | None = None,
    usage: Usage | None = None,
    finish_reason: FinishReason | None = None,
) -> Response:
    """A scripted response: optional reasoning, text, then ``(id, name, input)`` tool calls."""
    content: list[Text | Reasoning | ToolCall] = []
    if reasoning is not None:
        content.append(Reasoning(text=reasoning))
    if text:
        content.append(Text(text=text))
    content += [ToolCall(tool_call_id=i, tool_name=n, input=a) for i, n, a in tool_calls]
    if finish_reason is None:
        finish_reason = FinishReason.TOOL_CALLS if tool_calls else FinishReason.STOP
    return Response(
        content=list(content),
        finish_reason=finish_reason,
        usage=usage or Usage(input_tokens=10, output_tokens=5, total_tokens=15),
    )


@dataclass
class ScriptedModel:
    """Answers calls from ``responses`` in order; an Exception in the script is raised."""

    responses: list[Response | Exception]
    provider: str = "scripted"
    model_id: str = "script"
    calls: list[Call] = field(default_factory=list)
    chunk_size: int = 3
    closed_streams: int = 0

    def _next(self, call: Call) -> Response:
        self.calls.append(call)
        if not self.responses:
            raise AssertionError("the scripted model ran out of responses")
        item = self.responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    async def generate(self, call: Call) -> Response:
        return self._next(call)

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        try:
            try:
                response = self._next(call)
            except Exception as exc:
                yield ErrorPart(exc)
                return
            for part in frame(response, self.chunk_size):
                yield part
        finally:
            self.closed_streams += 1


def frame(response: Response, chunk_size: int = 3) -> list[StreamPart]:
    """The stream parts a provider would send for ``response``."""
    parts: list[StreamPart] = []
    for index, item in enumerate(response.content):
        if isinstance(item, Text):
            id_ = f"text-{index}"
            parts.append(TextStart(id_))
            parts += [TextDelta(id_, c) for c in _chunks(item.text, chunk_size)]
            parts.append(TextEnd(id_, item.provider_metadata))
        elif isinstance(item, Reasoning):
            id_ = f"reasoning-{index}"
            parts.append(ReasoningStart(id_))
            parts += [ReasoningDelta(id_, c) for c in _chunks(item.text, chunk_size)]
            parts.append(ReasoningEnd(id_, item.provider_metadata))
        elif isinstance(item, ToolCall):
            parts.append(ToolInputStart(item.tool_call_id, item.tool_name))
            parts += [ToolInputDelta(item.tool_call_id, c) for c in _chunks(item.input, 4)]
            parts.append(ToolInputEnd(item.tool_call_id))
            parts.append(item)
        else:  # sources, files, provider-executed tool results arrive whole
            parts.append(item)
    parts.append(
        Finish(
            finish_reason=response.finish_reason,
            usage=response.usage,
            provider_metadata=response.provider_metadata,
            warnings=list(response.warnings),
            model_id=response.model_id,
        )
    )
    return parts


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
