"""A go-vcr v2 cassette as a readable transcript, for ``reverie replay``.

OpenAI chat bodies are shown in full detail; Anthropic, Responses and Gemini bodies are read
for their text and tool calls where the shape is recognised; anything else is shown as
pretty JSON. Streamed (SSE) bodies are reassembled into the text and tool calls they carried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Line = tuple[str, str]
"""One line of the transcript and its rich style ("" for none)."""

ITEM_CHARS = 2000
"""Longer message texts are cut; the transcript is for reading, the cassette keeps all."""


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
        lines += describe_request(number, _dict(interaction.get("request")))
        lines += describe_response(_dict(interaction.get("response")))
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
        return [*lines, *_indented("body: " + _cut(body), "dim")]
    if not isinstance(value, dict):
        return [*lines, *_pretty_json(value)]

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
        return [*lines, *_pretty_json(value)]
    for role, text in turns:
        lines += _indented(f"{role}: {_cut(text)}", _role_style(role))
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
        yield "system", _joined(system)
    instruction = body.get("systemInstruction") or body.get("system_instruction")
    if isinstance(instruction, dict):
        yield "system", _joined(instruction.get("parts"))
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
        yield _part(message)
        return
    role = {"model": "assistant"}.get(role, role or "?")
    if role == "tool":
        yield f"tool result [{message.get('tool_call_id', '?')}]", _joined(message.get("content"))
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
            label, text = _part(part)
            yield (f"{role} {label}" if label else role), text
    for call in message.get("tool_calls") or ():
        if isinstance(call, dict):
            function = _dict(call.get("function"))
            arguments = _compact(function.get("arguments", ""))
            name = function.get("name", "?")
            yield f"{role} tool call", f"{name} {arguments} [{call.get('id', '?')}]"


_ITEM_TYPES = {"function_call", "function_call_output", "reasoning", "item_reference"}


def _part(part: object) -> tuple[str, str]:
    """A content part or item as (label, text); the label is empty for plain text."""
    if isinstance(part, str):
        return "", part
    if not isinstance(part, dict):
        return "", _compact(part)
    kind = part.get("type")
    if kind in ("tool_use", "function_call") or "functionCall" in part:
        call = _dict(part.get("functionCall")) or part
        arguments = call.get("input", call.get("arguments", call.get("args", {})))
        call_id = part.get("id") or part.get("call_id")
        suffix = f" [{call_id}]" if call_id else ""
        return "tool call", f"{call.get('name', '?')} {_compact(arguments)}{suffix}"
    if kind in ("tool_result", "function_call_output") or "functionResponse" in part:
        response = _dict(part.get("functionResponse"))
        key = part.get("tool_use_id") or part.get("call_id") or response.get("name") or "?"
        output = part.get("content", part.get("output", response.get("response")))
        return f"tool result [{key}]", _joined(output)
    if kind == "thinking" or part.get("thought") is True:
        return "reasoning", str(part.get("thinking") or part.get("text") or "")
    if kind == "redacted_thinking":
        return "reasoning", "[redacted]"
    if kind == "reasoning":
        return "reasoning", _joined(part.get("summary")) or "[encrypted]"
    if isinstance(part.get("text"), str):
        return "", part["text"]
    if kind in ("image_url", "image", "input_image", "file", "input_file", "document"):
        return "", f"[{kind}]"
    for key in ("inlineData", "inline_data", "fileData", "file_data"):
        if isinstance(part.get(key), dict):
            media = part[key].get("mimeType") or part[key].get("mime_type") or "file"
            return "", f"[{media}]"
    return "", _compact(part)


def _joined(value: object) -> str:
    """Text of a string, a list of parts, or a JSON value."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(_part(p)[1] for p in value)
    if value is None:
        return ""
    return _compact(value)


# Responses


