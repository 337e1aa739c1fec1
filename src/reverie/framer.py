"""The one place that frames stream parts: start/delta/end for text, reasoning and tool input.

Every stream parser (each wire family, the local model, the scripted test model) says *what*
arrived — a text delta for block ``id``, the end of a reasoning block with its signature, a
tool call's argument fragment — and the framer emits the parts in the contract's order:
a start before the first delta, an end once, the complete ``ToolCall`` after its input end,
and at :meth:`close` the end of every block still open, in the order they opened.

Parts collect in :attr:`out`; a parser hands them on with :meth:`drain`. Kept small and
allocation-light: it sits on every chunk of every stream.
"""

from __future__ import annotations

from reverie.content import ToolCall
from reverie.messages import Metadata
from reverie.model import (
    ReasoningDelta,
    ReasoningEnd,
    ReasoningStart,
    StreamPart,
    TextDelta,
    TextEnd,
    TextStart,
    ToolInputDelta,
    ToolInputEnd,
    ToolInputStart,
)

_EMPTY: Metadata = {}


class _ToolInput:
    __slots__ = ("chunks", "name", "provider_executed")

    def __init__(self, name: str, provider_executed: bool) -> None:
        self.name = name
        self.provider_executed = provider_executed
        self.chunks: list[str] = []


class Framer:
    """Frames one stream's parts. Block ids are the parser's own (``"text-0"``, an item id…)."""

    __slots__ = ("_open", "_tools", "out")

    def __init__(self) -> None:
        self.out: list[StreamPart] = []
        # Open text and reasoning blocks, in opening order: (kind, id).
        self._open: dict[tuple[str, str], None] = {}
        self._tools: dict[str, _ToolInput] = {}

    def drain(self) -> list[StreamPart]:
        """The parts framed since the last drain."""
        parts = self.out
        self.out = []
        return parts

    # ---- text ---------------------------------------------------------------------------

    def text(self, id: str, delta: str) -> None:
        """A text delta for block ``id``; opens the block first if needed."""
        if ("text", id) not in self._open:
            self._open[("text", id)] = None
            self.out.append(TextStart(id))
        if delta:
            self.out.append(TextDelta(id, delta))

    def end_text(self, id: str, metadata: Metadata = _EMPTY) -> None:
        """Ends block ``id`` if it is open. Ending a block that is not open does nothing,
        unless ``metadata`` comes with it: then it is a part with no text (Gemini's
        signature-only part), opened and ended here so the metadata is not lost."""
        if ("text", id) not in self._open:
            if not metadata:
                return
            self.text(id, "")
        del self._open[("text", id)]
        self.out.append(TextEnd(id, dict(metadata)))

    # ---- reasoning ----------------------------------------------------------------------

    def reasoning(self, id: str, delta: str, start_metadata: Metadata = _EMPTY) -> None:
        """A reasoning delta for block ``id`` (empty to only open it)."""
        if ("reasoning", id) not in self._open:
            self._open[("reasoning", id)] = None
            self.out.append(ReasoningStart(id, dict(start_metadata)))
        if delta:
            self.out.append(ReasoningDelta(id, delta))

    def end_reasoning(self, id: str, metadata: Metadata = _EMPTY) -> None:
        """Ends reasoning block ``id``; its metadata (signatures come last) is kept. A block
        never opened is opened here when metadata must survive (redacted reasoning)."""
        if ("reasoning", id) not in self._open:
            if not metadata:
                return
            self.reasoning(id, "")
        del self._open[("reasoning", id)]
        self.out.append(ReasoningEnd(id, dict(metadata)))

    def is_open(self, kind: str, id: str) -> bool:
        """Whether block ``id`` of ``kind`` (``"text"`` or ``"reasoning"``) is open."""
        return (kind, id) in self._open

    # ---- tool input ---------------------------------------------------------------------

    def tool_start(self, id: str, name: str, *, provider_executed: bool = False) -> None:
        """Starts call ``id``'s input; a repeated start of a call in progress is ignored."""
        if id in self._tools:
            return
        self._tools[id] = _ToolInput(name, provider_executed)
        self.out.append(ToolInputStart(id, name, provider_executed))

    def tool_delta(self, id: str, delta: str) -> None:
        """An argument fragment; the call must have been started."""
        if delta:
            self._tools[id].chunks.append(delta)
            self.out.append(ToolInputDelta(id, delta))

    def tool_name(self, id: str) -> str:
        """The name call ``id`` was started with."""
        return self._tools[id].name

    def tool_input(self, id: str) -> str:
        """The input call ``id`` has received so far."""
        return "".join(self._tools[id].chunks)

    def tool_end(
        self,
        id: str,
        *,
        input: str | None = None,
        name: str | None = None,
        metadata: Metadata = _EMPTY,
    ) -> ToolCall:
        """Ends the call's input and emits the complete ``ToolCall``. ``input`` replaces the
        fragments when the wire sends the whole arguments at the end; empty input is ``{}``.
        A call never started is started here (wires that send a call in one piece). Input
        that came whole, with no fragment before it, is also emitted as one delta, so a
        consumer reading the deltas sees every call's input."""
        state = self._tools.get(id)
        if state is None:
            self.tool_start(id, name or "")
            state = self._tools[id]
        if input and not state.chunks:  # whole, not streamed: still one delta, as promised
            self.tool_delta(id, input)
        del self._tools[id]
        text = input if input is not None else "".join(state.chunks)
        call = ToolCall(
            tool_call_id=id,
            tool_name=name or state.name,
            input=text or "{}",
            provider_executed=state.provider_executed,
            provider_metadata=dict(metadata),
        )
        self.out.append(ToolInputEnd(id))
        self.out.append(call)
        return call

    # ---- whole parts and the end ----------------------------------------------------------

    def emit(self, part: StreamPart) -> None:
        """A part that arrives whole: a source, a file, a provider-executed tool result."""
        self.out.append(part)

    def close(self) -> None:
        """Ends every open block in opening order, then every unfinished tool call."""
        for kind, id in list(self._open):
            if kind == "text":
                self.out.append(TextEnd(id))
            else:
                self.out.append(ReasoningEnd(id))
        self._open.clear()
        for id in list(self._tools):
            self.tool_end(id)
