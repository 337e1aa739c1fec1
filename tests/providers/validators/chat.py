"""Chat completions (OpenAI, Azure, and the gateways speaking it), from OpenAI's docs:

- roles are system/developer, user, assistant, tool;
- an assistant message has content or tool calls;
- a ``tool`` message answers a tool call of the assistant message before it (tool messages
  directly follow it) and every tool call is answered before the next other message;
- OpenAI (and Azure) take tool-call ids of at most 40 characters; ids are unique;
- OpenAI and Azure take no reasoning fields on messages;
- an ``image_url`` is an ``http(s)`` or ``data:`` URL; a ``file`` part's ``file_data`` is a
  base64 ``data:`` URL (OpenRouter documents ``http(s)`` URLs there too).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

ROLES = ("system", "developer", "user", "assistant", "tool")


def check_chat(body: dict[str, Any], target: str) -> list[str]:
    problems: list[str] = []
    messages = body.get("messages") or []
    strict = target in ("openai", "azure")
    waiting: list[str] = []
    seen: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role not in ROLES:
            problems.append(f"message {index} has role {role!r}")
        if role == "tool":
            tid = message.get("tool_call_id")
            if tid not in waiting:
                problems.append(f"tool message {tid!r} answers no open tool call")
            else:
                waiting.remove(tid)
            continue
        problems += _files(message.get("content"), index, target)
        if waiting:
            problems.append(f"tool calls {waiting} are not answered before message {index}")
            waiting = []
        if role == "assistant":
            calls = message.get("tool_calls") or []
            if not message.get("content") and not calls:
                problems.append(f"assistant message {index} has neither content nor tool calls")
            for call in calls:
                tid = str(call.get("id") or "")
                if not tid or (strict and len(tid) > 40):
                    problems.append(f"tool call id {tid!r} is refused")
                if tid in seen:
                    problems.append(f"tool call id {tid!r} is used twice")
                seen.add(tid)
                waiting.append(tid)
            if strict and any(
                k in message for k in ("reasoning", "reasoning_content", "reasoning_details")
            ):
                problems.append(f"assistant message {index} carries reasoning OpenAI does not take")
    if waiting:
        problems.append(f"tool calls {waiting} are never answered")
    return problems


def _files(content: Any, index: int, target: str) -> list[str]:
    problems: list[str] = []
    for part in content if isinstance(content, list) else []:
        if part.get("type") == "image_url":
            url = str((part.get("image_url") or {}).get("url"))
            if not _web(url) and not url.startswith("data:"):
                problems.append(f"message {index}: image_url {url[:60]!r}")
        elif part.get("type") == "file":
            data = str((part.get("file") or {}).get("file_data", "data:"))
            if not data.startswith("data:") and not (target == "openrouter" and _web(data)):
                problems.append(f"message {index}: file_data {data[:60]!r}")
    return problems


def _web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname not in (
        None,
        "generativelanguage.googleapis.com",
    )
