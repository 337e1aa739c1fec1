"""An agent's stream as the AI SDK's UI message stream (protocol v1, AI SDK 5 and later).

Server-sent events, each ``data:`` a JSON chunk with only the keys the protocol documents:
``start``; per step ``start-step`` … ``finish-step``; text and reasoning as
``*-start``/``*-delta``/``*-end`` by id; tool input as ``tool-input-start``/``-delta`` then
``tool-input-available`` (or ``tool-input-error`` for input that is not JSON); tool results
as ``tool-output-available`` or ``tool-output-error``; calls waiting for a person as
``tool-approval-request``; ``source-url``/``source-document``; ``file``; ``error``;
``finish``; then ``data: [DONE]``. The response carries the header
``x-vercel-ai-ui-message-stream: v1`` (:data:`UI_MESSAGE_STREAM_HEADERS`).

Text and reasoning ids are the provider's, prefixed with the step (``s1-…``), so two steps'
parts never share one. An error that ends the run becomes one ``error`` chunk whose text is
``on_error(error)`` (by default a generic sentence: messages may quote prompts or secrets).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING, Any

from reverie.ui.common import OnError, dumps, hide_error, input_value, is_error, output_value, sse

if TYPE_CHECKING:
    from reverie.agent.events import AgentEvent

UI_MESSAGE_STREAM_HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "connection": "keep-alive",
    "x-vercel-ai-ui-message-stream": "v1",
    "x-accel-buffering": "no",
}

_FINISH_REASONS = {"stop", "length", "content-filter", "tool-calls", "error", "other"}


class _Chunker:
    """Turns one event into its chunks, keeping the step number for ids."""

    def __init__(self) -> None:
        self.step = 0
        self.finish_reason: str | None = None

    def ident(self, raw: str) -> str:
        return f"s{self.step}-{raw}"

    def chunks(self, event: AgentEvent) -> list[dict[str, Any]]:
        from reverie import content, model
        from reverie.agent import events

        if isinstance(event, model.TextDelta):
            return [{"type": "text-delta", "id": self.ident(event.id), "delta": event.delta}]
        if isinstance(event, model.TextStart):
            return [{"type": "text-start", "id": self.ident(event.id)}]
        if isinstance(event, model.TextEnd):
            return [{"type": "text-end", "id": self.ident(event.id)}]
        if isinstance(event, model.ReasoningDelta):
            return [{"type": "reasoning-delta", "id": self.ident(event.id), "delta": event.delta}]
        if isinstance(event, model.ReasoningStart):
            return [{"type": "reasoning-start", "id": self.ident(event.id)}]
        if isinstance(event, model.ReasoningEnd):
            return [{"type": "reasoning-end", "id": self.ident(event.id)}]
        if isinstance(event, model.ToolInputStart):
            chunk: dict[str, Any] = {
                "type": "tool-input-start",
                "toolCallId": event.id,
                "toolName": event.tool_name,
            }
            if event.provider_executed:
                chunk["providerExecuted"] = True
            return [chunk]
        if isinstance(event, model.ToolInputDelta):
            return [
                {"type": "tool-input-delta", "toolCallId": event.id, "inputTextDelta": event.delta}
            ]
        if isinstance(event, content.ToolCall):
            return [self.tool_call(event)]
        if isinstance(event, content.ToolResult):
            return [self.tool_result(event)]
        if isinstance(event, content.Source):
            return [self.source(event)]
        if isinstance(event, content.File):
            data = base64.b64encode(event.data).decode()
            return [
                {
                    "type": "file",
                    "url": f"data:{event.media_type};base64,{data}",
                    "mediaType": event.media_type,
                }
            ]
        if isinstance(event, events.StepStart):
            self.step = event.number
            return [{"type": "start-step"}]
        if isinstance(event, events.StepFinish):
            self.finish_reason = str(event.step.finish_reason)
            return [{"type": "finish-step"}]
        if isinstance(event, events.ApprovalRequired):
            return [
                {
                    "type": "tool-approval-request",
                    "approvalId": call.tool_call_id,
                    "toolCallId": call.tool_call_id,
                }
                for call in event.calls
            ]
        if isinstance(event, events.PartialOutput):
            return [
                {"type": "data-output", "id": "output", "data": event.output, "transient": True}
            ]
        return []  # ToolInputEnd (the whole call follows), Finish, RunFinish: nothing to show

    def tool_call(self, call: Any) -> dict[str, Any]:
        value, parsed = input_value(call.input)
        chunk: dict[str, Any] = {
            "type": "tool-input-available" if parsed and not call.invalid else "tool-input-error",
            "toolCallId": call.tool_call_id,
            "toolName": call.tool_name,
            "input": value,
        }
        if call.provider_executed:
            chunk["providerExecuted"] = True
        if chunk["type"] == "tool-input-error":
            chunk["errorText"] = call.error or "the input is not valid JSON"
        return chunk

    def tool_result(self, result: Any) -> dict[str, Any]:
        if is_error(result.output):
            chunk: dict[str, Any] = {
                "type": "tool-output-error",
                "toolCallId": result.tool_call_id,
                "errorText": output_value(result.output),
            }
        else:
            chunk = {
                "type": "tool-output-available",
                "toolCallId": result.tool_call_id,
                "output": output_value(result.output),
            }
        if result.provider_executed:
            chunk["providerExecuted"] = True
        return chunk

    def source(self, source: Any) -> dict[str, Any]:
        if source.source_type == "url" and source.url:
            chunk: dict[str, Any] = {"type": "source-url", "sourceId": source.id, "url": source.url}
            if source.title:
                chunk["title"] = source.title
            return chunk
        chunk = {
            "type": "source-document",
            "sourceId": source.id,
            "mediaType": source.media_type or "application/octet-stream",
            "title": source.title or source.filename or source.id,
        }
        if source.filename:
            chunk["filename"] = source.filename
        return chunk


async def ui_message_chunks(
    events: AsyncIterable[AgentEvent],
    *,
    message_id: str | None = None,
    on_error: OnError = hide_error,
) -> AsyncIterator[dict[str, Any]]:
    """The stream's chunks as dicts, ``start`` to ``finish`` (without ``[DONE]``).

    ``message_id`` names the assistant message for the front end (the protocol's optional
    ``messageId``); give one to persist the conversation under a known id."""
    start: dict[str, Any] = {"type": "start"}
    if message_id is not None:
        start["messageId"] = message_id
    yield start
    chunker = _Chunker()
    try:
        async for event in events:
            for chunk in chunker.chunks(event):
                yield chunk
    except Exception as error:  # the run failed: tell the browser, then end the message
        yield {"type": "error", "errorText": on_error(error)}
        yield {"type": "finish", "finishReason": "error"}
        return
    finish: dict[str, Any] = {"type": "finish"}
    if chunker.finish_reason in _FINISH_REASONS:
        finish["finishReason"] = chunker.finish_reason
    yield finish


async def ui_message_stream(
    events: AsyncIterable[AgentEvent],
    *,
    message_id: str | None = None,
    on_error: OnError = hide_error,
) -> AsyncIterator[str]:
    """The UI message stream as server-sent-event text, ending with ``data: [DONE]``; send it
    with :data:`UI_MESSAGE_STREAM_HEADERS` (:class:`~reverie.ui.SseResponse` does)."""
    async for chunk in ui_message_chunks(events, message_id=message_id, on_error=on_error):
        yield sse(dumps(chunk))
    yield sse("[DONE]")
