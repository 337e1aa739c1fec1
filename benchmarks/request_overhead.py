"""reverie's own work per request, without sockets: the weather tool loop (chat completions,
2 requests) against an in-process mock transport answering as ``fake_server.py`` does.

python benchmarks/request_overhead.py [--rounds 15] [--runs 100] [--blocking] [--calls]

With no network and no server process, what is left is reverie (and the HTTP stack's
request and response objects), so a change of a few microseconds per request shows where
the tool loop against the real fake server (``tests/benchmarks/test_perf_guard.py``) is lost
in the noise of a busy machine. Prints the CPU per tool loop (median and lower quartile of
the rounds); ``--calls`` also counts the Python calls per tool loop by module (cProfile), a
figure that does not move with the load. Compare two checkouts by running each in turn:

    for tree in ../main .; do PYTHONPATH=$tree/src python benchmarks/request_overhead.py; done

The tool is declared ``blocking=False`` (no hop to a worker thread, whose cost is the OS's)
unless ``--blocking`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Annotated, Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "clients"))

import fake_server  # noqa: E402
from common import PROMPT, SYSTEM, weather_reading  # noqa: E402

import reverie  # noqa: E402
from reverie.http import client as http_client  # noqa: E402

# The HTTP package reverie sends through (httpx, or httpx2 once it has moved), so the mock
# client is the one it takes natively.
HTTP: Any = getattr(http_client, "httpx2", None) or http_client.httpx


def answer(request: Any) -> Any:
    body = request.content
    found = fake_server._MODEL.search(body)
    model = found.group(1).decode() if found else "weather"
    turn = body.count(fake_server.TOOL_RESULT)
    kind, n = fake_server.plan(model, turn)
    content = fake_server.chat_json(model, kind, n, turn)[0].encode()
    return HTTP.Response(200, content=content, headers={"content-type": "application/json"})


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return weather_reading(location)


def make_agent(blocking: bool) -> reverie.Agent:
    client = HTTP.AsyncClient(transport=HTTP.MockTransport(answer))
    provider = reverie.provider(
        "openai", api_key="sk-bench-0123456789", base_url="http://fake/v1", client=client
    )
    tool = weather if blocking else reverie.tool(blocking=False)(weather)
    return reverie.Agent(provider.model("weather"), system=SYSTEM, tools=[tool], max_steps=10)


async def cpu_per_loop(agent: reverie.Agent, rounds: int, runs: int) -> list[float]:
    for _ in range(20):  # warm: connections, caches, lazy imports
        assert "40 degrees" in (await agent.run(PROMPT)).text
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(runs):
            await agent.run(PROMPT)
        samples.append((time.process_time() - start) / runs)
    return samples


async def calls_per_loop(agent: reverie.Agent, runs: int = 100) -> dict[str, float]:
    await agent.run(PROMPT)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        await agent.run(PROMPT)
    profile.disable()
    groups: collections.Counter[str] = collections.Counter()
    for (path, _, _), (_, calls, *_) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        if "/reverie/" in path:
            groups["reverie"] += calls
        elif "site-packages" in path:
            groups["HTTP stack and other packages"] += calls
        else:
            groups["standard library and builtins"] += calls
    return {name: count / runs for name, count in groups.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--blocking", action="store_true", help="a plain sync tool (thread hop)")
    parser.add_argument("--calls", action="store_true", help="count Python calls per loop")
    args = parser.parse_args()
    agent = make_agent(args.blocking)
    samples = asyncio.run(cpu_per_loop(agent, args.rounds, args.runs))
    median = statistics.median(samples) * 1e6
    low = statistics.quantiles(samples, n=4)[0] * 1e6 if len(samples) > 1 else median
    print(f"tool loop (2 requests), CPU: median {median:.0f} µs, lower quartile {low:.0f} µs")
    if args.calls:
        counts = asyncio.run(calls_per_loop(make_agent(args.blocking)))
        for name, count in sorted(counts.items(), key=lambda item: -item[1]):
            print(f"  Python calls per loop, {name}: {count:.0f}")
        print(f"  Python calls per loop, all: {sum(counts.values()):.0f}")


if __name__ == "__main__":
    main()
