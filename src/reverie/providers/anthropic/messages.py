"""Our messages → Anthropic ``system`` blocks and ``messages``.

Anthropic alternates user and assistant turns: consecutive messages of one wire role are
merged, and tool results travel in user turns. Thinking blocks, redacted thinking and the
blocks of provider-executed tools (web search) are replayed from the metadata the response
put on them, unchanged. A cache marker on a part lands on its block, one on a message on
the message's last block (system messages included).

A history from elsewhere goes through :func:`reverie.providers.portable.prepare` first, with
Claude's :func:`target`: tool-call ids matching ``^[a-zA-Z0-9_-]+$``, thinking signatures
taken from every Claude host (Anthropic documents them as valid across the Claude API,
Bedrock and Vertex AI), provider-executed blocks only from the host that ran them.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from typing import Any

from reverie.messages import (
    ErrorOutput,
    FilePart,
    MediaOutput,
    Message,
    Part,
    ReasoningPart,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolOutput,
    ToolResultPart,
)
from reverie.providers.anthropic.options import NAMESPACE, cache_control
from reverie.providers.portable import (
    ForeignReasoning,
    IdRule,
    Target,
    no_file_urls,
    prepare,
    web_file,
)
from reverie.warning import CallWarning

Block = dict[str, Any]

CLAUDE_HOSTS = frozenset({"anthropic", "bedrock", "vertex"})
TOOL_IDS = IdRule(allowed="[a-zA-Z0-9_-]", max_length=64)
"""Claude's tool-use ids (Bedrock documents at most 64 characters)."""
TOOL_NAMES = IdRule(allowed="[a-zA-Z0-9_-]", max_length=128)
"""Claude's tool names."""


@functools.lru_cache(maxsize=64)  # a Target is frozen: one per host, built once
def target(host: str) -> Target:
    return Target(
        host=host,
        namespace=NAMESPACE,
        reasoning_hosts=CLAUDE_HOSTS,
        tool_hosts=frozenset({host}),
        ids=TOOL_IDS,
        names=TOOL_NAMES,
        # The Claude API fetches images and PDFs by URL; Bedrock and Vertex take bytes only.
        file_urls=web_file if host == "anthropic" else no_file_urls,
    )


def convert_prompt(
    prompt: Sequence[Message],
    *,
    send_reasoning: bool = True,
    host: str = "anthropic",
    foreign_reasoning: ForeignReasoning = "drop",
) -> tuple[list[Block], list[dict[str, Any]], list[CallWarning]]:
    """(system blocks, messages, warnings)."""
    system: list[Block] = []
    messages: list[dict[str, Any]] = []
    prompt, warnings = prepare(prompt, target(host), foreign_reasoning)
    for message in prompt:
        if message.role == "system":
            if messages:
                warnings.append(
                    _warning("a system message after the first turn was sent as system")
                )
            # Empty texts are left out as in other turns: Anthropic refuses empty blocks.
            texts = [
                _marked(_text(p), p)
                for p in message.content
                if isinstance(p, TextPart) and not p.text.isspace() and p.text
            ]
            _mark(system, texts, message)
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks: list[Block] = []
        for part in message.content:
            block = _block(part, role, send_reasoning, warnings)
            if block is not None:
                blocks.append(_marked(block, part))
        if not blocks:
            continue
        if messages and messages[-1]["role"] == role:
            _mark(messages[-1]["content"], blocks, message)
        else:
            content: list[Block] = []
            _mark(content, blocks, message)
            messages.append({"role": role, "content": content})
    _trim_prefill(messages)
    return system, messages, warnings


def _trim_prefill(messages: list[dict[str, Any]]) -> None:
    """A conversation ending on an assistant turn has Claude continue it, and Claude refuses
    final assistant content ending in whitespace: the trailing whitespace is taken off."""
    if not messages or messages[-1]["role"] != "assistant":
        return
    last = messages[-1]["content"][-1]
    if last.get("type") == "text" and last["text"] != last["text"].rstrip():
        last["text"] = last["text"].rstrip()


def open_loop_without_thinking(messages: Sequence[dict[str, Any]]) -> bool:
    """Whether an assistant message of the current turn (after the last user message that
    is not only tool results) calls a tool without starting with a thinking block: with
    thinking on, Claude refuses such a turn, and only Claude can write the block."""
    for message in reversed(messages):
        blocks = message["content"]
        if message["role"] == "user":
            if any(b.get("type") != "tool_result" for b in blocks):
                return False
            continue
        uses_tools = any(b.get("type") == "tool_use" for b in blocks)
        first = blocks[0].get("type") if blocks else None
        if uses_tools and first not in ("thinking", "redacted_thinking"):
            return True
    return False


def _marked(block: Block, part: Part) -> Block:
    """The block, with the part's own cache marker if it has one."""
    marker = cache_control(part.provider_options)
    if marker:
        block["cache_control"] = marker
    return block


def _mark(into: list[Block], blocks: list[Block], message: Message) -> None:
    """Adds a message's blocks, its cache marker on the last one."""
    marker = cache_control(message.provider_options)
    if marker and blocks:
        blocks[-1]["cache_control"] = marker
    into.extend(blocks)


