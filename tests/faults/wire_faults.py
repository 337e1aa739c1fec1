"""Each wire family's documented failure shapes, hand-made from its API reference: the error
body of an HTTP status, the error a 200 answer can hold, the in-band error event of a stream
(OpenRouter's mid-stream ``error`` chunk, the Responses ``error`` event, Anthropic's
``error`` event, Gemini's error object as an SSE event, Bedrock's ``:message-type exception``
frame), and a stream's bytes cut at any point."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from reverie.testing.eventstream import encode_frame

from .families import (
    Answer,
    Case,
    anthropic_events,
    bedrock_frame,
    chat_stream,
    dumps,
    responses_stream,
    sse,
)

MESSAGE = "The service is overloaded, try again"


def overloaded_body(family: str) -> dict[str, Any]:
    """A passing failure, as the family's JSON error body says it."""
    if family in ("chat", "responses"):
        error = {"message": MESSAGE, "type": "server_error", "code": "server_is_overloaded"}
        return {"error": error}
    if family in ("anthropic", "bedrock"):
        return {"type": "error", "error": {"type": "overloaded_error", "message": MESSAGE}}
    return {"error": {"code": 503, "message": MESSAGE, "status": "UNAVAILABLE"}}


def invalid_body(family: str) -> dict[str, Any]:
    """A lasting failure (the request is wrong), as the family's JSON error body says it."""
    if family in ("chat", "responses"):
        error = {"message": "bad parameter", "type": "invalid_request_error", "code": None}
        return {"error": error}
    if family in ("anthropic", "bedrock"):
        return {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}
    return {"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}


def error_in_200(family: str) -> dict[str, Any]:
    """A 200 answer holding a passing error where the answer should be."""
    body = overloaded_body(family)
    if family == "responses":  # a failed response object
        return {"id": "resp_1", "object": "response", "status": "failed", "output": [], **body}
    return body


def in_band_error(family: str, passing: bool = True) -> bytes:
    """The stream event (or frame) that reports an error mid-stream."""
    if family == "chat":  # OpenRouter: an error chunk, finish_reason "error"
        error = (
            {"code": 502, "message": MESSAGE}
            if passing
            else {"code": 400, "message": "bad parameter"}
        )
        choice = {"index": 0, "delta": {"content": ""}, "finish_reason": "error"}
        chunk = {"id": "c", "object": "chat.completion.chunk", "model": "m", "error": error}
        return sse([(None, {**chunk, "choices": [choice]})])
    if family == "responses":
        code = "server_is_overloaded" if passing else "invalid_prompt"
        event = {"type": "error", "code": code, "message": MESSAGE, "param": None}
        return sse([("error", {**event, "sequence_number": 9})])
    if family == "anthropic":
        kind = "overloaded_error" if passing else "invalid_request_error"
        return sse([("error", {"type": "error", "error": {"type": kind, "message": MESSAGE}})])
    if family == "bedrock":
        name = "serviceUnavailableException" if passing else "validationException"
        headers = {
            ":message-type": "exception",
            ":exception-type": name,
            ":content-type": "application/json",
        }
        return encode_frame(headers, json.dumps({"message": MESSAGE}).encode())
    status = "UNAVAILABLE" if passing else "INVALID_ARGUMENT"
    return sse(
        [(None, {"error": {"code": 503 if passing else 400, "message": MESSAGE, "status": status}})]
    )


def stream_head(family: str, text: str) -> bytes:
    """The start of a stream up to one text delta ``text`` (no terminal event)."""
    a = Answer(text=(text,))
    if family == "chat":
        body = chat_stream(a)
        return body[: body.index(b'finish_reason": "stop')].rsplit(b"data: ", 1)[0]
    if family == "responses":
        body = responses_stream(a)
        return body[: body.index(b"event: response.output_item.done")]
    if family in ("anthropic", "bedrock"):
        events = anthropic_events(a)
        head = events[: [e["type"] for e in events].index("content_block_stop")]
        if family == "bedrock":
            return b"".join(bedrock_frame(e) for e in head)
        return sse([(e["type"], e) for e in head])
    # gemini: a chunk with text and no finishReason
    chunk = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]}
    return sse([(None, chunk)])


def whole_stream(case: Case, a: Answer) -> bytes:
    return case.family.stream(a)


def served(case: Case, *answers: Callable[[httpx2.Request], httpx2.Response]) -> Any:
    """A MockTransport handler answering the scripted responses in turn (the last again)."""
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return answers[min(len(seen), len(answers)) - 1](request)

    handle.seen = seen  # type: ignore[attr-defined]
    return handle


def status(code: int, body: Any, headers: dict[str, str] | None = None) -> Any:
    def answer(request: httpx2.Request) -> httpx2.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        kind = "application/json" if not isinstance(body, bytes) else "text/html"
        return httpx2.Response(
            code, headers={"content-type": kind, **(headers or {})}, content=content
        )

    return answer


def streamed(case: Case, data: bytes) -> Any:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, headers={"content-type": case.family.content_type}, content=data
        )

    return answer


def plain(case: Case, text: str) -> Any:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=text)

    return answer


FINE = Answer(text=("fine",))


def ok(case: Case, a: Answer = FINE) -> Any:
    def answer(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        url = str(request.url)
        if body.get("stream") is True or "stream" in url.lower() or "alt=sse" in url:
            return streamed(case, case.family.stream(a))(request)
        return plain(case, dumps(case.family.plain(a), a))(request)

    return answer


def chat_calls(deltas: list[dict[str, Any]]) -> bytes:
    """A chat-completions stream of tool-call deltas (one a chunk), then its end."""
    events: list[tuple[str | None, Any]] = [
        (None, {"choices": [{"index": 0, "delta": {"tool_calls": [d]}}]}) for d in deltas
    ]
    finish = {"index": 0, "delta": {}, "finish_reason": "tool_calls"}
    events += [(None, {"choices": [finish]}), (None, "[DONE]")]
    return sse(events)


def chat_call(index: int, id: str | None, arguments: str, name: str | None = "lookup") -> Any:
    call: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if id is not None:
        call.update(id=id, type="function")
    if name is not None:
        call["function"]["name"] = name
    return call
