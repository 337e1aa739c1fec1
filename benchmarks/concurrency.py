"""Many concurrent calls through one model against a loopback server: the bound on requests
in flight (``max_concurrency``) against none.

python benchmarks/concurrency.py [calls] [server latency ms]

The server runs in a subprocess (so it does not share our GIL) and answers every request
with a small chat completion after the given latency, over keep-alive HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

BODY = json.dumps(
    {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}], "model": "m"}
).encode()
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)


async def serve(latency: float) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                await asyncio.sleep(latency)
                writer.write(RESPONSE)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


async def run(port: int, calls: int, max_concurrency: int | None) -> float:
    import httpx2

    from reverie import Call, user_message
    from reverie.providers.openai import OpenAI

    # Before the bound: httpx2's default pool (100 connections) queues the rest itself.
    client = httpx2.AsyncClient(timeout=None) if max_concurrency is None else None
    provider = OpenAI(
        api_key="sk-bench-0000",
        base_url=f"http://127.0.0.1:{port}/v1",
        max_concurrency=max_concurrency,
        client=client,
    )
    model = provider.model("m")
    call = Call(prompt=[user_message("hi")])
    await model.generate(call)  # warm up: imports, first connection
    started = time.perf_counter()
    results = await asyncio.gather(*(model.generate(call) for _ in range(calls)))
    elapsed = time.perf_counter() - started
    assert all(r.text == "ok" for r in results)
    await provider.aclose()
    if client is not None:
        await client.aclose()
    return elapsed


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        asyncio.run(serve(float(sys.argv[2])))
        return
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    latency_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", str(latency_ms / 1000)], stdout=subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        for label, bound in (
            ("httpx2 pool of 100, no bound (before)", None),
            ("max_concurrency=100 (default)", 100),
        ):
            elapsed = asyncio.run(run(port, calls, bound))
            print(f"{calls} concurrent calls, {label}: {elapsed:.2f} s")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
