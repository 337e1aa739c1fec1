"""Serving agent streams over ASGI, with no web framework needed.

:class:`SseResponse` is an ASGI response streaming server-sent-event text; it stops (and
closes the agent's stream, so the model's HTTP response is closed too) when the browser
goes away. :func:`chat_app` is a whole ASGI app for one agent: ``POST`` the front end's JSON
body (``{"messages": [...]}`` for the AI SDK's ``useChat``, a ``RunAgentInput`` for AG-UI)
and get the run streamed back; ``GET`` serves ``page`` when one is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing
from typing import Any, Literal

from reverie.ui.common import OnError, hide_error

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]

MAX_BODY = 4 * 1024 * 1024
"""The largest request body :func:`chat_app` reads (a conversation with a few images)."""


class SseResponse:
    """An ASGI response streaming ``body`` (server-sent-event text) with ``headers``."""

    def __init__(self, body: AsyncIterable[str], headers: Mapping[str, str] | None = None) -> None:
        from reverie.ui.ai_sdk import UI_MESSAGE_STREAM_HEADERS

        self.body = body
        self.headers = dict(UI_MESSAGE_STREAM_HEADERS if headers is None else headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(k.encode(), v.encode()) for k, v in self.headers.items()],
            }
        )
        streaming = asyncio.ensure_future(self._stream(send))
        watching = asyncio.ensure_future(_disconnected(receive))
        done, _ = await asyncio.wait({streaming, watching}, return_when=asyncio.FIRST_COMPLETED)
        for task in (streaming, watching):
            if task not in done:
                task.cancel()
        await asyncio.gather(streaming, watching, return_exceptions=True)
        if streaming in done and streaming.exception() is not None:
            raise streaming.exception()  # type: ignore[misc]

    async def _stream(self, send: Send) -> None:
        body = self.body
        iterator: AsyncIterator[str] = body if isinstance(body, AsyncIterator) else aiter(body)
        if hasattr(iterator, "aclose"):
            async with aclosing(iterator):  # type: ignore[type-var]
                async for text in iterator:
                    await send(
                        {"type": "http.response.body", "body": text.encode(), "more_body": True}
                    )
        else:
            async for text in iterator:
                await send({"type": "http.response.body", "body": text.encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _disconnected(receive: Receive) -> None:
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            return


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or ``None`` when it is larger than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _plain(send: Send, status: int, text: str, content_type: str = "text/plain") -> None:
    data = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", f"{content_type}; charset=utf-8".encode()),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data, "more_body": False})


def chat_app(
    agent: Any,
    *,
    protocol: Literal["ai-sdk", "ag-ui"] = "ai-sdk",
    on_error: OnError = hide_error,
    allow_urls: bool = False,
    page: str | None = None,
    max_body: int = MAX_BODY,
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """An ASGI app running ``agent`` (a :class:`reverie.Agent`) on each ``POST``'s
    conversation and streaming it back in ``protocol``. A body that is not JSON, too large,
    or not the protocol's messages gets a 400/413 naming the field, before the model is
    called."""
    if protocol not in ("ai-sdk", "ag-ui"):
        raise ValueError(f"protocol must be 'ai-sdk' or 'ag-ui', not {protocol!r}")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        if scope["method"] == "GET" and page is not None:
            await _plain(send, 200, page, "text/html")
            return
        if scope["method"] != "POST":
            await _plain(send, 405, "POST the conversation here")
            return
        body = await _read_body(receive, max_body)
        if body is None:
            await _plain(send, 413, f"the request body is over {max_body} bytes")
            return
        try:
            response = _respond(agent, body, protocol, on_error, allow_urls)
        except ValueError as error:  # UIMessageError, invalid JSON
            await _plain(send, 400, str(error))
            return
        await response(scope, receive, send)

    return app


def _respond(
    agent: Any, body: bytes, protocol: str, on_error: OnError, allow_urls: bool
) -> SseResponse:
    from reverie.http.fastjson import loads
    from reverie.ui.parse import UIMessageError, field

    try:
        data = loads(body)  # JSON nested too deep to read is a ValueError here too
    except ValueError:
        raise UIMessageError("the body is not JSON (or nested too deep to read)") from None
    if protocol == "ai-sdk":
        from reverie.ui.ai_sdk import ui_message_stream
        from reverie.ui.ai_sdk_messages import from_ui_messages

        messages = from_ui_messages(field(data, "messages", "body", list), allow_urls=allow_urls)
        _check_turn(messages)
        return SseResponse(ui_message_stream(agent.stream(messages=messages), on_error=on_error))
    from reverie.ui.agui import agui_stream
    from reverie.ui.agui_messages import from_agui_messages

    thread_id = field(data, "threadId", "body", str)
    run_id = field(data, "runId", "body", str)
    messages = from_agui_messages(field(data, "messages", "body", list), allow_urls=allow_urls)
    _check_turn(messages)
    stream = agui_stream(
        agent.stream(messages=messages), thread_id=thread_id, run_id=run_id, on_error=on_error
    )
    return SseResponse(stream, {"content-type": "text/event-stream", "cache-control": "no-cache"})


def _check_turn(messages: list[Any]) -> None:
    from reverie.ui.parse import UIMessageError

    if not messages or messages[-1].role not in ("user", "tool"):
        raise UIMessageError("messages: the conversation must end with the user's turn")
