"""AG-UI ``messages`` (camelCase JSON, as in a ``RunAgentInput`` body) → reverie messages.

``user`` content is a string or a list of ``text`` and ``binary`` parts; ``assistant``
messages carry ``content`` and ``toolCalls``; ``tool`` messages answer a call by
``toolCallId`` (with ``error`` for a failed call); ``system`` and ``developer`` messages
become system turns; ``reasoning`` and ``activity`` messages are display only and skipped.
A tool message directly after another joins its turn. Nothing a browser sends becomes a
provider option, signature or cache marker.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.messages import (
    ErrorOutput,
    Message,
    Part,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from reverie.ui.parse import UIMessageError, field, file_part


def from_agui_messages(messages: Any, *, allow_urls: bool = False) -> list[Message]:
    if not isinstance(messages, list):
        raise UIMessageError("messages: expected a list")
    out: list[Message] = []
    names: dict[str, str] = {}  # tool call id → tool name, for the results
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        role = field(message, "role", where, str)
        if role == "user":
            out.append(Message(role="user", content=tuple(_user(message, where, allow_urls))))
        elif role in ("system", "developer"):
            out.append(
                Message(
                    role="system", content=(TextPart(text=field(message, "content", where, str)),)
                )
            )
        elif role == "assistant":
            parts = _assistant(message, where, names)
            if parts:
                out.append(Message(role="assistant", content=tuple(parts)))
        elif role == "tool":
            result = _result(message, where, names)
            if out and out[-1].role == "tool":
                out[-1] = Message(role="tool", content=(*out[-1].content, result))
            else:
                out.append(Message(role="tool", content=(result,)))
        elif role not in ("reasoning", "activity"):
            raise UIMessageError(f"{where}.role: {role!r} is not an AG-UI role")
    return out


def _user(message: Any, where: str, allow_urls: bool) -> list[Part]:
    content = field(message, "content", where, (str, list))
    if isinstance(content, str):
        return [TextPart(text=content)]
    parts: list[Part] = []
    for number, part in enumerate(content):
        at = f"{where}.content[{number}]"
        kind = field(part, "type", at, str)
        if kind == "text":
            parts.append(TextPart(text=field(part, "text", at, str)))
        elif kind == "binary":
            media = field(part, "mimeType", at, str)
            name = field(part, "filename", at, str, default=None)
            data = field(part, "data", at, str, default=None)
            url = f"data:{media};base64,{data}" if data is not None else field(part, "url", at, str)
            parts.append(file_part(url, media, name, at, allow_urls=allow_urls))
        else:
            raise UIMessageError(f"{at}.type: {kind!r} content is not read (text, binary)")
    return parts


def _assistant(message: Any, where: str, names: dict[str, str]) -> list[Part]:
    parts: list[Part] = []
    text = field(message, "content", where, str, default="")
    if text:
        parts.append(TextPart(text=text))
    for number, call in enumerate(field(message, "toolCalls", where, list, default=[])):
        at = f"{where}.toolCalls[{number}]"
        call_id = field(call, "id", at, str)
        function = field(call, "function", at, dict)
        name = field(function, "name", f"{at}.function", str)
        arguments = field(function, "arguments", f"{at}.function", str)
        try:
            json.loads(arguments or "{}")
        except ValueError:
            raise UIMessageError(f"{at}.function.arguments: not JSON") from None
        names[call_id] = name
        parts.append(ToolCallPart(tool_call_id=call_id, tool_name=name, input=arguments or "{}"))
    return parts


def _result(message: Any, where: str, names: dict[str, str]) -> ToolResultPart:
    call_id = field(message, "toolCallId", where, str)
    if call_id not in names:
        raise UIMessageError(f"{where}.toolCallId: answers no earlier tool call")
    error = field(message, "error", where, str, default=None)
    content = field(message, "content", where, (str, list), default="")
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    output: TextOutput | ErrorOutput = (
        ErrorOutput(message=error) if error is not None else TextOutput(text=text)
    )
    return ToolResultPart(tool_call_id=call_id, tool_name=names[call_id], output=output)
