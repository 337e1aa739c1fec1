"""Throughput of the chat-completions stream path: bytes → SSE → chunks → stream parts.

python benchmarks/stream_parse.py [chunks]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx2

from reverie import Call, user_message
from reverie.providers.openai import OpenAI


def body(chunks: int) -> bytes:
    lines = []
    for i in range(chunks):
        chunk = {
            "id": "c",
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": {"content": f"tok{i} "}, "finish_reason": None}],
        }
        lines.append(f"data: {json.dumps(chunk)}\n\n")
    lines.append('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n')
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


async def run(chunks: int) -> tuple[float, int]:
    payload = body(chunks)

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=payload, headers={"Content-Type": "text/event-stream"})

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
    elapsed, parts = asyncio.run(run(chunks))
    print(f"{chunks} chunks → {parts} parts in {elapsed * 1000:.1f} ms")
    print(f"{elapsed / chunks * 1e6:.2f} µs per chunk, {chunks / elapsed:,.0f} chunks/s")


if __name__ == "__main__":
    main()
