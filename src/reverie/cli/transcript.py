"""A go-vcr v2 cassette as a readable transcript, for ``reverie replay``.

OpenAI chat bodies are shown in full detail; Anthropic, Responses and Gemini bodies are read
for their text and tool calls where the shape is recognised; anything else is shown as
pretty JSON. Requests are read here; response bodies, JSON or streamed (SSE), in
:mod:`reverie.cli.replies`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reverie.cli.lines import (
    Line,
    as_dict,
    compact,
    cut,
    describe_part,
    indented,
    joined_text,
    pretty_json,
)
from reverie.cli.replies import describe_response


class CassetteError(ValueError):
    """The file is not a cassette we can read."""


def load_interactions(path: Path) -> list[dict[str, Any]]:
    try:
        import yaml
    except ImportError as exc:
        raise CassetteError(
            "reading cassettes needs PyYAML: pip install 'reverie[testing]'"
        ) from exc
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CassetteError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CassetteError(f"{path} is not valid YAML: {_yaml_problem(exc)}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("interactions"), list):
        raise CassetteError(f"{path} is not a go-vcr cassette (no 'interactions' list)")
    if document.get("version") not in (None, 2):
        raise CassetteError(f"{path}: cassette version {document.get('version')!r}, expected 2")
    return [i for i in document["interactions"] if isinstance(i, dict)]


def transcript(path: Path) -> list[Line]:
    """The whole transcript of the cassette at ``path``; raises :class:`CassetteError`."""
    interactions = load_interactions(path)
    count = len(interactions)
    lines: list[Line] = [(f"{path}: {count} interaction{'s' if count != 1 else ''}", "bold")]
    for position, interaction in enumerate(interactions):
        number = interaction.get("id", position)
        lines.append(("", ""))
        lines += describe_request(number, as_dict(interaction.get("request")))
        lines += describe_response(as_dict(interaction.get("response")))
    return lines


# Requests


def describe_request(number: object, request: dict[str, Any]) -> list[Line]:
    method = request.get("method") or "?"
    url = request.get("url") or "?"
    lines: list[Line] = [(f"#{number} {method} {url}", "bold")]
    body = request.get("body")
    if isinstance(body, bytes):
        return [*lines, (f"  body: {len(body)} bytes (binary)", "dim")]
    if not isinstance(body, str) or not body.strip():
        return lines
    try:
        value = json.loads(body)
    except ValueError:
        return [*lines, *indented("body: " + cut(body), "dim")]
    if not isinstance(value, dict):
        return [*lines, *pretty_json(value)]

    facts = []
    if isinstance(value.get("model"), str):
        facts.append(f"model {value['model']}")
    if value.get("stream") is True or ":stream" in url or url.endswith("-stream"):
        facts.append("streaming")
    if facts:
        lines.append(("  " + ", ".join(facts), "dim"))
    tools = tool_names(value.get("tools"))
    if tools:
        lines.append(("  tools offered: " + ", ".join(tools), "dim"))
    turns = list(conversation(value))
    if not turns:
        return [*lines, *pretty_json(value)]
    for role, text in turns:
        lines += indented(f"{role}: {cut(text)}", _role_style(role))
    return lines


def tool_names(tools: object) -> list[str]:
    """Names of the offered tools in OpenAI, Anthropic, Responses or Gemini shape."""
    names: list[str] = []
    for item in tools if isinstance(tools, list) else ():
        if not isinstance(item, dict):
            continue
        function = item.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.append(function["name"])
        elif isinstance(item.get("name"), str):
            names.append(item["name"])
        elif isinstance(item.get("functionDeclarations"), list):
            names += [
                d.get("name", "?") for d in item["functionDeclarations"] if isinstance(d, dict)
            ]
        elif isinstance(item.get("type"), str):
            names.append(item["type"])
        else:
            names.extend(f"{key} (provider tool)" for key in item)
    return names


def conversation(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(role, text) for every message of a request body, whatever its provider's shape."""
    system = body.get("system") or body.get("instructions")
    if system:
        yield "system", joined_text(system)
    instruction = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(instruction, dict):
        yield "system", joined_text(instruction.get("parts"))
    for key in ("messages", "input", "contents"):
        items = body.get(key)
        if isinstance(items, str):
            yield "user", items
        elif isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    yield from _message(item)
    if isinstance(body.get("prompt"), str):
        yield "prompt", body["prompt"]


def _message(message: dict[str, Any]) -> Iterator[tuple[str, str]]:
    role = str(message.get("role") or "")
    kind = message.get("type")
    if not role and kind in _ITEM_TYPES:  # a Responses input item that is not a message
        yield describe_part(message)
        return
    role = {"model": "assistant"}.get(role, role or "?")
    if role == "tool":
        yield (
            f"tool result [{message.get('tool_call_id', '?')}]",
            joined_text(message.get("content")),
        )
        return
    for name in ("reasoning_content", "reasoning"):
        if isinstance(message.get(name), str) and message[name]:
            yield f"{role} reasoning", message[name]
    content = message.get("content", message.get("parts"))
    if isinstance(content, str):
        if content:
            yield role, content
    elif isinstance(content, list):
        for part in content:
            label, text = describe_part(part)
            yield (f"{role} {label}" if label else role), text
    for call in message.get("tool_calls") or ():
        if isinstance(call, dict):
            function = as_dict(call.get("function"))
            arguments = compact(function.get("arguments", ""))
            name = function.get("name", "?")
            yield f"{role} tool call", f"{name} {arguments} [{call.get('id', '?')}]"


_ITEM_TYPES = {"function_call", "function_call_output", "reasoning", "item_reference"}


# Small helpers


def _role_style(role: str) -> str:
    if "tool" in role:
        return "cyan"
    if "reasoning" in role:
        return "dim italic"
    return {"system": "magenta", "user": "bold", "assistant": ""}.get(role, "")


def _yaml_problem(error: Exception) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if isinstance(problem, str) and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())
