"""A go-vcr v2 cassette as a readable transcript, for ``reverie replay``.

The cassette is read by :mod:`reverie.testing`'s loader. Requests are described here (what
was sent: messages, tools); each response is decoded by its wire family's own parser
(:mod:`reverie.providers.recorded`) and described from the resulting ``Response``. A body no
parser reads is shown as it was recorded, with a note saying why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reverie.cli.lines import (
    Line,
    as_dict,
    compact,
    cut,
    cut_line,
    describe_part,
    first_lines,
    indented,
    joined_text,
    loads_json,
    pretty_json,
)

if TYPE_CHECKING:
    from reverie.errors import ProviderError
    from reverie.messages import ToolOutput
    from reverie.model import Response
    from reverie.providers.recorded import RecordedExchange
    from reverie.testing.cassette import Interaction, RecordedRequest, RecordedResponse
    from reverie.usage import Usage


class CassetteError(ValueError):
    """The file is not a cassette we can read."""


def load_interactions(path: Path) -> list[Interaction]:
    """The interactions of the cassette at ``path``, read by ``reverie.testing``'s loader."""
    try:
        import yaml

        from reverie.testing.cassette import load_cassette
    except ImportError as exc:
        raise CassetteError(
            "reading cassettes needs PyYAML: pip install 'reverie[testing]'"
        ) from exc
    try:
        return load_cassette(path).interactions
    except OSError as exc:
        raise CassetteError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise CassetteError(f"{path} is not valid YAML: {_yaml_problem(exc)}") from exc
    except (ValueError, TypeError, AttributeError) as exc:  # YAML, but not a cassette's shape
        problem = str(exc).removeprefix(f"{path}: ")
        said = "" if "cassette" in problem or "YAML" in problem else " (not a go-vcr v2 cassette)"
        raise CassetteError(f"{path}: {problem}{said}") from exc


def transcript(path: Path) -> list[Line]:
    """The whole transcript of the cassette at ``path``; raises :class:`CassetteError`."""
    interactions = load_interactions(path)
    replies = asyncio.run(_read_all(interactions))
    count = len(interactions)
    lines: list[Line] = [(f"{path}: {count} interaction{'s' if count != 1 else ''}", "bold")]
    for interaction, reply in zip(interactions, replies, strict=True):
        lines.append(("", ""))
        lines += describe_request(interaction.id, interaction.request)
        lines += describe_reply(reply)
    return lines


# Requests


def describe_request(number: object, request: RecordedRequest) -> list[Line]:
    method = request.method or "?"
    url = request.url or "?"
    lines: list[Line] = [(f"#{number} {method} {url}", "bold")]
    body = request.body
    if isinstance(body, bytes):
        return [*lines, (f"  body: {len(body)} bytes (binary)", "dim")]
    if not body.strip():
        return lines
    value = loads_json(body)
    if value is None:
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


# Responses


@dataclass(frozen=True, slots=True)
class Reply:
    """A recorded response and what its family's parser made of it."""

    exchange: RecordedExchange
    status: str
    family: str | None
    events: int | None = None
    """How many server-sent events a streamed text body holds."""
    response: Response | None = None
    error: ProviderError | None = None


async def _read_all(interactions: list[Interaction]) -> list[Reply]:
    return [await read_reply(i.request, i.response) for i in interactions]


async def read_reply(request: RecordedRequest, recorded: RecordedResponse) -> Reply:
    """Decode one recorded response with its family's own parser; never raises."""
    from reverie.errors import ProviderError
    from reverie.providers.recorded import RecordedExchange, read_recorded, wire_family

    exchange = RecordedExchange(
        url=request.url,
        method=request.method,
        request_body=loads_json(request.body) if isinstance(request.body, str) else None,
        status=recorded.code,
        content_type=_content_type(recorded),
        body=recorded.body,
    )
    status = recorded.status or str(recorded.code)
    events = _count_events(exchange.body) if exchange.streamed else None
    family = wire_family(exchange.url)
    try:
        response = await read_recorded(exchange)
    except ProviderError as exc:
        return Reply(exchange, status, family, events, error=exc)
    return Reply(exchange, status, family, events, response=response)


