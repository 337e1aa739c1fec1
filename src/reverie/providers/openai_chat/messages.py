"""Our messages → chat-completions ``messages``.

A message or part whose provider options ask for extra wire fields (a cache marker, through
``ChatDialect.extra_fields``) gets them where gateways read them: on the system or user
message object when its content is a plain string, else on the marked content part (a
message-level marker goes to the last part); on an assistant message's last tool-call entry
(its last part; a marked tool-call part marks its own entry), on the message object when it
has none; never on tool-role messages.

A history from elsewhere goes through :func:`reverie.providers.portable.prepare` first, with
the dialect's :func:`target`: its tool-call id rule, the reasoning metadata it replays (a
gateway's ``reasoning_details``), and whether plain reasoning text goes back. An assistant
turn left with nothing to send is left out. Tool messages take text only, so an image a tool
returned (a screenshot) follows the turn's tool messages in a user message.
"""

from __future__ import annotations

import base64
import functools
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
    file_url,
)
from reverie.providers.openai_chat.dialect import ChatDialect
from reverie.providers.portable import (
    ForeignReasoning,
    IdRule,
    Target,
    prepare,
    web_file,
    web_url,
)
from reverie.warning import CallWarning


def target(dialect: ChatDialect, host: str) -> Target:
    return _target(
        dialect.replay_namespace,
        dialect.tool_ids,
        dialect.tool_names,
        dialect.plain_reasoning,
        host,
    )


@functools.lru_cache(maxsize=64)  # a Target is frozen: one per dialect and host, built once
def _target(
    replay: str | None, ids: IdRule, names: IdRule, plain_reasoning: bool, host: str
) -> Target:
    return Target(
        host=host,
        namespace=replay,
        reasoning_hosts=frozenset({replay}) if replay else frozenset(),
        ids=ids,
        names=names,
        plain_reasoning=plain_reasoning,
        assistant_files=False,
        file_urls=web_file if host == "openrouter" else image_url,
    )


def image_url(part: FilePart) -> bool:
    """Chat completions reads images by URL (``image_url``); a ``file`` part takes base64
    ``file_data`` or a ``file_id``, not a URL (OpenRouter documents PDF URLs there too)."""
    return part.media_type.startswith("image/") and web_url(part.url or "")


def convert_messages(
    prompt: Sequence[Message],
    dialect: ChatDialect,
    namespace: str = "",
    *,
    foreign_reasoning: ForeignReasoning | None = None,
) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    out: list[dict[str, Any]] = []
    host = namespace or "openai"
    prompt, warnings = prepare(prompt, target(dialect, host), foreign_reasoning or "drop")
    for message in prompt:
        extra = dialect.extra_fields(message.provider_options, namespace)
        if message.role == "system":
            system: dict[str, Any] = {"role": "system", "content": _joined_text(message)}
            out.append(system | (extra or _any_part_fields(message, dialect, namespace)))
        elif message.role == "user":
            out.append(_user(message, dialect, namespace, extra, warnings))
        elif message.role == "assistant":
            wire = _assistant(message, dialect, namespace, extra)
            if len(wire) > 1:  # more than its role: chat refuses an empty assistant message
                out.append(wire)
        else:
            images: list[dict[str, Any]] = []
            for part in message.content:
                if isinstance(part, ToolResultPart):
                    out.append(
                        {
                            "role": "tool",
                            "tool_call_id": part.tool_call_id,
                            "content": _tool_output(part.output, warnings, images),
                        }
                    )
            if images:
                # Tool messages take text only: the images (and PDFs) follow in a user message.
                kind = "images" if all(i["type"] == "image_url" for i in images) else "files"
                text = {"type": "text", "text": f"[{kind} returned by the tools above]"}
                out.append({"role": "user", "content": [text, *images]})
    return out, warnings


def _joined_text(message: Message) -> str:
    return "\n".join(p.text for p in message.content if isinstance(p, TextPart))