@dataclass
class Reply:
    """What a response body carried, reassembled."""

    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    calls: dict[str, list[str]] = field(default_factory=dict)  # key → [name, arguments, id]
    finish: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    understood: bool = False

    def call(self, key: object, name: object = None, call_id: object = None) -> list[str]:
        entry = self.calls.setdefault(str(key), ["?", "", ""])
        if isinstance(name, str) and name:
            entry[0] = name
        if isinstance(call_id, str) and call_id:
            entry[2] = call_id
        return entry


def describe_response(response: dict[str, Any]) -> list[Line]:
    if not response:
        return [("→ no response recorded", "yellow")]
    code = response.get("code")
    status = response.get("status") or str(code or "?")
    ok = isinstance(code, int) and 200 <= code < 300
    content_type = _content_type(response)
    body = response.get("body")
    if isinstance(body, bytes):
        kind = f", {content_type}" if content_type else ""
        return [
            (f"→ {status}", "green" if ok else "red"),
            (f"  binary body, {len(body)} bytes{kind}", "dim"),
        ]
    text = body if isinstance(body, str) else ""
    stripped = text.lstrip()
    if "event-stream" in content_type or stripped.startswith(("data:", "event:")):
        events = list(parse_sse(text))
        reply = Reply()
        for name, data in events:
            read_stream_event(reply, name, data)
        head = f"→ {status}, event stream ({len(events)} events)"
        lines: list[Line] = [(head, "green" if ok else "red")]
        if reply.understood or reply.error:
            return lines + _reply_lines(reply)
        if events:  # an unknown stream: show its first event as it is
            first = events[0][1]
            value = _loads(first)
            lines += _pretty_json(value) if value is not None else _indented(_cut(first), "dim")
        return lines
    lines = [(f"→ {status}", "green" if ok else "red")]
    if not stripped:
        return lines
    value = _loads(stripped)
    if value is None:
        return lines + _indented(_cut(stripped), "dim")
    reply = Reply()
    if isinstance(value, dict):
        read_json_reply(reply, value)
    if reply.understood or reply.error:
        return lines + _reply_lines(reply)
    return lines + _pretty_json(value)


def read_json_reply(reply: Reply, body: dict[str, Any]) -> None:
    error = body.get("error")
    if error:
        reply.error = _error_text(error)
    if isinstance(body.get("choices"), list):  # OpenAI chat
        reply.understood = True
        for choice in body["choices"][:1]:
            message = _dict(_dict(choice).get("message"))
            for name in ("reasoning_content", "reasoning"):
                if isinstance(message.get(name), str):
                    reply.reasoning.append(message[name])
            if isinstance(message.get("content"), str):
                reply.text.append(message["content"])
            for index, call in enumerate(message.get("tool_calls") or ()):
                function = _dict(_dict(call).get("function"))
                entry = reply.call(index, function.get("name"), _dict(call).get("id"))
                entry[1] += str(function.get("arguments") or "")
            reply.finish = _dict(choice).get("finish_reason")
    elif isinstance(body.get("content"), list) and body.get("type") == "message":  # Anthropic
        reply.understood = True
        for index, block in enumerate(body["content"]):
            _anthropic_block(reply, index, _dict(block))
        reply.finish = body.get("stop_reason")
    elif isinstance(body.get("output"), list):  # OpenAI Responses
        reply.understood = True
        for index, item in enumerate(body["output"]):
            _responses_item(reply, index, _dict(item))
        reply.finish = body.get("status")
    elif isinstance(body.get("candidates"), list):  # Gemini
        reply.understood = True
        _gemini_chunk(reply, body)
    usage = body.get("usage") or body.get("usageMetadata")
    if isinstance(usage, dict):
        reply.usage.update(usage)


