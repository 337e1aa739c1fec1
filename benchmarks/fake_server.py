"""A fake LLM provider on 127.0.0.1, for benchmarks: every wire family reverie speaks.

python benchmarks/fake_server.py [--port 0]       # prints "listening PORT", then serves

Standard library only, so any benchmark environment can start it. A raw asyncio HTTP/1.1
server (keep-alive, chunked streams) whose replies are precomputed bytes, so it costs a few
microseconds per request and stays far from being the bottleneck: ``GET /stats`` reports
its request count and its own CPU time, from which the harness prints its capacity.

Routes (POST; the model name picks the conversation, the request body picks the turn):

- ``…/chat/completions``: OpenAI chat completions, JSON or ``"stream": true`` (SSE, usage in
  a last chunk, ``[DONE]``);
- ``…/responses``: OpenAI Responses, JSON or SSE events up to ``response.completed``;
- ``…/messages``: Anthropic Messages, JSON or SSE up to ``message_stop``;
- ``…/models/M:generateContent`` and ``…:streamGenerateContent?alt=sse``: Gemini;
- ``/model/M/invoke`` and ``/model/M/invoke-with-response-stream``: Claude on Bedrock
  (InvokeModel): Anthropic's JSON, or the AWS binary event stream, one ``chunk`` frame per
  Anthropic event (base64 in a JSON ``bytes`` field, CRCs as AWS computes them).

Models: ``stream-N`` answers with a text of N four-character chunks (one SSE event each when
streamed);
``steps-N`` calls ``weather`` until the request holds N-1 tool results, then answers;
any other model (``weather``) is the two-request weather conversation (``steps-2``). The
turn is the number of ``40 C`` (the tool's result) found in the request body, so the
server keeps no state between requests and every reply is deterministic. Tool-call
arguments stream as several fragments where the family streams them (Gemini does not).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import resource
import struct
import sys
import time
import zlib
from collections.abc import Callable
from typing import Any

TOOL_RESULT = b"40 C"
FINAL_TEXT = "It is 40 degrees in Florence."
ARG_FRAGMENTS = ('{"loc', 'ation": "', "Flor", 'ence"}')
ARGS = "".join(ARG_FRAGMENTS)

_MODEL = re.compile(rb'"model"\s*:\s*"([^"]+)"')
_STREAM = re.compile(rb'"stream"\s*:\s*true')
_GEMINI_MODEL = re.compile(r"/models/([^/:]+):")
_BEDROCK_MODEL = re.compile(r"/model/([^/]+)/invoke")


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# ---- what to answer ---------------------------------------------------------------------


def plan(model: str, turn: int) -> tuple[str, int]:
    """("text", chunks) or ("call", index) for this model at this turn."""
    if model.startswith("stream-"):
        return "text", int(model[7:])
    steps = int(model[6:]) if model.startswith("steps-") else 2
    if turn < steps - 1:
        return "call", turn
    return "text", 1


def usage_numbers(turn: int, chunks: int) -> tuple[int, int]:
    return 60 + 25 * turn, chunks if chunks > 1 else 12


def text_pieces(chunks: int) -> list[str]:
    # Four characters each, never the same twice in a row (LiteLLM stops a stream that
    # repeats one chunk, taking it for a looping model).
    return [FINAL_TEXT] if chunks == 1 else [f" {i % 1000:03d}" for i in range(chunks)]


# ---- OpenAI chat completions ------------------------------------------------------------


def chat_json(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    if kind == "call":
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{n}",
                    "type": "function",
                    "function": {"name": "weather", "arguments": ARGS},
                }
            ],
        }
        reason = "tool_calls"
    else:
        message = {"role": "assistant", "content": "".join(text_pieces(n))}
        reason = "stop"
    body = {
        "id": f"chatcmpl-{turn}",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reason}],
        "usage": {"prompt_tokens": inp, "completion_tokens": out, "total_tokens": inp + out},
    }
    return [dumps(body)]


def chat_events(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    head = {"id": f"chatcmpl-{turn}", "object": "chat.completion.chunk", "created": 1700000000}
    head["model"] = model

    def chunk(delta: dict[str, Any], reason: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
        return "data: " + dumps({**head, "choices": [choice]}) + "\n\n"

    events = [chunk({"role": "assistant", "content": ""})]
    if kind == "call":
        first = {"index": 0, "id": f"call_{n}", "type": "function"}
        first["function"] = {"name": "weather", "arguments": ""}
        events.append(chunk({"tool_calls": [first]}))
        for fragment in ARG_FRAGMENTS:
            piece = {"index": 0, "function": {"arguments": fragment}}
            events.append(chunk({"tool_calls": [piece]}))
        events.append(chunk({}, "tool_calls"))
    else:
        events.extend(chunk({"content": piece}) for piece in text_pieces(n))
        events.append(chunk({}, "stop"))
    usage = {"prompt_tokens": inp, "completion_tokens": out, "total_tokens": inp + out}
    events.append("data: " + dumps({**head, "choices": [], "usage": usage}) + "\n\n")
    events.append("data: [DONE]\n\n")
    return events


# ---- OpenAI Responses -------------------------------------------------------------------


def responses_base(model: str, turn: int) -> dict[str, Any]:
    return {
        "id": f"resp_{turn}",
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "model": model,
        "output": [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "temperature": 1.0,
        "top_p": 1.0,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "metadata": {},
        "max_output_tokens": None,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "text": {"format": {"type": "text"}},
        "truncation": "disabled",
        "store": False,
    }


def responses_usage(inp: int, out: int) -> dict[str, Any]:
    return {
        "input_tokens": inp,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": inp + out,
    }


def responses_item(kind: str, n: int, status: str = "completed") -> dict[str, Any]:
    if kind == "call":
        return {
            "type": "function_call",
            "id": f"fc_{n}",
            "call_id": f"call_{n}",
            "name": "weather",
            "arguments": ARGS if status == "completed" else "",
            "status": status,
        }
    text = [{"type": "output_text", "text": "".join(text_pieces(n)), "annotations": []}]
    return {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": status,
        "content": text if status == "completed" else [],
    }


def responses_json(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    body = responses_base(model, turn)
    body["output"] = [responses_item(kind, n)]
    body["usage"] = responses_usage(inp, out)
    return [dumps(body)]


def responses_events(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    seq = iter(range(1 << 30))

    def event(name: str, data: dict[str, Any]) -> str:
        payload = {"type": name, **data, "sequence_number": next(seq)}
        return f"event: {name}\ndata: {dumps(payload)}\n\n"

    start = {**responses_base(model, turn), "status": "in_progress", "usage": None}
    events = [event("response.created", {"response": start})]
    events.append(event("response.in_progress", {"response": start}))
    added = responses_item(kind, n, "in_progress")
    events.append(event("response.output_item.added", {"output_index": 0, "item": added}))
    if kind == "call":
        where = {"item_id": f"fc_{n}", "output_index": 0}
        for fragment in ARG_FRAGMENTS:
            delta = {**where, "delta": fragment}
            events.append(event("response.function_call_arguments.delta", delta))
        events.append(event("response.function_call_arguments.done", {**where, "arguments": ARGS}))
    else:
        where = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
        part = {"type": "output_text", "text": "", "annotations": []}
        events.append(event("response.content_part.added", {**where, "part": part}))
        for piece in text_pieces(n):
            events.append(
                event("response.output_text.delta", {**where, "delta": piece, "logprobs": []})
            )
        text = "".join(text_pieces(n))
        events.append(event("response.output_text.done", {**where, "text": text, "logprobs": []}))
        done_part = {**part, "text": text}
        events.append(event("response.content_part.done", {**where, "part": done_part}))
    item = responses_item(kind, n)
    events.append(event("response.output_item.done", {"output_index": 0, "item": item}))
    final = {**responses_base(model, turn), "output": [item], "usage": responses_usage(inp, out)}
    events.append(event("response.completed", {"response": final}))
    return events


# ---- Anthropic Messages -----------------------------------------------------------------


def anthropic_json(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    if kind == "call":
        block: dict[str, Any] = {
            "type": "tool_use",
            "id": f"toolu_{n}",
            "name": "weather",
            "input": {"location": "Florence"},
        }
        reason = "tool_use"
    else:
        block = {"type": "text", "text": "".join(text_pieces(n))}
        reason = "end_turn"
    body = {
        "id": f"msg_{turn}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [block],
        "stop_reason": reason,
        "stop_sequence": None,
        "usage": {"input_tokens": inp, "output_tokens": out},
    }
    return [dumps(body)]


def anthropic_events(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)

    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {dumps({'type': name, **data})}\n\n"

    message: dict[str, Any] = {
        "id": f"msg_{turn}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": inp, "output_tokens": 1},
    }
    events = [event("message_start", {"message": message})]
    if kind == "call":
        block = {"type": "tool_use", "id": f"toolu_{n}", "name": "weather", "input": {}}
        events.append(event("content_block_start", {"index": 0, "content_block": block}))
        for fragment in ARG_FRAGMENTS:
            delta = {"type": "input_json_delta", "partial_json": fragment}
            events.append(event("content_block_delta", {"index": 0, "delta": delta}))
        reason = "tool_use"
    else:
        block = {"type": "text", "text": ""}
        events.append(event("content_block_start", {"index": 0, "content_block": block}))
        for piece in text_pieces(n):
            delta = {"type": "text_delta", "text": piece}
            events.append(event("content_block_delta", {"index": 0, "delta": delta}))
        reason = "end_turn"
    events.append(event("content_block_stop", {"index": 0}))
    stop = {"stop_reason": reason, "stop_sequence": None}
    events.append(event("message_delta", {"delta": stop, "usage": {"output_tokens": out}}))
    events.append(event("message_stop", {}))
    return events


# ---- Gemini -----------------------------------------------------------------------------


def gemini_chunk(model: str, parts: list[Any], usage: dict[str, int], last: bool) -> str:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if last:
        candidate["finishReason"] = "STOP"
    body = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model}
    return dumps({**body, "responseId": "r1"})


def gemini_usage(inp: int, out: int) -> dict[str, int]:
    return {"promptTokenCount": inp, "candidatesTokenCount": out, "totalTokenCount": inp + out}


def gemini_json(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    if kind == "call":
        parts: list[Any] = [{"functionCall": {"name": "weather", "args": {"location": "Florence"}}}]
    else:
        parts = [{"text": "".join(text_pieces(n))}]
    return [gemini_chunk(model, parts, gemini_usage(inp, out), True)]


def gemini_events(model: str, kind: str, n: int, turn: int) -> list[str]:
    inp, out = usage_numbers(turn, n if kind == "text" else 1)
    if kind == "call":
        call = {"functionCall": {"name": "weather", "args": {"location": "Florence"}}}
        return ["data: " + gemini_chunk(model, [call], gemini_usage(inp, out), True) + "\r\n\r\n"]
    pieces = text_pieces(n)
    return [
        "data: "
        + gemini_chunk(model, [{"text": p}], gemini_usage(inp, i + 1), i == len(pieces) - 1)
        + "\r\n\r\n"
        for i, p in enumerate(pieces)
    ]


# ---- Claude on Bedrock: the AWS binary event stream ---------------------------------------


def eventstream_header(name: str, value: str) -> bytes:
    """One string header (type 7): name length, name, type, value length, value."""
    key, data = name.encode(), value.encode()
    return bytes([len(key)]) + key + b"\x07" + struct.pack(">H", len(data)) + data


CHUNK_HEADERS = (
    eventstream_header(":event-type", "chunk")
    + eventstream_header(":content-type", "application/json")
    + eventstream_header(":message-type", "event")
)


def eventstream_frame(headers: bytes, payload: bytes) -> bytes:
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def bedrock_frames(model: str, kind: str, n: int, turn: int) -> list[bytes]:
    """Anthropic's stream, each event (without its SSE lines) wrapped in a ``chunk`` frame."""
    frames = []
    for event in anthropic_events(model, kind, n, turn):
        data = event.split("data: ", 1)[1].strip().encode()
        wrapped = dumps({"bytes": base64.b64encode(data).decode(), "p": "abcdefgh"})
        frames.append(eventstream_frame(CHUNK_HEADERS, wrapped.encode()))
    return frames


