"""chat_app and SseResponse driven as an ASGI server drives them (no server needed)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import reverie
from reverie.testing import ScriptedModel, reply
from reverie.ui import SseResponse, chat_app

from .ui_reader import chunks_of


def weather(location: str) -> str:
    """Get the weather"""
    return "40 C"


async def call(
    app: Any, method: str, body: bytes = b"", *, pieces: int = 1
) -> tuple[int, dict[str, str], bytes]:
    """One request through ``app``: the body sent in ``pieces``, the response collected."""
    size = max(1, -(-len(body) // pieces))
    chunks = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": "/api/chat", "headers": []}
    await app(scope, receive, send)
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])


def agent() -> reverie.Agent:
    script = [reply(tool_calls=[("c1", "weather", '{"location": "Rome"}')]), reply("40 C in Rome.")]
    return reverie.Agent(ScriptedModel(script), tools=[weather])


USER = {"id": "u1", "role": "user", "parts": [{"type": "text", "text": "Weather in Rome?"}]}


async def test_a_post_streams_the_run_in_the_ai_sdk_protocol() -> None:
    body = json.dumps({"id": "chat1", "messages": [USER], "trigger": "submit-message"}).encode()
    status, headers, data = await call(chat_app(agent()), "POST", body, pieces=3)
    assert status == 200 and headers["x-vercel-ai-ui-message-stream"] == "v1"
    chunks = chunks_of(data.decode())
    assert any(c["type"] == "tool-output-available" for c in chunks)
    assert "".join(c["delta"] for c in chunks if c["type"] == "text-delta") == "40 C in Rome."


async def test_a_post_streams_the_run_in_agui() -> None:
    body = json.dumps(
        {
            "threadId": "t",
            "runId": "r",
            "state": {},
            "tools": [],
            "context": [],
            "forwardedProps": {},
            "messages": [{"id": "1", "role": "user", "content": "Weather?"}],
        }
    ).encode()
    status, headers, data = await call(chat_app(agent(), protocol="ag-ui"), "POST", body)
    assert status == 200 and headers["content-type"] == "text/event-stream"
    kinds = [json.loads(b[6:])["type"] for b in data.decode().split("\n\n")[:-1]]
    assert kinds[0] == "RUN_STARTED" and kinds[-1] == "RUN_FINISHED"


async def test_bad_requests_are_refused_before_the_model_is_called() -> None:
    model = ScriptedModel([])
    app = chat_app(reverie.Agent(model), max_body=100)
    assert (await call(app, "POST", b"{not json"))[0] == 400
    status, _, text = await call(app, "POST", b'{"messages": [{"role": "user"}]}')
    assert status == 400 and text == b"messages[0].parts: missing"
    assert (await call(app, "POST", b"x" * 101, pieces=4))[0] == 413
    ends_with_assistant = json.dumps(
        {"messages": [USER, {"role": "assistant", "parts": [{"type": "text", "text": "hi"}]}]}
    ).encode()
    app = chat_app(reverie.Agent(model))
    assert (await call(app, "POST", ends_with_assistant))[0] == 400
    assert (await call(app, "PUT"))[0] == 405
    assert model.calls == []


async def test_get_serves_the_page() -> None:
    status, headers, data = await call(chat_app(agent(), page="<h1>chat</h1>"), "GET")
    assert status == 200 and data == b"<h1>chat</h1>"
    assert headers["content-type"].startswith("text/html")


async def test_a_browser_that_leaves_closes_the_stream() -> None:
    closed = asyncio.Event()

    async def endless() -> Any:
        try:
            while True:
                yield "data: {}\n\n"
                await asyncio.sleep(0)
        finally:
            closed.set()

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(SseResponse(endless())({"type": "http"}, receive, send), 5)
    assert closed.is_set()
    assert sent[0]["status"] == 200 and len(sent) > 2


async def test_hostile_bodies_are_400s_before_the_model_is_called() -> None:
    model = ScriptedModel([])
    app = chat_app(reverie.Agent(model))
    deep = b'{"messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    status, _, text = await call(app, "POST", deep)
    assert status == 400 and b"nested too deep" in text
    escaped = {"type": "text", "text": "Rome \ud83d?"}  # a lone surrogate, JSON-escaped
    body = json.dumps({"messages": [{"role": "user", "parts": [escaped]}]}).encode()
    status, _, _ = await call(chat_app(agent()), "POST", body)
    assert status == 200  # read as U+FFFD, as every JSON reverie reads
    assert model.calls == []
