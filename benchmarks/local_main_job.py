"""README's first command, timed as a user runs it: ``reverie run "What's the weather in
Florence?"`` on the bundled SmolLM2, no API key, from process start to process exit.

python benchmarks/local_main_job.py [--runs N] [--phases]

Each round runs the command twice, one process after the other: **cold**, with the prompt
cache directory removed first (the first run after install), then **warm**, the same cache
kept. Wall time is taken around the whole child process; CPU time is its user + system time
as the kernel accounts it (``os.wait4``). The load average is read before each run: the
local model picks its threads from the cores the load leaves free, so on a busy machine it
runs on one thread and waits for it, and wall times are then upper bounds; CPU times move
much less. The cache lives in a temporary directory (``REVERIE_PROMPT_CACHE``), so the
user's own is never touched, and API keys are removed from the child's environment.

``--phases`` also runs the job once in this process (cold, then warm) and splits its time:
imports, loading the weights, the tool decision, restoring or evaluating the system turn,
each step's prompt evaluation and generation, and the rest (agent loop, tool, rendering).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

PROMPT = "What's the weather in Florence?"
EXPECTED = "Florence"
KEYS = ("OPENAI_API_KEY", "OPENROUTER_API_KEY")


def command() -> list[str]:
    """The ``reverie`` script next to this interpreter, as README runs it; else ``-m``."""
    script = Path(sys.executable).with_name("reverie")
    if script.exists():
        return [str(script), "run", PROMPT]
    return [sys.executable, "-m", "reverie.cli", "run", PROMPT]


def timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"the command failed ({process.returncode}): {err.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, load, out.decode()


def summary(name: str, rows: list[tuple[float, float, float, str]]) -> str:
    walls = [r[0] for r in rows]
    cpus = [r[1] for r in rows]
    loads = [r[2] for r in rows]
    return (
        f"{name}: wall median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}); "
        f"CPU median {statistics.median(cpus):.2f} s "
        f"(min {min(cpus):.2f}, max {max(cpus):.2f}); "
        f"load average {min(loads):.1f}-{max(loads):.1f}"
    )


def whole_command(runs: int) -> None:
    argv = command()
    cache = Path(tempfile.mkdtemp(prefix="reverie-bench-cache-"))
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    env["REVERIE_PROMPT_CACHE"] = str(cache / "prompt-cache")
    print(f"command: {' '.join(argv[:2])} {argv[2]!r}, {os.cpu_count()} cores, {runs} rounds")
    cold: list[tuple[float, float, float, str]] = []
    warm: list[tuple[float, float, float, str]] = []
    try:
        for _ in range(runs):
            shutil.rmtree(cache / "prompt-cache", ignore_errors=True)
            cold.append(timed(argv, env))
            warm.append(timed(argv, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    answers = {r[3] for r in cold + warm}
    for answer in answers:
        if EXPECTED not in answer:
            raise SystemExit(f"unexpected answer: {answer!r}")
    print(summary("cold (cache removed)", cold))
    print(summary("warm (cache kept)   ", warm))
    # The answer is the same with or without the cache; only the "(N cached)" count differs.
    print("answers:", " | ".join(sorted({a.strip().splitlines()[-2] for a in answers})))


def phases() -> None:
    """One cold and one warm run in this process, split into phases (see the docstring)."""
    import contextlib
    import io

    start = time.perf_counter()
    import reverie.cli.app as app
    import reverie.providers.local.decide as decide
    import reverie.providers.local.model as model

    imported = time.perf_counter() - start
    spans: list[tuple[str, float, float]] = []

    def wrap(owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed_call(*args: object, **kwargs: object) -> object:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spans.append((label, time.perf_counter() - wall, time.process_time() - cpu))

        setattr(owner, name, timed_call)

    wrap(model, "load_llama", "load the weights (mmap, context)")
    wrap(decide.Decider, "__init__", "create the decision context")
    wrap(decide.Decider, "decide", "tool decision")
    wrap(model.LocalModel, "_system_turn", "system turn: restore or evaluate")
    wrap(model.LocalModel, "_generate", "a model step (includes the above)")
    cache = Path(tempfile.mkdtemp(prefix="reverie-bench-cache-"))
    os.environ["REVERIE_PROMPT_CACHE"] = str(cache)
    for key in KEYS:
        os.environ.pop(key, None)
    print(f"imports (reverie.cli.app, the local provider): {imported * 1000:.0f} ms wall")
    try:
        for name in ("cold", "warm"):
            spans.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):
                app.run_cli(["run", PROMPT])
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"{name}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU in process, "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            for label, w, c in spans:
                print(f"  {label:36} {w * 1000:7.0f} ms wall {c * 1000:7.0f} ms CPU")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of cold + warm (default 5)")
    parser.add_argument("--phases", action="store_true", help="also split one run in process")
    args = parser.parse_args()
    whole_command(args.runs)
    if args.phases:
        phases()


if __name__ == "__main__":
    main()
