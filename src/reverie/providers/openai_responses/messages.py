"""Our messages → Responses ``input`` items.

- system messages become ``system`` or ``developer`` messages (reasoning models take
  ``developer``);
- user text is ``input_text``; images are ``input_image`` (a data URL or the file's URL);
  PDFs are ``input_file``;
- assistant text is an assistant message; tool calls are ``function_call`` items and tool
  results ``function_call_output`` items;
- reasoning is replayed from its metadata (item id, encrypted content, summaries) only when
  the ``replay_reasoning`` option asks for it; provider-executed calls (web search) are
  referenced by id when ``store`` is on and left out otherwise: with ``store`` off the
  server keeps nothing to refer to, and their results are in the answer text already.

A history from elsewhere goes through :func:`reverie.providers.portable.prepare` first, with
the Responses :func:`target`: item ids, encrypted reasoning and provider-executed calls are
taken only from the host that made them (OpenAI's are not sent to Azure, nor Azure's to
OpenAI).
"""

from __future__ import annotations

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
from reverie.providers.openai_models import is_reasoning_model
from reverie.providers.openai_responses.options import LocalOptions
from reverie.providers.portable import (
    FUNCTION_NAMES,
    ForeignReasoning,
    Target,
    prepare,
    web_file,
)
from reverie.warning import CallWarning

NAMESPACE = "openai"


@functools.lru_cache(maxsize=64)  # a Target is frozen: one per host, built once
def target(host: str) -> Target:
    hosts = frozenset({host})
    return Target(
        host=host,
        namespace=NAMESPACE,
        reasoning_hosts=hosts,
        tool_hosts=hosts,
        bare_tools=True,
        assistant_files=False,
        names=FUNCTION_NAMES,
        file_urls=web_file,  # input_image's image_url, input_file's file_url
    )


def system_role(model_id: str) -> str:
    """Reasoning models take instructions as ``developer`` messages, others as ``system``."""
    return "developer" if is_reasoning_model(model_id) else "system"


def convert_messages(
    prompt: Sequence[Message],
    model_id: str,
    local: LocalOptions,
    *,
    host: str = NAMESPACE,
    foreign_reasoning: ForeignReasoning | None = None,
) -> tuple[list[dict[str, Any]], list[CallWarning]]:
    items: list[dict[str, Any]] = []
    prompt, warnings = prepare(prompt, target(host), foreign_reasoning or "drop")
    role = system_role(model_id)
    for message in prompt:
        if message.role == "system":
            text = "\n".join(p.text for p in message.content if isinstance(p, TextPart))
            items.append({"role": role, "content": text})
        elif message.role == "user":
            items.append({"role": "user", "content": _user_content(message, warnings)})
        elif message.role == "assistant":
            _assistant(message, local, items, warnings)
        else:
            for part in message.content:
                if isinstance(part, ToolResultPart) and not part.provider_executed:
                    items.append(
                        {
                            "type": "function_call_output",
                            "call_id": part.tool_call_id,
                            "output": _tool_output(part.output),
                        }
                    )
    return items, warnings


def _user_content(message: Message, warnings: list[CallWarning]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    for part in message.content:
        if isinstance(part, TextPart):
            content.append({"type": "input_text", "text": part.text})
        elif isinstance(part, FilePart):
            wire = _file(part)
            if wire is None:
                warnings.append(
                    CallWarning(
                        kind="other",
                        message=f"file of media type {part.media_type} is not supported "
                        "by the Responses API and was not sent",
                    )
                )
            else:
                content.append(wire)
    return content


def _file(part: FilePart) -> dict[str, Any] | None:
    media = part.media_type
    if media.startswith("image/"):
        image: dict[str, Any] = {"type": "input_image", "image_url": file_url(part)}
        detail = (part.provider_options.get(NAMESPACE) or {}).get("image_detail")
        if detail:
            image["detail"] = detail
        return image
    if media == "application/pdf":
        if part.url is not None:
            return {"type": "input_file", "file_url": part.url}
        return {
            "type": "input_file",
            "filename": part.filename or "document.pdf",
            "file_data": file_url(part),
        }
    return None


def _assistant(
    message: Message,
    local: LocalOptions,
    items: list[dict[str, Any]],
    warnings: list[CallWarning],
) -> None:
    reasoning: dict[str, dict[str, Any]] = {}  # item id → the reasoning item being rebuilt
    for part in message.content:
        if isinstance(part, TextPart):
            if part.text:
                items.append({"role": "assistant", "content": part.text})
        elif isinstance(part, ToolCallPart):
            if not part.provider_executed:
                items.append(
                    {
                        "type": "function_call",
                        "call_id": part.tool_call_id,
                        "name": part.tool_name,
                        "arguments": part.input,
                    }
                )
            elif local.store:
                items.append({"type": "item_reference", "id": part.tool_call_id})
        # recorded quirk: fantasy never sends reasoning back (not even with store off and
        # encrypted content included), so replay waits for the replay_reasoning option.
        elif isinstance(part, ReasoningPart) and local.replay_reasoning:
            _reasoning(part, local, items, reasoning, warnings)


def _reasoning(
    part: ReasoningPart,
    local: LocalOptions,
    items: list[dict[str, Any]],
    seen: dict[str, dict[str, Any]],
    warnings: list[CallWarning],
) -> None:
    """One reasoning item per item id: its summary parts arrive as separate reasoning parts
    and are joined back into the item's ``summary`` list, in order."""
    meta = part.provider_options.get(NAMESPACE) or {}
    item_id = meta.get("item_id")
    if not isinstance(item_id, str) or not item_id:
        warnings.append(
            CallWarning(kind="other", message="reasoning without an OpenAI item id was not sent")
        )
        return
    item = seen.get(item_id)
    if item is None:
        if local.store:
            item = {"type": "item_reference", "id": item_id}
        else:
            item = {"type": "reasoning", "id": item_id, "summary": []}
            encrypted = meta.get("encrypted_content")
            if encrypted:
                item["encrypted_content"] = encrypted
        seen[item_id] = item
        items.append(item)
    if part.text and item["type"] == "reasoning":
        if meta.get("reasoning_text"):  # raw reasoning goes back as the item's content
            item.setdefault("content", []).append({"type": "reasoning_text", "text": part.text})
        else:
            item["summary"].append({"type": "summary_text", "text": part.text})


def _tool_output(output: ToolOutput) -> str | list[dict[str, Any]]:
    if isinstance(output, TextOutput):
        return output.text
    if isinstance(output, ErrorOutput):
        return output.message
    assert isinstance(output, MediaOutput)
    url = f"data:{output.media_type};base64,{output.data}"
    content: list[dict[str, Any]] = []
    if output.text:
        content.append({"type": "input_text", "text": output.text})
    if output.media_type.startswith("image/"):
        content.append({"type": "input_image", "image_url": url})
    else:
        content.append({"type": "input_file", "filename": "result", "file_data": url})
    return content
