"""Fake chat-completions servers for provider tests: hand-written SSE chunk fixtures served
through an httpx2 transport, split at arbitrary byte boundaries."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

FIXTURES = Path(__file__).parent / "fixtures" / "openai_chat"


def sse_body(name: str) -> bytes:
    lines = (FIXTURES / name).read_text().splitlines()
    return "".join(line + "\n\n" for line in lines if line).encode()


class TrackedStream(httpx2.AsyncByteStream):
    def __init__(self, body: bytes, chunk_size: int, server: FakeServer) -> None:
        self._body = body
        self._chunk_size = chunk_size
        self._server = server

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for i in range(0, len(self._body), self._chunk_size):
            yield self._body[i : i + self._chunk_size]

    async def aclose(self) -> None:
        self._server.closed += 1


@dataclass
class FakeServer:
    """Answers every request with the next queued (status, body); records request bodies."""

    answers: list[tuple[int, bytes, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[httpx2.Headers] = field(default_factory=list)
    chunk_size: int = 64
    closed: int = 0

    def sse(self, name: str, status: int = 200) -> FakeServer:
        self.answers.append((status, sse_body(name), "text/event-stream"))
        return self

    def json(self, body: dict[str, Any], status: int = 200) -> FakeServer:
        self.answers.append((status, json.dumps(body).encode(), "application/json"))
        return self

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self._handle))

    def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        self.headers.append(request.headers)
        status, body, content_type = self.answers.pop(0)
        return httpx2.Response(
            status,
            headers={"Content-Type": content_type},
            stream=TrackedStream(body, self.chunk_size, self),
        )


ServerFactory = Callable[[], FakeServer]