Builder = Callable[[str, str, int, int], list[str]]
FAMILIES: dict[str, tuple[Builder, Builder]] = {
    "chat": (chat_json, chat_events),
    "responses": (responses_json, responses_events),
    "anthropic": (anthropic_json, anthropic_events),
    "gemini": (gemini_json, gemini_events),
    "bedrock": (anthropic_json, anthropic_events),  # streamed through bedrock_frames
}


# ---- HTTP -------------------------------------------------------------------------------


def http_json(body: str) -> bytes:
    data = body.encode()
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


def http_stream(events: list[str] | list[bytes], media: str = "text/event-stream") -> bytes:
    """A streamed body, chunked, one HTTP chunk per event as a provider sends them."""
    head = f"HTTP/1.1 200 OK\r\ncontent-type: {media}\r\ntransfer-encoding: chunked\r\n\r\n"
    out = [head.encode()]
    for event in events:
        data = event.encode() if isinstance(event, str) else event
        out.append(b"%x\r\n%s\r\n" % (len(data), data))
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def http_error(status: int, message: str) -> bytes:
    data = dumps({"error": {"message": message}}).encode()
    head = (
        f"HTTP/1.1 {status} Error\r\ncontent-type: application/json\r\n"
        f"content-length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


class Stats:
    requests = 0
    started = time.process_time()


_CACHE: dict[tuple[str, bool, str, str, int, int], bytes] = {}


def reply(method: str, path: str, body: bytes) -> bytes:
    """The whole HTTP response for one request."""
    if method == "GET" and path == "/stats":
        cpu = time.process_time() - Stats.started
        return http_json(dumps({"requests": Stats.requests, "cpu_seconds": cpu}))
    Stats.requests += 1
    if path.endswith("/chat/completions"):
        family = "chat"
    elif path.endswith("/responses"):
        family = "responses"
    elif path.endswith("/messages"):
        family = "anthropic"
    elif ":generateContent" in path or ":streamGenerateContent" in path:
        family = "gemini"
    elif path.endswith(("/invoke", "/invoke-with-response-stream")):
        family = "bedrock"
    else:
        return http_error(404, f"no route for {path}")
    if family == "gemini":
        found = _GEMINI_MODEL.search(path)
        model = found.group(1) if found else "weather"
        stream = ":streamGenerateContent" in path
    elif family == "bedrock":
        found = _BEDROCK_MODEL.search(path)
        model = found.group(1) if found else "weather"
        stream = path.endswith("/invoke-with-response-stream")
    else:
        match = _MODEL.search(body)
        model = match.group(1).decode() if match else "weather"
        stream = _STREAM.search(body) is not None
    turn = body.count(TOOL_RESULT)
    kind, n = plan(model, turn)
    key = (family, stream, model, kind, n, turn)
    cached = _CACHE.get(key)
    if cached is None:
        build_json, build_events = FAMILIES[family]
        if stream and family == "bedrock":
            frames = bedrock_frames(model, kind, n, turn)
            cached = http_stream(frames, "application/vnd.amazon.eventstream")
        elif stream:
            cached = http_stream(build_events(model, kind, n, turn))
        else:
            cached = http_json(build_json(model, kind, n, turn)[0])
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[key] = cached
    return cached


class Connection(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; requests carry Content-Length or chunked bodies."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            lines = head.split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            start = end + 4
            if headers.get("transfer-encoding", "").lower() == "chunked":
                parsed = dechunk(self.buffer, start)
                if parsed is None:
                    return
                body, stop = parsed
            else:
                length = int(headers.get("content-length", "0"))
                if len(self.buffer) < start + length:
                    return
                body, stop = bytes(self.buffer[start : start + length]), start + length
            del self.buffer[:stop]
            path = target.split("?", 1)[0]
            self.transport.write(reply(method, path, body))
            if headers.get("connection", "").lower() == "close":
                self.transport.close()
                self.transport = None

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    out = bytearray()
    pos = start
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        pos = line_end + 2
        if len(buffer) < pos + size + 2:
            return None
        if size == 0:
            trailer = buffer.find(b"\r\n", pos)
            return (bytes(out), trailer + 2) if trailer >= 0 else None
        out += buffer[pos : pos + size]
        pos += size + 2


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Connection, "127.0.0.1", port, backlog=4096)
    print(f"listening {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    # Open files up to the hard limit: thousands of connections at once hold one each.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
