"""A fault-injecting HTTP/1.1 server on 127.0.0.1, controlled byte by byte.

It runs its own event loop in a thread, so the test's loop holds only the library's tasks
(which the tests count). Each request takes the next scripted answer (a coroutine writing
to the connection); the server counts requests and the connections open at any moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Answer = Callable[["Connection"], Awaitable[None]]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One accepted connection; answers write to it through these helpers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.request: Request | None = None
        self.closed = False

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def head(
        self, status: int, content_type: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> None:
        """The status line and headers of a chunked response."""
        lines = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}"]
        lines.append(f"Content-Type: {content_type}")
        if kw.get("length") is None:
            lines.append("Transfer-Encoding: chunked")
        else:
            lines.append(f"Content-Length: {kw['length']}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def chunk(self, data: bytes) -> None:
        await self.send(b"%x\r\n%s\r\n" % (len(data), data))

    async def end(self) -> None:
        await self.send(b"0\r\n\r\n")

    def reset(self) -> None:
        """Drop the connection with a TCP RST."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()
        self.closed = True

    def close(self) -> None:
        self.writer.close()
        self.closed = True

    async def hang(self) -> None:
        """Send nothing more until the client goes away."""
        while await self.reader.read(4096):
            pass
        self.close()


# ---- answers --------------------------------------------------------------------------------


def respond(
    status: int,
    body: bytes | str | dict[str, Any] | list[Any],
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Answer:
    """A whole response with a Content-Length."""
    data = body.encode() if isinstance(body, str) else body
    if isinstance(data, dict | list):
        data = json.dumps(data).encode()

    async def answer(conn: Connection) -> None:
        await conn.head(status, content_type, headers, length=len(data))
        await conn.send(data)

    return answer


def sse_events(events: Iterable[str | dict[str, Any]]) -> list[bytes]:
    return [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n".encode() for e in events]


def stream(
    events: Iterable[str | dict[str, Any]],
    *,
    then: str = "end",
    raw: bytes = b"",
    content_type: str = "text/event-stream",
) -> Answer:
    """A chunked SSE body, one event per chunk, followed by ``raw`` bytes, then ``then``:
    ``end`` (a clean end), ``reset`` (TCP RST), ``close`` (FIN mid-body), ``hang``."""
    chunks = sse_events(events)

    async def answer(conn: Connection) -> None:
        await conn.head(200, content_type)
        for c in chunks:
            await conn.chunk(c)
        if raw:
            await conn.chunk(raw)
        if then == "end":
            await conn.end()
        elif then == "reset":
            conn.reset()
        elif then == "close":
            conn.close()
        elif then == "hang":
            await conn.hang()

    return answer


async def reset(conn: Connection) -> None:
    """The request is read, then the connection is reset before any response byte."""
    conn.reset()


async def hang(conn: Connection) -> None:
    """The request is read and nothing is ever sent."""
    await conn.hang()


@dataclass
class FaultServer:
    """Serves the scripted ``answers`` in order (the last one again once they run out)."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    connections: int = 0  # accepted so far
    open: int = 0  # open right now
    busy: int = 0  # connections in the middle of an answer
    url: str = ""
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None
    _next: int = 0

    def script(self, *answers: Answer) -> FaultServer:
        self.answers.extend(answers)
        return self

    @property
    def attempts(self) -> int:
        return len(self.requests)

    def start(self) -> FaultServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def serve() -> None:
                self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
                port = self._server.sockets[0].getsockname()[1]
                self.url = f"http://127.0.0.1:{port}/v1"
                ready.set()

            loop.run_until_complete(serve())
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="fault-server", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        conn = Connection(reader, writer)
        try:
            while not conn.closed:
                request = await _read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                conn.request = request
                answer = self._take()
                self.busy += 1
                try:
                    await answer(conn)
                finally:
                    self.busy -= 1
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the server is stopping
        finally:
            if not conn.closed:
                writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            self.open -= 1

    def _take(self) -> Answer:
        if not self.answers:
            return respond(500, {"error": {"message": "no answer scripted"}})
        answer = self.answers[min(self._next, len(self.answers) - 1)]
        self._next += 1
        return answer


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return Request(method, path, headers, body)