def _block(
    part: Part, role: str, send_reasoning: bool, warnings: list[CallWarning]
) -> Block | None:
    if isinstance(part, TextPart):
        # Anthropic refuses empty and whitespace-only text blocks: they carry nothing to say.
        return _text(part) if part.text and not part.text.isspace() else None
    if isinstance(part, FilePart):
        if role == "assistant":
            warnings.append(_warning("files in assistant messages are not sent to Anthropic"))
            return None
        return _file(part, warnings)
    if isinstance(part, ReasoningPart):
        return _thinking(part, warnings) if send_reasoning and role == "assistant" else None
    if isinstance(part, ToolCallPart):
        if part.provider_executed:
            return {
                "type": "server_tool_use",
                "id": part.tool_call_id,
                "name": part.tool_name,
                "input": _input(part, warnings),
            }
        return {
            "type": "tool_use",
            "id": part.tool_call_id,
            "name": part.tool_name,
            "input": _input(part, warnings),
        }
    assert isinstance(part, ToolResultPart)
    if part.provider_executed:
        return _server_result(part, warnings)
    return _tool_result(part)


def _text(part: TextPart) -> Block:
    return {"type": "text", "text": part.text}


def _file(part: FilePart, warnings: list[CallWarning]) -> Block | None:
    media = part.media_type
    if media.startswith("image/"):
        return {"type": "image", "source": _source(part, media)}
    if media == "application/pdf":
        block: Block = {"type": "document", "source": _source(part, media)}
    elif media == "text/plain" and part.url is None:
        text = part.data.decode("utf-8", errors="replace")
        block = {"type": "document", "source": {"type": "text", "media_type": media, "data": text}}
    else:
        warnings.append(_warning(f"files of type {media} are not supported by Anthropic"))
        return None
    if part.filename:
        block["title"] = part.filename
    return block


def _source(part: FilePart, media: str) -> dict[str, Any]:
    if part.url is not None:
        return {"type": "url", "url": part.url}
    data = base64.b64encode(part.data).decode("ascii")
    return {"type": "base64", "media_type": media, "data": data}


def _thinking(part: ReasoningPart, warnings: list[CallWarning]) -> Block | None:
    meta = part.provider_options.get(NAMESPACE) or {}
    if meta.get("redacted_data"):
        return {"type": "redacted_thinking", "data": meta["redacted_data"]}
    if meta.get("signature"):
        return {"type": "thinking", "thinking": part.text, "signature": meta["signature"]}
    # Anthropic refuses thinking without its signature: it cannot be replayed.
    warnings.append(_warning("reasoning without an Anthropic signature was not sent"))
    return None


def _input(part: ToolCallPart, warnings: list[CallWarning]) -> Any:
    try:
        value = json.loads(part.input or "{}")
    except (ValueError, RecursionError):  # nested deeper than Python reads: sent as {}
        value = None
    if not isinstance(value, dict):
        warnings.append(
            _warning(f"the input of tool call {part.tool_call_id} is not a JSON object; sent {{}}")
        )
        return {}
    return value


def _tool_result(part: ToolResultPart) -> Block:
    block: Block = {"type": "tool_result", "tool_use_id": part.tool_call_id}
    content = _output(part.output)
    if content:  # an empty result goes without content (Claude refuses empty text blocks)
        block["content"] = content
    if isinstance(part.output, ErrorOutput):
        block["is_error"] = True
    return block


def _output(output: ToolOutput) -> list[Block]:
    if isinstance(output, TextOutput | ErrorOutput):
        text = output.text if isinstance(output, TextOutput) else output.message
        return [{"type": "text", "text": text}] if text.strip() else []
    assert isinstance(output, MediaOutput)
    blocks: list[Block] = []
    if output.text and output.text.strip():
        blocks.append({"type": "text", "text": output.text})
    if output.media_type.startswith("image/"):
        source = {"type": "base64", "media_type": output.media_type, "data": output.data}
        blocks.append({"type": "image", "source": source})
    elif output.media_type == "application/pdf":
        source = {"type": "base64", "media_type": output.media_type, "data": output.data}
        blocks.append({"type": "document", "source": source})
    else:  # a type Claude cannot take: named, even beside the result's text
        blocks.append({"type": "text", "text": f"[{output.media_type} result omitted]"})
    return blocks


def _server_result(part: ToolResultPart, warnings: list[CallWarning]) -> Block | None:
    """A provider-executed result (web search…), sent back as the provider gave it."""
    meta = part.provider_options.get(NAMESPACE) or {}
    if "content" not in meta:
        warnings.append(
            _warning(f"provider tool result {part.tool_call_id} has no Anthropic content to replay")
        )
        return None
    return {
        "type": meta.get("type", "web_search_tool_result"),
        "tool_use_id": part.tool_call_id,
        "content": meta["content"],
    }


def _warning(message: str) -> CallWarning:
    return CallWarning(kind="other", message=message)
