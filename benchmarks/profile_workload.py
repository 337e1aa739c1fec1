"""Profile one workload of reverie (or the floor) against the fake server, with cProfile.

python benchmarks/profile_workload.py [reverie|httpx] [tool_loop|stream|steps] [--family F]

Prints the top entries by own time and by cumulative time: where a missed target is spent.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "clients"))

import common  # noqa: E402


async def work(library: str, workload: str, family: str, n: int, runs: int, base: str) -> None:
    module = __import__("floor" if library == "httpx" else "reverie_client")
    client = await module.make(base, family)
    model = common.model_for(workload, n)
    run = client.stream if workload == "stream" else client.tool_loop
    for _ in range(3):
        await run(model)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        await run(model)
    profile.disable()
    await client.aclose()
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(22)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats("/reverie/", 25)  # reverie's own code only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("library", nargs="?", default="reverie", choices=["reverie", "httpx"])
    parser.add_argument("workload", nargs="?", default="stream")
    parser.add_argument("--family", default="chat")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_server.py")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = server.stdout.readline().split()[1]
        base = f"http://127.0.0.1:{port}"
        asyncio.run(work(args.library, args.workload, args.family, args.n, args.runs, base))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