def read_stream_event(reply: Reply, name: str, data: str) -> None:
    if data == "[DONE]":
        return
    value = _loads(data)
    if not isinstance(value, dict):
        return
    kind = str(value.get("type") or name or "")
    if value.get("error"):
        reply.error = _error_text(value["error"])
    if isinstance(value.get("choices"), list):  # OpenAI chat chunk
        reply.understood = True
        for choice in value["choices"]:
            choice = _dict(choice)
            if choice.get("index", 0) != 0:
                continue
            delta = _dict(choice.get("delta"))
            for field_name in ("reasoning_content", "reasoning"):
                if isinstance(delta.get(field_name), str):
                    reply.reasoning.append(delta[field_name])
            if isinstance(delta.get("content"), str):
                reply.text.append(delta["content"])
            for position, call in enumerate(delta.get("tool_calls") or ()):
                call = _dict(call)
                function = _dict(call.get("function"))
                entry = reply.call(
                    call.get("index", position), function.get("name"), call.get("id")
                )
                entry[1] += str(function.get("arguments") or "")
            if choice.get("finish_reason"):
                reply.finish = choice["finish_reason"]
        if isinstance(value.get("usage"), dict):
            reply.usage.update(value["usage"])
    elif kind.startswith(("message_", "content_block_")):  # Anthropic
        reply.understood = True
        _anthropic_event(reply, kind, value)
    elif kind.startswith("response."):  # OpenAI Responses
        reply.understood = True
        _responses_event(reply, kind, value)
    elif isinstance(value.get("candidates"), list):  # Gemini
        reply.understood = True
        _gemini_chunk(reply, value)
        if isinstance(value.get("usageMetadata"), dict):
            reply.usage.update(value["usageMetadata"])


def _anthropic_block(reply: Reply, index: int, block: dict[str, Any]) -> None:
    kind = block.get("type")
    if kind == "text":
        reply.text.append(str(block.get("text") or ""))
    elif kind == "thinking":
        reply.reasoning.append(str(block.get("thinking") or ""))
    elif kind in ("tool_use", "server_tool_use"):
        entry = reply.call(index, block.get("name"), block.get("id"))
        if block.get("input"):
            entry[1] = json.dumps(block["input"], ensure_ascii=False)


def _anthropic_event(reply: Reply, kind: str, event: dict[str, Any]) -> None:
    if kind == "message_start":
        reply.usage.update(_dict(_dict(event.get("message")).get("usage")))
    elif kind == "content_block_start":
        _anthropic_block(reply, int(event.get("index") or 0), _dict(event.get("content_block")))
    elif kind == "content_block_delta":
        delta = _dict(event.get("delta"))
        if delta.get("type") == "text_delta":
            reply.text.append(str(delta.get("text") or ""))
        elif delta.get("type") == "thinking_delta":
            reply.reasoning.append(str(delta.get("thinking") or ""))
        elif delta.get("type") == "input_json_delta":
            reply.call(event.get("index") or 0)[1] += str(delta.get("partial_json") or "")
    elif kind == "message_delta":
        reply.finish = _dict(event.get("delta")).get("stop_reason") or reply.finish
        reply.usage.update(_dict(event.get("usage")))


