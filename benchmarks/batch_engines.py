"""run_many's engines side by side: N two-request tool loops against the fake provider.

    python benchmarks/batch_engines.py [--sizes 100,1000,10000] [--workers 2] [--concurrency 100]

For each size it runs the local engine (one process, one event loop) and the Ray engine
(``workers`` actors on a local Ray started for the run), and prints wall time, runs/s, the CPU
time of every process involved (this one, and for Ray its workers, read from /proc before and
after) and peak memory. Ray's figure includes starting Ray and its actors; the line "ray,
warm" runs the same batch again on the started instance, which is what a long-lived cluster
pays. The fake server runs in its own process and is not counted. Writes
benchmarks/results/batch.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "batch"))


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def ray_pids() -> list[int]:
    """Processes whose command line starts with ``ray::`` (Ray's workers and actors)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes().startswith(b"ray::"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class WorkerSampler:
    """CPU and memory of Ray's worker processes while a batch runs, sampled five times a
    second (an actor's process may end with its batch, before a last reading)."""

    def __init__(self) -> None:
        import threading

        self.start = {pid: proc_cpu(pid) for pid in ray_pids()}
        self.cpu: dict[int, float] = {}
        self.rss: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self) -> None:
        while not self.done.wait(0.2):
            self.sample()

    def sample(self) -> None:
        for pid in ray_pids():
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), proc_cpu(pid))
            self.rss[pid] = max(self.rss.get(pid, 0.0), proc_rss_mb(pid))

    def stop(self) -> tuple[float, float]:
        self.sample()
        self.done.set()
        self.thread.join()
        cpu = sum(v - self.start.get(pid, 0.0) for pid, v in self.cpu.items())
        busy = [pid for pid, v in self.cpu.items() if v - self.start.get(pid, 0.0) > 0.05]
        return cpu, sum(self.rss[pid] for pid in busy)


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def one_batch(agent: Any, n: int, engine: str, workers: int, concurrency: int) -> Any:
    from reverie.batch import run_many

    inputs = [f"city {i}" for i in range(n)]
    kwargs: dict[str, Any] = {"concurrency": concurrency, "progress": False}
    if engine == "ray":
        kwargs["workers"] = workers
    return await run_many(agent, inputs, engine=engine, **kwargs)  # type: ignore[arg-type]


def measure(agent: Any, n: int, engine: str, workers: int, concurrency: int) -> dict[str, Any]:
    sampler = WorkerSampler() if engine == "ray" else None
    cpu0, wall0 = self_cpu(), time.perf_counter()
    result = asyncio.run(one_batch(agent, n, engine, workers, concurrency))
    wall = time.perf_counter() - wall0
    row = {
        "engine": engine,
        "n": n,
        "wall_s": round(wall, 3),
        "runs_per_s": round(n / wall, 1),
        "driver_cpu_s": round(self_cpu() - cpu0, 3),
        "failures": len(result.failures),
    }
    if sampler is not None:
        cpu, rss = sampler.stop()
        row["worker_cpu_s"] = round(cpu, 3)
        row["worker_rss_mb"] = round(rss, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=100)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    server = subprocess.Popen(
        [sys.executable, str(HERE / "fake_server.py")], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    port = server.stdout.readline().split()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        from weather_tool import weather

        import reverie

        agent = reverie.Agent(
            reverie.resolve_model("openai-compat:weather", base_url=base_url), tools=[weather]
        )
        rows = []
        for n in sizes:
            row = measure(agent, n, "local", args.workers, args.concurrency)
            row["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            rows.append(row)
            print(json.dumps(row))
        import ray

        src = str(HERE.parent / "src")
        env = {"PYTHONPATH": os.pathsep.join([src, str(HERE / "batch")])}
        for n in sizes:
            # cold: Ray started by this batch and stopped after it
            row = measure(agent, n, "ray", args.workers, args.concurrency)
            row["engine"] = "ray, cold"
            rows.append(row)
            print(json.dumps(row))
        ray.init(include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
        try:
            for n in sizes:
                measure(agent, min(n, 200), "ray", args.workers, args.concurrency)  # warm up
                row = measure(agent, n, "ray", args.workers, args.concurrency)
                row["engine"] = "ray, warm"
                rows.append(row)
                print(json.dumps(row))
        finally:
            ray.shutdown()
        out = HERE / "results" / "batch.json"
        load = os.getloadavg()[0]
        out.write_text(json.dumps({"load_average": load, "rows": rows}, indent=1) + "\n")
        print(f"load average {load:.1f}; written {out}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
