"""Our messages → chat-completions ``messages``."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolOutput,
    ToolResultPart,
)
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.warning import CallWarning


def convert_messages(
    prompt: Sequence[Message], dialect: ChatDialect
) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    out: list[dict[str, Any]] = []
    warnings: list[CallWarning] = []
    for message in prompt:
        if message.role == "system":
            out.append({"role": "system", "content": _joined_text(message)})
        elif message.role == "user":
            out.append({"role": "user", "content": _user_content(message, warnings)})
        elif message.role == "assistant":
            out.append(_assistant(message, dialect))
        else:
            for part in message.content:
                if isinstance(part, ToolResultPart):
                    out.append(
                        {
                            "role": "tool",
                            "tool_call_id": part.tool_call_id,
                            "content": _tool_output(part.output, warnings),
                        }
                    )
    return out, warnings


def _joined_text(message: Message) -> str:
    return "\n".join(p.text for p in message.content if isinstance(p, TextPart))


def _user_content(message: Message, warnings: list[CallWarning]) -> str | list[dict[str, Any]]:
    parts = message.content
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        return parts[0].text
    content: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, TextPart):
            content.append({"type": "text", "text": part.text})
        elif isinstance(part, FilePart):
            wire = _file(part)
            if wire is None:
                warnings.append(
                    CallWarning(
                        kind="other",
                        message=f"file of media type {part.media_type} is not supported "
                        "by chat completions and was not sent",
                    )
                )
            else:
                content.append(wire)
    return content


def _file(part: FilePart) -> dict[str, Any] | None:
    media = part.media_type
    if media.startswith("image/"):
        return {"type": "image_url", "image_url": {"url": _data_url(part)}}
    if part.url is None and media in ("audio/wav", "audio/mpeg", "audio/mp3"):
        fmt = "wav" if media == "audio/wav" else "mp3"
        data = base64.b64encode(part.data).decode("ascii")
        return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}
    if media == "application/pdf":
        file: dict[str, Any] = {"filename": part.filename or "document.pdf"}
        file["file_data"] = _data_url(part)
        return {"type": "file", "file": file}
    return None


def _data_url(part: FilePart) -> str:
    if part.url is not None:
        return part.url
    return f"data:{part.media_type};base64,{base64.b64encode(part.data).decode('ascii')}"


def _assistant(message: Message, dialect: ChatDialect) -> dict[str, Any]:
    text = ""
    calls: list[dict[str, Any]] = []
    reasoning: list[ReasoningPart] = []
    for part in message.content:
        if isinstance(part, TextPart):
            text += part.text
        elif isinstance(part, ToolCallPart) and not part.provider_executed:
            calls.append(
                {
                    "id": part.tool_call_id,
                    "type": "function",
                    "function": {"name": part.tool_name, "arguments": part.input},
                }
            )
        elif isinstance(part, ReasoningPart):
            reasoning.append(part)
    wire: dict[str, Any] = {"role": "assistant"}
    # An empty content key is left out: the recorded requests never carry "content": "".
    if text:
        wire["content"] = text
    if calls:
        wire["tool_calls"] = calls
    wire.update(dialect.assistant_reasoning(reasoning))
    return wire


def _tool_output(output: ToolOutput, warnings: list[CallWarning]) -> str:
    if isinstance(output, TextOutput):
        return output.text
    if isinstance(output, ErrorOutput):
        return output.message
    assert isinstance(output, MediaOutput)
    warnings.append(
        CallWarning(
            kind="other",
            message="chat completions cannot take media in tool results; sent its text only",
        )
    )
    return output.text or f"[{output.media_type} result omitted]"
