"""An agent's stream as AG-UI events (https://docs.ag-ui.com), typed and encoded by the
``ag-ui-protocol`` package (``pip install 'reverie[ui]'``): camelCase JSON over SSE.

``RUN_STARTED``; per step ``STEP_STARTED``/``STEP_FINISHED``; text as
``TEXT_MESSAGE_START``/``_CONTENT``/``_END``; reasoning as ``REASONING_START``,
``REASONING_MESSAGE_START``/``_CONTENT``/``_END``, ``REASONING_END``; tool calls as
``TOOL_CALL_START``/``_ARGS``/``_END`` (a call that arrived whole gets all three), results
as ``TOOL_CALL_RESULT``; calls waiting for a person and partial outputs as ``CUSTOM``
events (``reverie.approval_required``, ``reverie.partial_output``); then ``RUN_FINISHED``
with the final text as its result, or ``RUN_ERROR`` with ``on_error(error)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING, Any

from reverie.errors import ConfigurationError
from reverie.ui.common import OnError, hide_error, output_value

if TYPE_CHECKING:
    from reverie.agent.events import AgentEvent


def _core() -> Any:
    try:
        import ag_ui.core as core
    except ImportError:
        raise ConfigurationError(
            "AG-UI needs its protocol package: pip install 'reverie[ui]' (ag-ui-protocol)"
        ) from None
    return core


class _Events:
    def __init__(self, core: Any, run_id: str) -> None:
        self.core = core
        self.run_id = run_id
        self.step = 0
        self.started: set[str] = set()

    def mid(self, raw: str) -> str:
        return f"{self.run_id}-s{self.step}-{raw}"

    def of(self, event: AgentEvent) -> list[Any]:
        from reverie import content, model
        from reverie.agent import events

        c = self.core
        if isinstance(event, model.TextDelta):
            if not event.delta:
                return []
            return [c.TextMessageContentEvent(message_id=self.mid(event.id), delta=event.delta)]
        if isinstance(event, model.TextStart):
            return [c.TextMessageStartEvent(message_id=self.mid(event.id), role="assistant")]
        if isinstance(event, model.TextEnd):
            return [c.TextMessageEndEvent(message_id=self.mid(event.id))]
        if isinstance(event, model.ReasoningStart):
            mid = self.mid("r" + event.id)
            return [
                c.ReasoningStartEvent(message_id=mid),
                c.ReasoningMessageStartEvent(message_id=mid, role="reasoning"),
            ]
        if isinstance(event, model.ReasoningDelta):
            if not event.delta:
                return []
            mid = self.mid("r" + event.id)
            return [c.ReasoningMessageContentEvent(message_id=mid, delta=event.delta)]
        if isinstance(event, model.ReasoningEnd):
            mid = self.mid("r" + event.id)
            return [c.ReasoningMessageEndEvent(message_id=mid), c.ReasoningEndEvent(message_id=mid)]
        if isinstance(event, model.ToolInputStart):
            self.started.add(event.id)
            return [c.ToolCallStartEvent(tool_call_id=event.id, tool_call_name=event.tool_name)]
        if isinstance(event, model.ToolInputDelta):
            if not event.delta:
                return []
            return [c.ToolCallArgsEvent(tool_call_id=event.id, delta=event.delta)]
        if isinstance(event, content.ToolCall):
            out = []
            if event.tool_call_id not in self.started:
                out.append(
                    c.ToolCallStartEvent(
                        tool_call_id=event.tool_call_id, tool_call_name=event.tool_name
                    )
                )
                if event.input:
                    out.append(
                        c.ToolCallArgsEvent(tool_call_id=event.tool_call_id, delta=event.input)
                    )
            self.started.discard(event.tool_call_id)
            out.append(c.ToolCallEndEvent(tool_call_id=event.tool_call_id))
            return out
        if isinstance(event, content.ToolResult):
            value = output_value(event.output)
            text = value if isinstance(value, str) else _dumps(value)
            return [
                c.ToolCallResultEvent(
                    message_id=f"{self.run_id}-result-{event.tool_call_id}",
                    tool_call_id=event.tool_call_id,
                    content=text,
                    role="tool",
                )
            ]
        if isinstance(event, events.StepStart):
            self.step = event.number
            return [c.StepStartedEvent(step_name=f"step {event.number}")]
        if isinstance(event, events.StepFinish):
            return [c.StepFinishedEvent(step_name=f"step {event.step.number}")]
        if isinstance(event, events.ApprovalRequired):
            calls = [
                {"toolCallId": p.tool_call_id, "toolName": p.tool_name, "input": p.input}
                for p in event.calls
            ]
            return [c.CustomEvent(name="reverie.approval_required", value=calls)]
        if isinstance(event, events.PartialOutput):
            return [c.CustomEvent(name="reverie.partial_output", value=event.output)]
        return []


def _dumps(value: Any) -> str:
    from reverie.ui.common import dumps

    return dumps(value)


async def agui_events(
    events: AsyncIterable[AgentEvent],
    *,
    thread_id: str,
    run_id: str,
    on_error: OnError = hide_error,
) -> AsyncIterator[Any]:
    """The run as ``ag_ui.core`` event objects, ``RUN_STARTED`` to ``RUN_FINISHED``."""
    from reverie.agent.events import RunFinish

    core = _core()
    yield core.RunStartedEvent(thread_id=thread_id, run_id=run_id)
    mapper = _Events(core, run_id)
    result_text: str | None = None
    try:
        async for event in events:
            if isinstance(event, RunFinish):
                result_text = event.result.text
            for out in mapper.of(event):
                yield out
    except Exception as error:
        yield core.RunErrorEvent(message=on_error(error))
        return
    yield core.RunFinishedEvent(thread_id=thread_id, run_id=run_id, result=result_text)


async def agui_stream(
    events: AsyncIterable[AgentEvent],
    *,
    thread_id: str,
    run_id: str,
    on_error: OnError = hide_error,
) -> AsyncIterator[str]:
    """:func:`agui_events` as server-sent-event text (``text/event-stream``)."""
    from ag_ui.encoder import EventEncoder

    encoder = EventEncoder()
    async for event in agui_events(events, thread_id=thread_id, run_id=run_id, on_error=on_error):
        yield encoder.encode(event)
