"""The AI SDK front end's ``messages`` (UIMessage objects) → reverie messages.

A user message's ``text`` and ``file`` parts become its parts. An assistant message is split
at its ``step-start`` parts into one assistant turn per step (text, reasoning, tool calls),
each followed by a tool turn with the results its tool parts hold (``output-available``,
``output-error``, ``output-denied``); a call without a result stays unanswered, as a run
stopped for approval leaves it. Sources, data parts and provider metadata are not read back:
what a browser sends is the user's to change, so nothing in it reaches a provider as a
signature, a cache marker or an option.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.messages import (
    ErrorOutput,
    Message,
    Part,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from reverie.ui.parse import UIMessageError, field, file_part

_RESULT_STATES = {"output-available", "output-error", "output-denied"}


def from_ui_messages(messages: Any, *, allow_urls: bool = False) -> list[Message]:
    """``messages`` as the front end sent them (``body["messages"]``) → reverie messages."""
    if not isinstance(messages, list):
        raise UIMessageError("messages: expected a list")
    out: list[Message] = []
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = field(message, "role", where, str)
        parts = field(message, "parts", where, list)
        if role == "assistant":
            out += _assistant(parts, where)
        elif role in ("user", "system"):
            content = _plain(parts, where, allow_urls, files=role == "user")
            if content:
                out.append(Message(role=role, content=tuple(content)))
        else:
            raise UIMessageError(f"{where}.role: expected user, assistant or system")
    return out


def _plain(parts: list[Any], where: str, allow_urls: bool, *, files: bool) -> list[Part]:
    content: list[Part] = []
    for number, part in enumerate(parts):
        at = f"{where}.parts[{number}]"
        kind = field(part, "type", at, str)
        if kind == "text":
            content.append(TextPart(text=field(part, "text", at, str)))
        elif kind == "file" and files:
            content.append(
                file_part(
                    field(part, "url", at, str),
                    field(part, "mediaType", at, str),
                    field(part, "filename", at, str, default=None),
                    at,
                    allow_urls=allow_urls,
                )
            )
    return content


def _assistant(parts: list[Any], where: str) -> list[Message]:
    turns: list[Message] = []
    said: list[Part] = []
    results: list[Part] = []

    def close() -> None:
        if said:
            turns.append(Message(role="assistant", content=tuple(said)))
        if results:
            turns.append(Message(role="tool", content=tuple(results)))
        said.clear()
        results.clear()

    for number, part in enumerate(parts):
        at = f"{where}.parts[{number}]"
        kind = field(part, "type", at, str)
        if kind == "step-start":
            close()
        elif kind == "text":
            said.append(TextPart(text=field(part, "text", at, str)))
        elif kind == "reasoning":
            said.append(ReasoningPart(text=field(part, "text", at, str)))
        elif kind == "dynamic-tool" or kind.startswith("tool-"):
            call, result = _tool(part, kind, at)
            said.append(call)
            if result is not None:
                results.append(result)
    close()
    return turns


def _tool(part: Any, kind: str, at: str) -> tuple[ToolCallPart, ToolResultPart | None]:
    name = field(part, "toolName", at, str) if kind == "dynamic-tool" else kind[5:]
    if not name:
        raise UIMessageError(f"{at}.type: a tool part names its tool: tool-NAME")
    call_id = field(part, "toolCallId", at, str)
    state = field(part, "state", at, str)
    value = part.get("input")
    call = ToolCallPart(
        tool_call_id=call_id,
        tool_name=name,
        input=json.dumps({} if value is None else value, ensure_ascii=False),
        provider_executed=part.get("providerExecuted") is True,
    )
    if state not in _RESULT_STATES:
        return call, None
    if state == "output-available":
        output = part.get("output")
        text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
        result: TextOutput | ErrorOutput = TextOutput(text=text)
    elif state == "output-error":
        result = ErrorOutput(message=field(part, "errorText", at, str, default="the tool failed"))
    else:
        result = ErrorOutput(message="the call was denied")
    return call, ToolResultPart(
        tool_call_id=call_id,
        tool_name=name,
        output=result,
        provider_executed=call.provider_executed,
    )