def describe_reply(reply: Reply) -> list[Line]:
    exchange = reply.exchange
    ok = 200 <= exchange.status < 300
    head = f"→ {reply.status}"
    if reply.events is not None:
        head += f", event stream ({reply.events} event{'s' if reply.events != 1 else ''})"
    elif exchange.streamed:
        head += ", event stream"
    lines: list[Line] = [(head, "green" if ok else "red")]
    if reply.response is not None:
        return lines + describe_response(reply.response, _requested_model(exchange))
    if reply.error is not None:
        lines.append((f"  error: {reply.error}", "red"))
        note = "the body as recorded:"
    elif reply.family is None:
        note = "no known wire format at this URL; the body as recorded:"
    else:
        note = f"{reply.family} replies are not decoded yet; the body as recorded:"
    if exchange.body:
        lines.append((f"  ({note})", "yellow"))
        lines += raw_body(exchange)
    return lines


def describe_response(response: Response, requested_model: str = "") -> list[Line]:
    """The content of a decoded response, in order, then its finish reason and usage."""
    from reverie.content import File, Reasoning, Source, Text, ToolCall, ToolResult

    lines: list[Line] = []
    for part in response.content:
        if isinstance(part, Text):
            if part.text.strip():
                lines += indented(f"assistant: {cut(part.text)}", "")
        elif isinstance(part, Reasoning):
            text = part.text.strip() or ("[encrypted]" if part.provider_metadata else "")
            if text:
                lines += indented(f"reasoning: {cut(text)}", "dim italic")
        elif isinstance(part, ToolCall):
            line = f"tool call: {part.tool_name} {compact(part.input)} [{part.tool_call_id}]"
            if part.provider_executed:
                line += " (run by the provider)"
            if part.invalid:
                line += f" (invalid: {part.error})"
            lines.append((f"  {line}", "cyan"))
        elif isinstance(part, ToolResult):
            output = _tool_output(part.output)
            label = f"tool result [{part.tool_call_id}] {part.tool_name}"
            lines += indented(f"{label}: {cut(output)}", "cyan")
        elif isinstance(part, Source):
            where = part.url or part.filename or part.id
            title = f" ({part.title})" if part.title else ""
            lines.append((f"  source: {where}{title}", "dim"))
        elif isinstance(part, File):
            lines.append((f"  file: {part.media_type}, {len(part.data)} bytes", "dim"))
    lines.append((f"  finish: {response.finish_reason.value}", "dim"))
    if response.model_id and response.model_id != requested_model:
        lines.append((f"  model: {response.model_id}", "dim"))
    usage = format_usage(response.usage)
    if usage:
        lines.append((f"  usage: {usage}", "dim"))
    if response.provider_metadata:
        lines.append((f"  metadata: {cut(compact(response.provider_metadata))}", "dim"))
    lines += [(f"  warning: {w.message}", "yellow") for w in response.warnings]
    return lines


def format_usage(usage: Usage) -> str:
    """The counts a provider reported, as ``name=value`` pairs (zeros left out, and
    ``reported``: nothing is shown when nothing was reported)."""
    values = ((f.name, getattr(usage, f.name)) for f in fields(usage) if f.name != "reported")
    return ", ".join(f"{name}={value}" for name, value in values if value)


RAW_LINES = 12
"""How many lines of a body no parser read are shown; the cassette keeps the rest."""


def raw_body(exchange: RecordedExchange) -> list[Line]:
    """The body as recorded: pretty JSON when it is JSON, else its first lines."""
    body = exchange.body
    if isinstance(body, bytes):
        kind = f", {exchange.content_type}" if exchange.content_type else ""
        return [(f"  binary body, {len(body)} bytes{kind}", "dim")]
    value = None if exchange.streamed else loads_json(body)
    if value is not None:
        shown = [(cut_line(text), style) for text, style in pretty_json(value)]
        return first_lines(shown, RAW_LINES * 4)
    shown = [(f"  {cut_line(line)}", "dim") for line in body.strip().splitlines() if line]
    return first_lines(shown, RAW_LINES)


# Small helpers


def _count_events(body: str | bytes) -> int | None:
    if isinstance(body, bytes):
        return None  # a binary event stream (AWS): only its family's framing can count it
    from reverie.http.sse import SseDecoder

    decoder = SseDecoder()
    return len(decoder.feed(body.encode("utf-8"))) + len(decoder.close())


def _content_type(response: RecordedResponse) -> str:
    for name, values in response.headers.items():
        if name.lower() == "content-type":
            return ", ".join(values)
    return ""


def _requested_model(exchange: RecordedExchange) -> str:
    model = as_dict(exchange.request_body).get("model")
    return model if isinstance(model, str) else ""


def _tool_output(output: ToolOutput) -> str:
    from reverie.messages import ErrorOutput, TextOutput

    if isinstance(output, TextOutput):
        return compact(output.text)
    if isinstance(output, ErrorOutput):
        return f"error: {output.message}"
    return f"[{output.media_type}]" + (f" {output.text}" if output.text else "")


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