def _any_part_fields(message: Message, dialect: ChatDialect, namespace: str) -> dict[str, Any]:
    """Extra fields asked for by a part of a message sent as one string (the last one wins)."""
    fields: dict[str, Any] = {}
    for part in message.content:
        fields.update(dialect.extra_fields(part.provider_options, namespace))
    return fields


def _user(
    message: Message,
    dialect: ChatDialect,
    namespace: str,
    extra: dict[str, Any],
    warnings: list[CallWarning],
) -> dict[str, Any]:
    parts = message.content
    if len(parts) == 1 and isinstance(parts[0], TextPart):
        plain: dict[str, Any] = {"role": "user", "content": parts[0].text}
        return plain | (extra or _any_part_fields(message, dialect, namespace))
    content: list[dict[str, Any]] = []
    for part in parts:
        before = len(content)
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
        if len(content) > before:
            content[-1].update(dialect.extra_fields(part.provider_options, namespace))
    if extra and content:
        content[-1].update(extra)
    return {"role": "user", "content": content}


def _file(part: FilePart) -> dict[str, Any] | None:
    media = part.media_type
    if media.startswith("image/"):
        return {"type": "image_url", "image_url": {"url": file_url(part)}}
    if part.url is None and media in ("audio/wav", "audio/mpeg", "audio/mp3"):
        fmt = "wav" if media == "audio/wav" else "mp3"
        data = base64.b64encode(part.data).decode("ascii")
        return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}
    if media == "application/pdf":
        file: dict[str, Any] = {"filename": part.filename or "document.pdf"}
        file["file_data"] = file_url(part)
        return {"type": "file", "file": file}
    return None


def _assistant(
    message: Message, dialect: ChatDialect, namespace: str, extra: dict[str, Any]
) -> dict[str, Any]:
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
                    **dialect.extra_fields(part.provider_options, namespace),
                }
            )
        elif isinstance(part, ReasoningPart):
            reasoning.append(part)
    wire: dict[str, Any] = {"role": "assistant"}
    # An empty content key is left out: the recorded requests never carry "content": "".
    if text:
        wire["content"] = text
    elif calls and dialect.assistant_tool_call_content != "omit":
        wire["content"] = None if dialect.assistant_tool_call_content == "null" else ""
    if calls:
        wire["tool_calls"] = calls
        calls[-1].update(extra)  # the message's marker: on its last part only
    else:
        wire.update(extra or _any_part_fields(message, dialect, namespace))
    wire.update(dialect.assistant_reasoning(reasoning))
    if len(wire) > 1 and "content" not in wire and not calls:
        # A turn of reasoning only: chat takes no assistant message without content or tool
        # calls (llama.cpp's server refuses one), so its content is empty.
        wire["content"] = ""
    return wire


def _tool_output(
    output: ToolOutput, warnings: list[CallWarning], images: list[dict[str, Any]]
) -> str:
    if isinstance(output, TextOutput):
        return output.text
    if isinstance(output, ErrorOutput):
        return output.message
    assert isinstance(output, MediaOutput)
    if output.media_type.startswith("image/"):
        url = f"data:{output.media_type};base64,{output.data}"
        images.append({"type": "image_url", "image_url": {"url": url}})
        return output.text or f"[{output.media_type} result: the image follows]"
    if output.media_type == "application/pdf":  # a user message's file part takes it
        file = {"filename": "result.pdf", "file_data": f"data:application/pdf;base64,{output.data}"}
        images.append({"type": "file", "file": file})
        return output.text or "[application/pdf result: the file follows]"
    warnings.append(
        CallWarning(
            kind="other",
            message="chat completions cannot take media in tool results; sent its text only",
        )
    )
    omitted = f"[{output.media_type} result omitted]"  # named, even beside the result's text
    return f"{output.text}\n{omitted}" if output.text else omitted
