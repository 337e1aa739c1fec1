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
from reverie.framer import Framer
from reverie.model import Call, ErrorPart, Finish, Response, StreamPart
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
    """The stream parts a provider would send for ``response``, framed as every parser frames
    them (a scripted tool call with empty input streams as ``{}``, as from any provider)."""
    framer = Framer()
    for index, item in enumerate(response.content):
        if isinstance(item, Text):
            id_ = f"text-{index}"
            framer.text(id_, "")  # an empty part still opens, so its metadata survives
            for chunk in _chunks(item.text, chunk_size):
                framer.text(id_, chunk)
            framer.end_text(id_, item.provider_metadata)
        elif isinstance(item, Reasoning):
            id_ = f"reasoning-{index}"
            framer.reasoning(id_, "")
            for chunk in _chunks(item.text, chunk_size):
                framer.reasoning(id_, chunk)
            framer.end_reasoning(id_, item.provider_metadata)
        elif isinstance(item, ToolCall):
            id_ = item.tool_call_id
            framer.tool_start(id_, item.tool_name, provider_executed=item.provider_executed)
            for chunk in _chunks(item.input, 4):
                framer.tool_delta(id_, chunk)
            framer.tool_end(id_, metadata=item.provider_metadata)
        else:  # sources, files, provider-executed tool results arrive whole
            framer.emit(item)
    framer.emit(
        Finish(
            finish_reason=response.finish_reason,
            usage=response.usage,
            provider_metadata=response.provider_metadata,
            warnings=list(response.warnings),
            model_id=response.model_id,
        )
    )
    return framer.drain()


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]