def _responses_item(reply: Reply, index: int, item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind == "message":
        for part in item.get("content") or ():
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                reply.text.append(part["text"])
    elif kind == "reasoning":
        reply.reasoning.append(_joined(item.get("summary")))
    elif kind == "function_call":
        entry = reply.call(index, item.get("name"), item.get("call_id"))
        entry[1] = str(item.get("arguments") or "")
    elif isinstance(kind, str):
        reply.call(index, f"[{kind}]", item.get("id"))


def _responses_event(reply: Reply, kind: str, event: dict[str, Any]) -> None:
    if kind == "response.output_text.delta":
        reply.text.append(str(event.get("delta") or ""))
    elif kind == "response.reasoning_summary_text.delta":
        reply.reasoning.append(str(event.get("delta") or ""))
    elif kind == "response.output_item.done":
        item = _dict(event.get("item"))
        if item.get("type") not in ("message", "reasoning"):
            _responses_item(reply, int(event.get("output_index") or 0), item)
    elif kind in ("response.completed", "response.incomplete", "response.failed"):
        response = _dict(event.get("response"))
        reply.finish = response.get("status") or reply.finish
        reply.usage.update(_dict(response.get("usage")))
        if response.get("error"):
            reply.error = _error_text(response["error"])


def _gemini_chunk(reply: Reply, chunk: dict[str, Any]) -> None:
    for candidate in chunk.get("candidates", [])[:1]:
        candidate = _dict(candidate)
        for part in _dict(candidate.get("content")).get("parts") or ():
            part = _dict(part)
            if "functionCall" in part:
                call = _dict(part["functionCall"])
                entry = reply.call(len(reply.calls), call.get("name"), call.get("id"))
                entry[1] = json.dumps(call.get("args", {}), ensure_ascii=False)
            elif isinstance(part.get("text"), str):
                (reply.reasoning if part.get("thought") else reply.text).append(part["text"])
        reply.finish = candidate.get("finishReason") or reply.finish


def _reply_lines(reply: Reply) -> list[Line]:
    lines: list[Line] = []
    if reply.error:
        lines.append((f"  error: {reply.error}", "red"))
    reasoning = "".join(reply.reasoning).strip()
    if reasoning:
        lines += _indented(f"reasoning: {_cut(reasoning)}", "dim italic")
    text = "".join(reply.text)
    if text.strip():
        lines += _indented(f"assistant: {_cut(text)}", "")
    for name, arguments, call_id in reply.calls.values():
        suffix = f" [{call_id}]" if call_id else ""
        lines.append((f"  tool call: {name} {_compact(arguments)}{suffix}", "cyan"))
    if reply.finish:
        lines.append((f"  finish: {reply.finish}", "dim"))
    if reply.usage:
        lines.append((f"  usage: {format_usage(reply.usage)}", "dim"))
    return lines


def format_usage(usage: dict[str, Any]) -> str:
    """The scalar counts of a provider's usage object, as ``name=value`` pairs."""
    pairs = [
        f"{key}={value}"
        for key, value in usage.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    return ", ".join(pairs) or _compact(usage)


# SSE and small helpers


def parse_sse(text: str) -> Iterator[tuple[str, str]]:
    """(event name, data) for every event of an SSE body; comments and blank events skipped."""
    name = ""
    data: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if not raw:
            if data:
                yield name, "\n".join(data)
            name, data = "", []
        elif raw.startswith(":"):
            continue
        else:
            key, _, value = raw.partition(":")
            value = value.removeprefix(" ")
            if key == "data":
                data.append(value)
            elif key == "event":
                name = value
    if data:
        yield name, "\n".join(data)


def _content_type(response: dict[str, Any]) -> str:
    headers = _dict(response.get("headers"))
    for key, value in headers.items():
        if str(key).lower() == "content-type":
            values = value if isinstance(value, list) else [value]
            return ", ".join(str(v) for v in values)
    return ""


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str):
            return message
    return _compact(error)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _compact(value: object) -> str:
    """JSON on one line; a JSON string holding JSON (tool arguments) is shown decoded."""
    if isinstance(value, str):
        decoded = _loads(value) if value.strip() else None
        if decoded is None:
            return value
        value = decoded
    return json.dumps(value, ensure_ascii=False, default=str)


def _pretty_json(value: object) -> list[Line]:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return [(f"  {line}", "dim") for line in text.splitlines()]


def _indented(text: str, style: str) -> list[Line]:
    first, *rest = text.splitlines() or [""]
    return [(f"  {first}", style)] + [(f"    {line}", style) for line in rest]


def _cut(text: str) -> str:
    if len(text) <= ITEM_CHARS:
        return text
    return f"{text[:ITEM_CHARS]}… ({len(text) - ITEM_CHARS} more characters)"


def _role_style(role: str) -> str:
    if "tool" in role:
        return "cyan"
    if "reasoning" in role:
        return "dim italic"
    return {"system": "magenta", "user": "bold", "assistant": ""}.get(role, "")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _yaml_problem(error: Exception) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if isinstance(problem, str) and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())
