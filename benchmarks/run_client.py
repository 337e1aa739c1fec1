"""One benchmark process: one library, some workloads, measured from inside.

python run_client.py LIBRARY WORKLOAD:N[,WORKLOAD:N…] --base URL [--family chat] ...

Run by ``compare.py`` with each library's own interpreter; standard library only, apart
from the client module it loads from ``clients/``. Workloads in one process share its
imports and client. Prints a JSON list, one object per workload: CPU (user+sys of this
process) and wall time per run, runs/s, peak RSS, and for ``steps`` the CPU of each agent
step. Imports, client creation and warm-up runs are outside the measured span.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import itertools
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent / "clients"))

import common

MODULES = {
    "httpx": "floor",
    "reverie": "reverie_client",
    "openai": "openai_sdk",
    "pydantic-ai": "pydantic_ai_client",
    "openai-agents": "openai_agents_client",
    "litellm": "litellm_client",
    "ai-sdk": "ai_sdk_client",
    "google-adk": "google_adk_client",
}


def rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Check:
    """What a correct run returns; a wrong answer is an error, never a figure."""

    @staticmethod
    def tool_loop(value: Any) -> None:
        if "40 degrees" not in str(value):
            raise AssertionError(f"unexpected answer {value!r}")

    @staticmethod
    def stream(value: Any, n: int) -> None:
        if value != n * len(" tok"):
            raise AssertionError(f"streamed {value} characters, expected {n * 4}")


async def one(client: Any, workload: str, n: int) -> None:
    model = common.model_for(workload, n)
    if workload == "stream":
        Check.stream(await client.stream(model), n)
    else:
        Check.tool_loop(await client.tool_loop(model))


async def measured(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each job of ``args.jobs`` in turn, through one client (imports paid once)."""
    started = time.perf_counter()
    module = importlib.import_module(MODULES[args.library])
    imported = time.perf_counter() - started
    if args.family not in module.FAMILIES:
        return [{"skipped": f"{args.library} does not speak {args.family}"}]
    jobs = [(name, int(n)) for name, _, n in (job.partition(":") for job in args.jobs.split(","))]
    if jobs[0][0] in ("concurrent", "concurrent_stream"):
        return [await concurrent(module, args, jobs[0][1], jobs[0][0] == "concurrent_stream")]
    client = await module.make(args.base, args.family)
    out = []
    for workload, n in jobs:
        try:
            result = await measure_one(client, args, workload, n)
        except Exception as exc:
            result = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        out.append({**result, "import_s": imported})
    await client.aclose()
    return out


async def measure_one(
    client: Any, args: argparse.Namespace, workload: str, n: int
) -> dict[str, Any]:
    # Warm-up (connection, caches, lazy imports) on the smaller model of the same kind.
    for _ in range(args.warmup):
        await one(client, workload, min(n, 1000))
    long = workload == "steps" or n > 1000
    min_runs = max(1, args.min_runs // 2) if long else args.min_runs
    step_cpu: list[list[float]] = []
    rss_before = rss_now()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    runs = 0
    while True:
        start_cpu = time.process_time()
        common.TOOL_CLOCK.clear()
        await one(client, workload, n)
        runs += 1
        if workload == "steps":
            clock = [start_cpu, *common.TOOL_CLOCK, time.process_time()]
            if len(clock) != n + 1:
                raise AssertionError(f"{len(clock) - 1} steps, expected {n}")
            step_cpu.append([b - a for a, b in itertools.pairwise(clock)])
        wall = time.perf_counter() - wall0
        if runs >= min_runs and wall >= args.min_seconds:
            break
    cpu = time.process_time() - cpu0
    out: dict[str, Any] = {
        "runs": runs,
        "cpu_ms": cpu / runs * 1000,
        "wall_ms": wall / runs * 1000,
        "runs_per_s": runs / wall,
        "peak_rss_mb": peak_rss() / 2**20,
        "rss_before_mb": rss_before / 2**20,
    }
    if step_cpu:
        out["step_cpu_us"] = [statistics.median(s) * 1e6 for s in zip(*step_cpu, strict=True)]
    return out


CONCURRENT_CHUNKS = 20
"""The length of each streamed run of ``concurrent_stream`` (its model is ``stream-20``)."""
POOLS = {"default": 0, "unbounded": None, "semaphore": 100, "wide": 1000}
"""The floor's pool variants: its default (100 connections), none, behind a semaphore of
100, and 1,000 connections."""


async def concurrent(
    module: Any, args: argparse.Namespace, n: int, streamed: bool
) -> dict[str, Any]:
    """``n`` runs at once through one shared client (no caller-side bound unless the floor's
    ``--pool`` variant asks for one): two-request tool loops, or streamed answers of
    ``CONCURRENT_CHUNKS`` chunks each when ``streamed``."""
    client = await module.make(args.base, args.family)
    if args.pool != "default":
        import httpx

        await client.aclose()
        size = POOLS[args.pool]
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        client = module.Client(args.base, args.family, limits)
    model = f"stream-{CONCURRENT_CHUNKS}"
    expected = CONCURRENT_CHUNKS * len(" tok")
    if streamed:
        await one(client, "stream", CONCURRENT_CHUNKS)  # warm: connection, caches
    else:
        await one(client, "tool_loop", 0)
    gate = asyncio.Semaphore(100) if args.pool == "semaphore" else None

    async def attempt() -> str:
        if streamed:
            size = await client.stream(model)
            return "ok" if size == expected else f"streamed {size} characters"
        answer = str(await client.tool_loop("weather"))
        return "ok" if "40 degrees" in answer else f"answered {answer[:80]!r}"

    async def run() -> str:
        try:
            if gate is None:
                return await attempt()
            async with gate:
                return await attempt()
        except Exception as exc:
            return f"error: {type(exc).__name__}: {exc}"[:300]

    rss_before = rss_now()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        answers = await asyncio.wait_for(asyncio.gather(*(run() for _ in range(n))), args.timeout)
    except TimeoutError:
        return {"error": f"timed out after {args.timeout:.0f} s", "wall_ms": args.timeout * 1000}
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    errors = [a for a in answers if a != "ok"]
    await client.aclose()
    growth = (peak_rss() - rss_before) / 2**20
    return {
        "runs": n,
        "cpu_ms": cpu * 1000,
        "wall_ms": wall * 1000,
        "runs_per_s": n / wall,
        "peak_rss_mb": peak_rss() / 2**20,
        "rss_growth_mb": growth,
        "kb_per_run": growth * 1024 / n,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def raise_file_limit() -> None:
    """Open files up to the hard limit: thousands of runs at once hold a socket each."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main() -> None:
    raise_file_limit()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("library", choices=sorted(MODULES))
    parser.add_argument(
        "jobs",
        help="WORKLOAD:N,… with WORKLOAD tool_loop, stream, steps, concurrent or concurrent_stream",
    )
    parser.add_argument("--base", required=True)
    parser.add_argument("--family", default="chat")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--min-runs", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.5)
    parser.add_argument("--pool", choices=sorted(POOLS), default="default")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    try:
        result = asyncio.run(measured(args))
    except Exception as exc:
        result = [{"error": f"{type(exc).__name__}: {exc}"[:500]}]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
