"""Reading a recorded response body, JSON or SSE, in any provider's wire format.

OpenAI chat, Anthropic, OpenAI Responses and Gemini replies are reassembled into the text,
reasoning and tool calls they carried; :mod:`reverie.cli.transcript` lays them out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reverie.cli.lines import (
    Line,
    as_dict,
    compact,
    cut,
    indented,
    joined_text,
    loads_json,
    pretty_json,
)


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
            value = loads_json(first)
            lines += pretty_json(value) if value is not None else indented(cut(first), "dim")
        return lines
    lines = [(f"→ {status}", "green" if ok else "red")]
    if not stripped:
        return lines
    value = loads_json(stripped)
    if value is None:
        return lines + indented(cut(stripped), "dim")
    reply = Reply()
    if isinstance(value, dict):
        read_json_reply(reply, value)
    if reply.understood or reply.error:
        return lines + _reply_lines(reply)
    return lines + pretty_json(value)


def read_json_reply(reply: Reply, body: dict[str, Any]) -> None:
    error = body.get("error")
    if error:
        reply.error = _error_text(error)
    if isinstance(body.get("choices"), list):  # OpenAI chat
        reply.understood = True
        for choice in body["choices"][:1]:
            message = as_dict(as_dict(choice).get("message"))
            for name in ("reasoning_content", "reasoning"):
                if isinstance(message.get(name), str):
                    reply.reasoning.append(message[name])
            if isinstance(message.get("content"), str):
                reply.text.append(message["content"])
            for index, call in enumerate(message.get("tool_calls") or ()):
                function = as_dict(as_dict(call).get("function"))
                entry = reply.call(index, function.get("name"), as_dict(call).get("id"))
                entry[1] += str(function.get("arguments") or "")
            reply.finish = as_dict(choice).get("finish_reason")
    elif isinstance(body.get("content"), list) and body.get("type") == "message":  # Anthropic
        reply.understood = True
        for index, block in enumerate(body["content"]):
            _anthropic_block(reply, index, as_dict(block))
        reply.finish = body.get("stop_reason")
    elif isinstance(body.get("output"), list):  # OpenAI Responses
        reply.understood = True
        for index, item in enumerate(body["output"]):
            _responses_item(reply, index, as_dict(item))
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
    value = loads_json(data)
    if not isinstance(value, dict):
        return
    kind = str(value.get("type") or name or "")
    if value.get("error"):
        reply.error = _error_text(value["error"])
    if isinstance(value.get("choices"), list):  # OpenAI chat chunk
        reply.understood = True
        for choice in value["choices"]:
            choice = as_dict(choice)
            if choice.get("index", 0) != 0:
                continue
            delta = as_dict(choice.get("delta"))
            for field_name in ("reasoning_content", "reasoning"):
                if isinstance(delta.get(field_name), str):
                    reply.reasoning.append(delta[field_name])
            if isinstance(delta.get("content"), str):
                reply.text.append(delta["content"])
            for position, call in enumerate(delta.get("tool_calls") or ()):
                call = as_dict(call)
                function = as_dict(call.get("function"))
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
        reply.usage.update(as_dict(as_dict(event.get("message")).get("usage")))
    elif kind == "content_block_start":
        _anthropic_block(reply, int(event.get("index") or 0), as_dict(event.get("content_block")))
    elif kind == "content_block_delta":
        delta = as_dict(event.get("delta"))
        if delta.get("type") == "text_delta":
            reply.text.append(str(delta.get("text") or ""))
        elif delta.get("type") == "thinking_delta":
            reply.reasoning.append(str(delta.get("thinking") or ""))
        elif delta.get("type") == "input_json_delta":
            reply.call(event.get("index") or 0)[1] += str(delta.get("partial_json") or "")
    elif kind == "message_delta":
        reply.finish = as_dict(event.get("delta")).get("stop_reason") or reply.finish
        reply.usage.update(as_dict(event.get("usage")))


def _responses_item(reply: Reply, index: int, item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind == "message":
        for part in item.get("content") or ():
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                reply.text.append(part["text"])
    elif kind == "reasoning":
        reply.reasoning.append(joined_text(item.get("summary")))
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
        item = as_dict(event.get("item"))
        if item.get("type") not in ("message", "reasoning"):
            _responses_item(reply, int(event.get("output_index") or 0), item)
    elif kind in ("response.completed", "response.incomplete", "response.failed"):
        response = as_dict(event.get("response"))
        reply.finish = response.get("status") or reply.finish
        reply.usage.update(as_dict(response.get("usage")))
        if response.get("error"):
            reply.error = _error_text(response["error"])


def _gemini_chunk(reply: Reply, chunk: dict[str, Any]) -> None:
    for candidate in chunk.get("candidates", [])[:1]:
        candidate = as_dict(candidate)
        for part in as_dict(candidate.get("content")).get("parts") or ():
            part = as_dict(part)
            if "functionCall" in part:
                call = as_dict(part["functionCall"])
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
        lines += indented(f"reasoning: {cut(reasoning)}", "dim italic")
    text = "".join(reply.text)
    if text.strip():
        lines += indented(f"assistant: {cut(text)}", "")
    for name, arguments, call_id in reply.calls.values():
        suffix = f" [{call_id}]" if call_id else ""
        lines.append((f"  tool call: {name} {compact(arguments)}{suffix}", "cyan"))
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
    return ", ".join(pairs) or compact(usage)


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
    headers = as_dict(response.get("headers"))
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
    return compact(error)
