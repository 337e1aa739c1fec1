"""What ``client=`` costs: reverie's own httpx2 client against an ``httpx.AsyncClient`` given
as ``client=`` (sent through reverie.http.httpx_adapter), CPU per plain request and per
streamed chunk, alternating rounds, against the fake provider:

    python benchmarks/client_paths.py [ROUNDS]

Needs httpx (the original) installed beside reverie (the dev extra has it).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import httpx2

from reverie.messages import user_message
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI

HERE = Path(__file__).resolve().parent
CALL = Call(prompt=[user_message("Weather?")])
REQUESTS = 300
STREAMS = 5  # of 1,000 chunks each


async def per_request(provider: Any) -> float:
    model = provider.model("weather")
    start = time.process_time()
    for _ in range(REQUESTS):
        await model.generate(CALL)
    return (time.process_time() - start) / REQUESTS


async def per_chunk(provider: Any) -> float:
    model = provider.model("stream-1000")
    start = time.process_time()
    chunks = 0
    for _ in range(STREAMS):
        async for part in model.stream(CALL):
            chunks += part.type == "text-delta"
    return (time.process_time() - start) / chunks


async def main(url: str, rounds: int) -> None:
    clients = {"httpx2 (reverie's own)": None, "httpx client= (adapter)": httpx.AsyncClient()}
    providers = {
        name: OpenAI(api_key="k", base_url=f"{url}/v1", client=client)
        for name, client in clients.items()
    }
    samples: dict[str, dict[str, list[float]]] = {n: {"req": [], "chunk": []} for n in providers}
    for provider in providers.values():  # warm: connections, caches
        await per_request(provider)
    for _ in range(rounds):
        for name, provider in providers.items():
            samples[name]["req"].append(await per_request(provider))
            samples[name]["chunk"].append(await per_chunk(provider))
    for provider in providers.values():
        await provider.aclose()
    for client in clients.values():
        if client is not None:
            await client.aclose()
    base = None
    for name, s in samples.items():
        req, chunk = statistics.median(s["req"]) * 1e6, statistics.median(s["chunk"]) * 1e6
        base = base or (req, chunk)
        print(
            f"{name:26} {req:7.0f} µs CPU per request ({req / base[0]:.2f}×)  "
            f"{chunk:5.1f} µs per chunk ({chunk / base[1]:.2f}×)"
        )
    versions = f"httpx2 {httpx2.__version__}, httpx {httpx.__version__}"
    print(f"load average {os.getloadavg()[0]:.2f}; {versions}")


if __name__ == "__main__":
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_server.py")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().split()[1]
        asyncio.run(main(f"http://127.0.0.1:{port}", int(sys.argv[1]) if len(sys.argv) > 1 else 5))
    finally:
        server.terminate()
        server.wait(10)
