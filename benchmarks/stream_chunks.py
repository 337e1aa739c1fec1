"""The chat-completions stream path when every event arrives in its own network read (the
worst case for per-read costs such as timeouts): bytes → SSE → chunks → stream parts.

python benchmarks/stream_chunks.py [chunks]
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator

import httpx2
from stream_parse import body

from reverie import Call, user_message
from reverie.providers.openai import OpenAI


class EventPerRead(httpx2.AsyncByteStream):
    def __init__(self, events: list[bytes]) -> None:
        self.events = events

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for event in self.events:
            yield event


async def run(chunks: int) -> tuple[float, int]:
    events = [e + b"\n\n" for e in body(chunks).split(b"\n\n") if e]

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200, stream=EventPerRead(events), headers={"Content-Type": "text/event-stream"}
        )

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    model = OpenAI(api_key="k", client=client).model("gpt-4o")
    call = Call(prompt=[user_message("hi")])
    start = time.perf_counter()
    parts = 0
    async for _ in model.stream(call):
        parts += 1
    return time.perf_counter() - start, parts


def main() -> None:
    chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    asyncio.run(run(100))  # warm up imports
    best = min(asyncio.run(run(chunks))[0] for _ in range(5))
    print(f"{chunks} chunks, one read each: best of 5 {best * 1000:.1f} ms")
    print(f"{best / chunks * 1e6:.2f} µs per chunk")


if __name__ == "__main__":
    main()
