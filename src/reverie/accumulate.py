"""Fold a stream of parts into the Response that ``generate`` would have returned."""

from __future__ import annotations

from dataclasses import dataclass, field

from reverie.content import Content, File, Reasoning, Source, Text, ToolCall, ToolResult
from reverie.errors import StreamError
from reverie.finish_reason import FinishReason
from reverie.messages import Metadata
from reverie.model import (
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
)


@dataclass(slots=True)
class _Block:
    kind: str  # "text" or "reasoning"
    chunks: list[str] = field(default_factory=list)
    metadata: Metadata = field(default_factory=dict)


class StreamAccumulator:
    """Collects parts in arrival order; blocks take the position of their start part."""

    __slots__ = ("_blocks", "_finish", "_slots")

    def __init__(self) -> None:
        self._slots: list[Content | _Block] = []
        self._blocks: dict[tuple[str, str], _Block] = {}
        self._finish: Finish | None = None

    def add(self, part: StreamPart) -> None:
        match part:
            case TextStart(id=id_):
                self._open("text", id_, {})
            case TextDelta(id=id_, delta=delta):
                self._block("text", id_).chunks.append(delta)
            case TextEnd(id=id_, provider_metadata=meta):
                if meta:
                    self._block("text", id_).metadata = meta
            case ReasoningStart(id=id_, provider_metadata=meta):
                self._open("reasoning", id_, meta)
            case ReasoningDelta(id=id_, delta=delta):
                self._block("reasoning", id_).chunks.append(delta)
            case ReasoningEnd(id=id_, provider_metadata=meta):
                if meta:
                    self._block("reasoning", id_).metadata = meta
            case ToolCall() | Source() | File() | ToolResult():
                self._slots.append(part)
            case Finish():
                self._finish = part
            case ErrorPart(error=error):
                raise error
            case _:
                pass  # tool-input framing and ends carry nothing the response keeps

    def _open(self, kind: str, id_: str, meta: Metadata) -> None:
        block = _Block(kind, metadata=dict(meta))
        self._blocks[(kind, id_)] = block
        self._slots.append(block)

    def _block(self, kind: str, id_: str) -> _Block:
        block = self._blocks.get((kind, id_))
        if block is None:  # a delta without a start: be lenient, open it here
            self._open(kind, id_, {})
            block = self._blocks[(kind, id_)]
        return block

    def response(self) -> Response:
        if self._finish is None:
            raise StreamError("stream ended without a finish part")
        content: list[Content] = []
        for slot in self._slots:
            if isinstance(slot, _Block):
                text = "".join(slot.chunks)
                if slot.kind == "text":
                    # An empty text block still counts when it carries metadata (Gemini
                    # streams a signature on a part with no text; it must be replayed).
                    if text or slot.metadata:
                        content.append(Text(text=text, provider_metadata=slot.metadata))
                else:
                    content.append(Reasoning(text=text, provider_metadata=slot.metadata))
            else:
                content.append(slot)
        finish = self._finish
        return Response(
            content=content,
            finish_reason=finish.finish_reason,
            usage=finish.usage,
            provider_metadata=finish.provider_metadata,
            warnings=list(finish.warnings),
            model_id=finish.model_id,
            attempts=finish.attempts,
        )

    @property
    def finish_reason(self) -> FinishReason | None:
        return None if self._finish is None else self._finish.finish_reason
