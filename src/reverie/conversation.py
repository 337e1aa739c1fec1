"""A model turn's content as conversation messages: what the agent loop appends to the
history after each step, and what anything replaying a ``Response`` needs (tests, the CLI).

Provider metadata on content becomes ``provider_options`` on the parts, so it is replayed.
Nothing here knows that agents exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from reverie.content import Content, File, Reasoning, Text, ToolCall, ToolResult
from reverie.messages import (
    FilePart,
    Message,
    Part,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)


def to_messages(content: Sequence[Content], results: Sequence[ToolResult]) -> list[Message]:
    """A step's content as conversation messages: the assistant turn, then the tool turn."""
    parts: list[Part] = []
    for item in content:
        if isinstance(item, Text):
            parts.append(TextPart(text=item.text, provider_options=item.provider_metadata))
        elif isinstance(item, Reasoning):
            parts.append(ReasoningPart(text=item.text, provider_options=item.provider_metadata))
        elif isinstance(item, File):
            parts.append(
                FilePart(
                    data=item.data,
                    media_type=item.media_type,
                    provider_options=item.provider_metadata,
                )
            )
        elif isinstance(item, ToolCall):
            parts.append(
                ToolCallPart(
                    tool_call_id=item.tool_call_id,
                    tool_name=item.tool_name,
                    input=item.input,
                    provider_executed=item.provider_executed,
                    provider_options=item.provider_metadata,
                )
            )
        elif isinstance(item, ToolResult) and item.provider_executed:
            parts.append(result_part(item))
    out: list[Message] = []
    if parts:
        out.append(Message(role="assistant", content=tuple(parts)))
    if results:
        out.append(Message(role="tool", content=tuple(result_part(r) for r in results)))
    return out


def result_part(result: ToolResult) -> ToolResultPart:
    return ToolResultPart(
        tool_call_id=result.tool_call_id,
        tool_name=result.tool_name,
        output=result.output,
        provider_executed=result.provider_executed,
        provider_options=result.provider_metadata,
    )
