"""Claude's Messages API (Anthropic, Bedrock InvokeModel, Vertex rawPredict), from its docs:

- ``messages`` alternate ``user`` and ``assistant``, starting with ``user``;
- a ``tool_use`` id matches ``^[a-zA-Z0-9_-]+$`` (Bedrock: at most 64 characters) and is
  unique in the request;
- every ``tool_use`` of an assistant turn is answered by a ``tool_result`` in the very next
  user turn, results first in that turn, and a ``tool_result`` answers a ``tool_use`` of the
  turn before it;
- a ``server_tool_use`` is followed, in its turn, by its ``*_tool_result``;
- ``thinking`` blocks carry a signature, text blocks hold non-whitespace text (tool results'
  too);
- an image or document ``url`` source is an ``http(s)`` URL, and only the Claude API takes
  one (Bedrock and Vertex take ``base64``);
- with thinking on, an assistant turn of the open tool loop (after the last user turn that
  is more than tool results) that uses a tool starts with ``thinking``/``redacted_thinking``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

GEMINI_FILES = "generativelanguage.googleapis.com"

ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def check_anthropic(body: dict[str, Any], host: str = "anthropic") -> list[str]:
    problems: list[str] = []
    messages = body.get("messages") or []
    if not messages or messages[0].get("role") != "user":
        problems.append("the first message is not a user message")
    seen: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if index and messages[index - 1].get("role") == role:
            problems.append(f"messages {index - 1} and {index} are both {role}")
        blocks = message.get("content") or []
        if not blocks:
            problems.append(f"message {index} is empty")
        nested = [c for b in blocks if b.get("type") == "tool_result" for c in _content(b)]
        for block in [*blocks, *nested]:
            kind = block.get("type")
            if kind == "text" and not str(block.get("text") or "").strip():
                problems.append(f"message {index} has an empty or whitespace-only text block")
            source = block.get("source") or {}
            if kind in ("image", "document") and source.get("type") == "url":
                if host != "anthropic":
                    problems.append(f"message {index}: {host} takes no url source")
                elif not _web(str(source.get("url"))):
                    problems.append(f"message {index}: url source {source.get('url')!r}")
            if kind == "thinking" and not block.get("signature"):
                problems.append(f"message {index} has a thinking block without signature")
            if kind in ("tool_use", "server_tool_use"):
                tid = str(block.get("id"))
                if not ID.match(tid):
                    problems.append(f"tool_use id {tid!r} does not match ^[a-zA-Z0-9_-]+$")
                if tid in seen:
                    problems.append(f"tool_use id {tid!r} is used twice")
                seen.add(tid)
        if role == "assistant":
            problems += _answered(messages, index)
            problems += _server_pairs(blocks, index)
        elif role == "user":
            problems += _results_follow_calls(messages, index)
    thinking = body.get("thinking") or {}
    if thinking.get("type") in ("enabled", "adaptive"):
        problems += _loop_starts_with_thinking(messages)
    return problems


def _content(block: dict[str, Any]) -> list[dict[str, Any]]:
    content = block.get("content")
    return content if isinstance(content, list) else []


def _web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in (None, GEMINI_FILES)


def _answered(messages: list[dict[str, Any]], index: int) -> list[str]:
    calls = [b["id"] for b in messages[index]["content"] if b.get("type") == "tool_use"]
    if not calls:
        return []
    if index + 1 >= len(messages):
        return ["the request ends with unanswered tool_use blocks"]
    following = messages[index + 1]["content"]
    results = [b.get("tool_use_id") for b in following if b.get("type") == "tool_result"]
    problems = [
        f"tool_use {c} has no tool_result in the next turn" for c in calls if c not in results
    ]
    kinds = [b.get("type") for b in following]
    leading = kinds[: len(results)]
    if any(k != "tool_result" for k in leading):
        problems.append(f"message {index + 1}: tool_result blocks do not come first")
    return problems


def _results_follow_calls(messages: list[dict[str, Any]], index: int) -> list[str]:
    results = [
        b.get("tool_use_id") for b in messages[index]["content"] if b.get("type") == "tool_result"
    ]
    if not results:
        return []
    before = messages[index - 1]["content"] if index else []
    calls = {b.get("id") for b in before if b.get("type") == "tool_use"}
    return [
        f"tool_result {r} answers no tool_use of the turn before" for r in results if r not in calls
    ]


def _server_pairs(blocks: list[dict[str, Any]], index: int) -> list[str]:
    calls = [b.get("id") for b in blocks if b.get("type") == "server_tool_use"]
    results = {
        b.get("tool_use_id")
        for b in blocks
        if str(b.get("type", "")).endswith("_tool_result") and b.get("type") != "tool_result"
    }
    return [
        f"message {index}: server_tool_use {c} has no result" for c in calls if c not in results
    ]


def _loop_starts_with_thinking(messages: list[dict[str, Any]]) -> list[str]:
    for message in reversed(messages):
        blocks = message.get("content") or []
        if message.get("role") == "user":
            if any(b.get("type") != "tool_result" for b in blocks):
                return []
            continue
        uses = any(b.get("type") == "tool_use" for b in blocks)
        if uses and blocks[0].get("type") not in ("thinking", "redacted_thinking"):
            return ["thinking is on and the open tool loop's turn does not start with thinking"]
    return []
