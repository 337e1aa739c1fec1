"""httpx against httpx2 on reverie's workloads: import time, CPU per request and per streamed
chunk, memory. Standard library plus the one HTTP package under test, so each runs in its own
environment:

    python benchmarks/http_stacks.py MODULE URL          # one measurement, printed as JSON
    python benchmarks/http_stacks.py --pair PY_A PY_B    # both, alternating, 3 rounds each

``MODULE`` is ``httpx`` or ``httpx2``; ``URL`` the fake provider's root (benchmarks/fake_server.py,
started by ``--pair``). ``--pair`` takes the two interpreters (each with its package installed).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUEST = {"model": "weather", "messages": [{"role": "user", "content": "Weather?"}]}
STREAM = {"model": "stream-1000", "stream": True, "messages": [{"role": "user", "content": "x"}]}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(module: str, url: str) -> dict[str, float]:
    start = time.perf_counter()
    http = importlib.import_module(module)
    imported_ms = (time.perf_counter() - start) * 1000
    body = json.dumps(REQUEST).encode()
    headers = {"content-type": "application/json"}
    async with http.AsyncClient(base_url=url) as client:
        for _ in range(50):  # warm the pool
            (await client.post("/v1/chat/completions", content=body, headers=headers)).read()
        n = 1000
        before = cpu()
        for _ in range(n):
            response = await client.post("/v1/chat/completions", content=body, headers=headers)
            response.read()
        per_request_us = (cpu() - before) / n * 1e6
        chunks = 0
        stream_body = json.dumps(STREAM).encode()
        before = cpu()
        for _ in range(10):
            async with client.stream(
                "POST", "/v1/chat/completions", content=stream_body, headers=headers
            ) as response:
                async for _chunk in response.aiter_raw():
                    chunks += 1
        per_chunk_us = (cpu() - before) / max(chunks, 1) * 1e6
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "import_ms": imported_ms,
        "request_us": per_request_us,
        "raw_chunk_us": per_chunk_us,
        "chunks": chunks,
        "rss_mb": rss_mb,
    }


def pair(python_a: str, python_b: str) -> None:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_server.py")], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    url = f"http://127.0.0.1:{server.stdout.readline().split()[1]}"
    rows: dict[str, list[dict[str, float]]] = {"httpx": [], "httpx2": []}
    try:
        for _ in range(3):
            for python, module in ((python_a, "httpx"), (python_b, "httpx2")):
                out = subprocess.run(
                    [python, __file__, module, url], capture_output=True, text=True, check=True
                )
                rows[module].append(json.loads(out.stdout))
    finally:
        server.terminate()
        server.wait(10)
    for module, samples in rows.items():
        summary = {k: round(statistics.median(s[k] for s in samples), 2) for k in samples[0]}
        print(module, json.dumps(summary))


if __name__ == "__main__":
    if sys.argv[1] == "--pair":
        pair(sys.argv[2], sys.argv[3])
    else:
        print(json.dumps(asyncio.run(measure(sys.argv[1], sys.argv[2]))))
