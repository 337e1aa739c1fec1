"""Answers in every wire family, plain and streamed, for fault and attack cases: a text, a
reasoning text and a tool call whose input is given as JSON fragments, each as the family's
server would send it (SSE events; Bedrock's binary event stream, base64 inside frames)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2

from reverie.testing.eventstream import encode_frame

TOOL = "lookup"
RAW = {"__raw_args__": True}
"""Stands for tool arguments written into a body as they are (JSON nested deeper than
Python can build or dump): ``dumps`` puts the raw text in its place."""


@dataclass(frozen=True)
class Answer:
    """What the model says: text deltas, reasoning deltas, tool input fragments."""

    text: tuple[str, ...] = ()
    reasoning: tuple[str, ...] = ()
    args: tuple[str, ...] = ()

    @property
    def whole_args(self) -> str:
        return "".join(self.args)

    @property
    def args_value(self) -> Any:
        """The arguments as a value to put in a body (RAW when Python cannot hold them)."""
        try:
            return json.loads(self.whole_args)
        except (ValueError, RecursionError):
            return RAW


def dumps(value: Any, a: Answer | None = None) -> str:
    """JSON as a server writes it (non-ASCII escaped, so lone surrogates travel as
    ``\\ud83d``), raw arguments put in place."""
    text = json.dumps(value)
    if a is not None and RAW_TEXT in text:
        text = text.replace(RAW_TEXT, a.whole_args)
    return text


RAW_TEXT = '{"__raw_args__": true}'


def sse(events: list[tuple[str | None, Any]], a: Answer | None = None) -> bytes:
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        body = data if isinstance(data, str) else dumps(data, a)
        out.append(f"{head}data: {body}\n\n")
    return "".join(out).encode()


# ---- chat completions ---------------------------------------------------------------------


def chat_plain(a: Answer, field: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "".join(a.text) or None}
    if a.reasoning and field:
        message[field] = "".join(a.reasoning)
    if a.args:
        function = {"name": TOOL, "arguments": a.whole_args}
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": function}]
    return {
        "id": "c",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chat_stream(a: Answer, field: str | None = None) -> bytes:
    def chunk(delta: dict[str, Any], reason: str | None = None) -> tuple[None, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": reason}
        return None, {"id": "c", "model": "m", "choices": [choice]}

    events = [chunk({field: r}) for r in a.reasoning] if field else []
    events += [chunk({"content": t}) for t in a.text]
    for i, fragment in enumerate(a.args):
        call: dict[str, Any] = {"index": 0, "function": {"arguments": fragment}}
        if i == 0:
            call.update(id="call_1", type="function")
            call["function"]["name"] = TOOL
        events.append(chunk({"tool_calls": [call]}))
    events.append(chunk({}, "stop"))
    events.append((None, "[DONE]"))
    return sse(events)


# ---- Responses ------------------------------------------------------------------------------


def _responses_output(a: Answer) -> list[dict[str, Any]]:
    output: list[dict[str, Any]] = []
    if a.reasoning:
        summary = [{"type": "summary_text", "text": "".join(a.reasoning)}]
        output.append({"type": "reasoning", "id": "rs_1", "summary": summary})
    if a.text:
        content = [{"type": "output_text", "text": "".join(a.text), "annotations": []}]
        output.append({"type": "message", "id": "msg_1", "role": "assistant", "content": content})
    if a.args:
        output.append(
            {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "call_1",
                "name": TOOL,
                "arguments": a.whole_args,
                "status": "completed",
            }
        )
    return output


def responses_plain(a: Answer) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "m",
        "output": _responses_output(a),
        "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
    }


def responses_stream(a: Answer) -> bytes:
    events: list[tuple[str | None, Any]] = []

    def event(name: str, **data: Any) -> None:
        events.append((name, {"type": name, **data}))

    start = {"id": "resp_1", "object": "response", "status": "in_progress", "model": "m"}
    event("response.created", response=start)
    index = 0
    if a.reasoning:
        item = {"type": "reasoning", "id": "rs_1", "summary": []}
        event("response.output_item.added", output_index=index, item=item)
        part = {"type": "summary_text", "text": ""}
        event(
            "response.reasoning_summary_part.added",
            item_id="rs_1",
            output_index=index,
            summary_index=0,
            part=part,
        )
        for r in a.reasoning:
            event(
                "response.reasoning_summary_text.delta",
                item_id="rs_1",
                output_index=index,
                summary_index=0,
                delta=r,
            )
        event("response.output_item.done", output_index=index, item=_responses_output(a)[0])
        index += 1
    if a.text:
        item = {"type": "message", "id": "msg_1", "role": "assistant", "content": []}
        event("response.output_item.added", output_index=index, item=item)
        for t in a.text:
            event(
                "response.output_text.delta",
                item_id="msg_1",
                output_index=index,
                content_index=0,
                delta=t,
            )
        done = next(o for o in _responses_output(a) if o["type"] == "message")
        event("response.output_item.done", output_index=index, item=done)
        index += 1
    if a.args:
        item = {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": TOOL,
            "arguments": "",
            "status": "in_progress",
        }
        event("response.output_item.added", output_index=index, item=item)
        for fragment in a.args:
            event(
                "response.function_call_arguments.delta",
                item_id="fc_1",
                output_index=index,
                delta=fragment,
            )
        done = next(o for o in _responses_output(a) if o["type"] == "function_call")
        event("response.output_item.done", output_index=index, item=done)
    event("response.completed", response=responses_plain(a))
    return sse(events)


# ---- Anthropic (and Bedrock, Claude on Vertex) ---------------------------------------------


def anthropic_plain(a: Answer) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if a.reasoning:
        content.append({"type": "thinking", "thinking": "".join(a.reasoning), "signature": "s"})
    if a.text:
        content.append({"type": "text", "text": "".join(a.text)})
    if a.args:
        content.append({"type": "tool_use", "id": "toolu_1", "name": TOOL, "input": a.args_value})
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": content,
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def anthropic_events(a: Answer) -> list[dict[str, Any]]:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": []}
    message["usage"] = {"input_tokens": 1, "output_tokens": 1}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": message}]
    index = 0

    def block(start: dict[str, Any], deltas: list[dict[str, Any]]) -> None:
        nonlocal index
        events.append({"type": "content_block_start", "index": index, "content_block": start})
        events.extend({"type": "content_block_delta", "index": index, "delta": d} for d in deltas)
        events.append({"type": "content_block_stop", "index": index})
        index += 1

    if a.reasoning:
        deltas = [{"type": "thinking_delta", "thinking": r} for r in a.reasoning]
        deltas.append({"type": "signature_delta", "signature": "sig"})
        block({"type": "thinking", "thinking": ""}, deltas)
    if a.text:
        block({"type": "text", "text": ""}, [{"type": "text_delta", "text": t} for t in a.text])
    if a.args:
        start = {"type": "tool_use", "id": "toolu_1", "name": TOOL, "input": {}}
        block(start, [{"type": "input_json_delta", "partial_json": f} for f in a.args])
    delta = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}}
    events.append({**delta, "usage": {"output_tokens": 2}})
    events.append({"type": "message_stop"})
    return events


def anthropic_stream(a: Answer) -> bytes:
    return sse([(e["type"], e) for e in anthropic_events(a)])


CHUNK = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}


def bedrock_frame(event: dict[str, Any]) -> bytes:
    wrapped = {"bytes": base64.b64encode(dumps(event).encode()).decode(), "p": "abcd"}
    return encode_frame(CHUNK, json.dumps(wrapped).encode())


def bedrock_stream(a: Answer) -> bytes:
    return b"".join(bedrock_frame(e) for e in anthropic_events(a))


# ---- Gemini (and Gemini on Vertex) ----------------------------------------------------------


def _gemini_chunk(parts: list[dict[str, Any]], last: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if last:
        candidate["finishReason"] = "STOP"
    usage = {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "m"}


def _gemini_parts(a: Answer) -> list[list[dict[str, Any]]]:
    pieces: list[list[dict[str, Any]]] = [[{"text": r, "thought": True}] for r in a.reasoning]
    pieces += [[{"text": t}] for t in a.text]
    if a.args:  # Gemini sends a call whole
        pieces.append([{"functionCall": {"name": TOOL, "args": a.args_value}}])
    return pieces or [[{"text": ""}]]


def gemini_plain(a: Answer) -> dict[str, Any]:
    whole = Answer(("".join(a.text),), ("".join(a.reasoning),), a.args)
    return _gemini_chunk([p for piece in _gemini_parts(whole) for p in piece], True)


def gemini_stream(a: Answer) -> bytes:
    pieces = _gemini_parts(a)
    chunks = [(None, _gemini_chunk(p, i == len(pieces) - 1)) for i, p in enumerate(pieces)]
    return sse(chunks, a)


# ---- providers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    name: str
    plain: Callable[[Answer], dict[str, Any]]
    stream: Callable[[Answer], bytes]
    content_type: str = "text/event-stream"
    reasoning: bool = True  # whether it carries the answer's reasoning


def _chat(field: str | None) -> Family:
    """Chat completions; reasoning text in ``field`` (None: a dialect that reads none)."""
    return Family(
        "chat",
        lambda a: chat_plain(a, field),
        lambda a: chat_stream(a, field),
        reasoning=field is not None,
    )


CHAT = _chat(None)
RESPONSES = Family("responses", responses_plain, responses_stream)
ANTHROPIC = Family("anthropic", anthropic_plain, anthropic_stream)
BEDROCK = Family("bedrock", anthropic_plain, bedrock_stream, "application/vnd.amazon.eventstream")
GEMINI = Family("gemini", gemini_plain, gemini_stream)


@dataclass(frozen=True)
class Case:
    """A provider (by registry name), the settings it needs besides a client, the model to
    ask and its wire family."""

    provider: str
    model: str
    family: Family
    settings: tuple[tuple[str, Any], ...] = ()
    keyed: bool = True  # takes api_key=

    @property
    def id(self) -> str:
        return f"{self.provider}-{self.family.name}"


CASES = [
    Case("openai", "gpt-4o", CHAT),
    Case("openai-responses", "gpt-5", RESPONSES),
    Case("azure", "deployment", CHAT, (("resource_name", "res"),)),
    Case("openrouter", "a/b", _chat("reasoning")),
    Case("vercel", "a/b", _chat("reasoning")),
    Case(
        "openai-compat", "m", _chat("reasoning_content"), (("base_url", "http://127.0.0.1:9/v1"),)
    ),
    Case("anthropic", "claude-x", ANTHROPIC),
    Case("bedrock", "anthropic.claude-x", BEDROCK, (("region", "us-east-1"),)),
    Case("google", "gemini-2.5-flash", GEMINI),
    Case(
        "vertex",
        "gemini-2.5-pro",
        GEMINI,
        (("project", "p"), ("location", "us-east5")),
        keyed=False,
    ),
    Case(
        "vertex",
        "claude-x@1",
        ANTHROPIC,
        (("project", "p"), ("location", "us-east5")),
        keyed=False,
    ),
]
CASE_IDS = [c.id for c in CASES]


def answering(
    family: Family, answer: Answer | Callable[[httpx2.Request], Answer]
) -> Callable[[httpx2.Request], httpx2.Response]:
    """A MockTransport handler giving ``answer`` plainly or streamed, as the URL asks."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        said = answer(request) if callable(answer) else answer
        body = json.loads(request.content)
        url = str(request.url)
        streamed = body.get("stream") is True or "stream" in url.lower() or "alt=sse" in url
        if streamed:
            headers = {"content-type": family.content_type}
            return httpx2.Response(200, headers=headers, content=family.stream(said))
        text = dumps(family.plain(said), said)
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=text)

    return handle
