"""The transcript line type of ``reverie replay``, content parts as text, and the small
cutting and JSON helpers the transcript prints with.
"""

from __future__ import annotations

import json
from typing import Any

Line = tuple[str, str]
"""One line of the transcript and its rich style ("" for none)."""

ITEM_CHARS = 2000
"""Longer message texts are cut; the transcript is for reading, the cassette keeps all."""


def describe_part(part: object) -> tuple[str, str]:
    """A content part or item as (label, text); the label is empty for plain text."""
    if isinstance(part, str):
        return "", part
    if not isinstance(part, dict):
        return "", compact(part)
    kind = part.get("type")
    if kind in ("tool_use", "function_call") or "functionCall" in part:
        call = as_dict(part.get("functionCall")) or part
        arguments = call.get("input", call.get("arguments", call.get("args", {})))
        call_id = part.get("id") or part.get("call_id")
        suffix = f" [{call_id}]" if call_id else ""
        return "tool call", f"{call.get('name', '?')} {compact(arguments)}{suffix}"
    if kind in ("tool_result", "function_call_output") or "functionResponse" in part:
        response = as_dict(part.get("functionResponse"))
        key = part.get("tool_use_id") or part.get("call_id") or response.get("name") or "?"
        output = part.get("content", part.get("output", response.get("response")))
        return f"tool result [{key}]", joined_text(output)
    if kind == "thinking" or part.get("thought") is True:
        return "reasoning", str(part.get("thinking") or part.get("text") or "")
    if kind == "redacted_thinking":
        return "reasoning", "[redacted]"
    if kind == "reasoning":
        return "reasoning", joined_text(part.get("summary")) or "[encrypted]"
    if isinstance(part.get("text"), str):
        return "", part["text"]
    if kind in ("image_url", "image", "input_image", "file", "input_file", "document"):
        return "", f"[{kind}]"
    for key in ("inlineData", "inline_data", "fileData", "file_data"):
        if isinstance(part.get(key), dict):
            media = part[key].get("mimeType") or part[key].get("mime_type") or "file"
            return "", f"[{media}]"
    return "", compact(part)


def joined_text(value: object) -> str:
    """Text of a string, a list of parts, or a JSON value."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(describe_part(p)[1] for p in value)
    if value is None:
        return ""
    return compact(value)


def loads_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def compact(value: object) -> str:
    """JSON on one line; a JSON string holding JSON (tool arguments) is shown decoded."""
    if isinstance(value, str):
        decoded = loads_json(value) if value.strip() else None
        if decoded is None:
            return value
        value = decoded
    return json.dumps(value, ensure_ascii=False, default=str)


def pretty_json(value: object) -> list[Line]:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return [(f"  {line}", "dim") for line in text.splitlines()]


def indented(text: str, style: str) -> list[Line]:
    first, *rest = text.splitlines() or [""]
    return [(f"  {first}", style)] + [(f"    {line}", style) for line in rest]


def cut(text: str) -> str:
    if len(text) <= ITEM_CHARS:
        return text
    return f"{text[:ITEM_CHARS]}… ({len(text) - ITEM_CHARS} more characters)"


def cut_line(line: str, limit: int = 300) -> str:
    """One line of a raw body, cut; raw bodies are for a glance, the cassette keeps all."""
    return line if len(line) <= limit else f"{line[:limit]}… ({len(line) - limit} more)"


def first_lines(lines: list[Line], limit: int) -> list[Line]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], (f"  … ({len(lines) - limit} more lines)", "dim")]


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
