"""What durability costs: the agent's run inside a DBOS workflow (each model request and tool
call a checkpointed step, SQLite) against the same run without durability, and runs per
second through a DBOS queue on SQLite. Optional: ``--temporal`` adds the same run as a
Temporal workflow on the dev server of the ``temporal`` CLI (each unit an activity);
``--postgres`` adds runs per second through a DBOS queue on Postgres with two workers.

python benchmarks/durable_overhead.py [runs] [--temporal] [--postgres]

Every run is three units (model request, tool call, model request) against a loopback fake
OpenAI-compatible server (tests/durable/fake_openai.py) in this process. The load average is
printed with the figures: on a loaded machine they are upper bounds.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "durable"))

from fake_openai import FakeServer  # noqa: E402
from temporalio import workflow  # noqa: E402

from reverie import Agent  # noqa: E402
from reverie.tools import tool  # noqa: E402

UNITS_PER_RUN = 3
TEMPORAL_AGENT: Agent[object] | None = None


@workflow.defn(sandboxed=False)
class TemporalAsk:
    @workflow.run
    async def run(self, city: str) -> str:
        assert TEMPORAL_AGENT is not None
        return (await TEMPORAL_AGENT.run(f"What is the weather in {city}?")).text


def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def timed_runs(agent: Agent[object], runs: int, wrap: object = None) -> list[float]:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        if wrap is None:
            await agent.run(f"What is the weather in City{i}?")
        else:
            await wrap(f"City{i}")  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


async def dbos_figures(runs: int, work: Path) -> dict[str, float]:
    from dbos import DBOS, SetWorkflowID

    from reverie.durable.dbos import DBOSDurability

    plain = Agent("openai-compat:fake", tools=[tool(weather, name="get_weather")])
    durable = Agent(
        "openai-compat:fake",
        name="bench",
        tools=[tool(weather, name="get_weather")],
        durability=DBOSDurability(),
    )

    @DBOS.workflow()
    async def ask(city: str) -> str:
        return (await durable.run(f"What is the weather in {city}?")).text

    async def nothing(city: str) -> str:
        return city

    @DBOS.workflow()
    async def empty(city: str) -> str:
        return city

    @DBOS.workflow()
    async def three_steps(city: str) -> str:
        for n in range(UNITS_PER_RUN):
            await DBOS.run_step_async({"name": f"empty.{n}"}, nothing, city)
        return city

    DBOS(
        config={
            "name": "reverie-bench",
            "system_database_url": f"sqlite:///{work}/dbos.sqlite",
            "application_version": "bench-1",
            "log_level": "WARNING",
            "run_admin_server": False,
        }  # type: ignore[typeddict-unknown-key]
    )
    DBOS.launch()
    try:
        await timed_runs(plain, 3)  # warm both paths
        await timed_runs(durable, 3, ask)
        base = statistics.median(await timed_runs(plain, runs))
        wrapped = statistics.median(await timed_runs(durable, runs, ask))
        bare = statistics.median(await timed_runs(durable, runs, empty))
        steps = statistics.median(await timed_runs(durable, runs, three_steps))
        queue = await DBOS.register_queue_async(
            "bench", worker_concurrency=10, polling_interval_sec=0.01
        )
        count = max(runs, 50)
        start = time.perf_counter()
        handles = []
        for i in range(count):
            with SetWorkflowID(f"bench-q-{i}-{time.time_ns()}"):
                handles.append(await queue.enqueue_async(ask, f"Q{i}"))
        for handle in handles:
            await handle.get_result(polling_interval_sec=0.01)
        queued = time.perf_counter() - start
    finally:
        DBOS.destroy()
    return {
        "plain run (ms)": base * 1000,
        "DBOS run (ms)": wrapped * 1000,
        "DBOS overhead per unit (ms)": (wrapped - base) / UNITS_PER_RUN * 1000,
        "  an empty DBOS workflow (ms, per run)": bare * 1000,
        "  a workflow of 3 empty DBOS steps (ms, per run)": steps * 1000,
        "  reverie's own share per unit (ms: run - 3 empty steps - plain run, / 3)": (
            wrapped - steps - base
        )
        / UNITS_PER_RUN
        * 1000,
        "DBOS queue on SQLite, runs/s (10 at a time)": count / queued,
    }


async def temporal_figures(runs: int, work: Path) -> dict[str, float]:
    import shutil
    import socket
    import subprocess
    import uuid

    from temporalio.client import Client
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    from reverie.durable.temporal import ReveriePlugin, TemporalDurability

    agent = Agent(
        "openai-compat:fake",
        name="tbench",
        tools=[tool(weather, name="get_weather")],
        durability=TemporalDurability(),
    )
    plain = Agent("openai-compat:fake", tools=[tool(weather, name="get_weather")])

    global TEMPORAL_AGENT
    TEMPORAL_AGENT = agent

    def free() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    port = free()
    cli = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    server = subprocess.Popen(
        [cli, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
         "--http-port", str(free()), "--metrics-port", str(free()), "--log-level", "error"],
        env={**os.environ, "HOME": str(work)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        client = await Client.connect(f"127.0.0.1:{port}", plugins=[ReveriePlugin()])
        async with Worker(
            client,
            task_queue="bench",
            workflows=[TemporalAsk],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):

            async def wrap(city: str) -> str:
                return await client.execute_workflow(
                    TemporalAsk.run, city, id=f"b-{uuid.uuid4()}", task_queue="bench"
                )

            await timed_runs(agent, 3, wrap)
            base = statistics.median(await timed_runs(plain, runs))
            wrapped = statistics.median(await timed_runs(agent, runs, wrap))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "Temporal run (ms)": wrapped * 1000,
        "Temporal overhead per unit (ms, incl. the workflow's own start)": (wrapped - base)
        / UNITS_PER_RUN
        * 1000,
    }


def recovery_figures(work: Path, server: FakeServer) -> dict[str, float]:
    """Crash to resumed progress, with the tests' apps: DBOS, a process killed right after
    its tool's step, and a fresh one launched (recovery happens at launch): from its start to
    the next model request. Temporal: a worker killed inside a tool activity while a second
    worker runs: from the kill to the tool's next attempt (2 s heartbeat timeout)."""
    import json
    import subprocess

    apps = ROOT / "tests" / "durable"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVERIE_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        OPENAI_COMPAT_BASE_URL=server.base_url,
    )
    figures: dict[str, float] = {}
    dbos_work = work / "dbos-recovery"
    dbos_work.mkdir()
    env_d = {**env, "REVERIE_WORK": str(dbos_work), "REVERIE_DB": f"sqlite:///{dbos_work}/db"}
    run = [sys.executable, str(apps / "dbos_app.py")]
    subprocess.run([*run, "start"], env={**env_d, "REVERIE_KILL": "after_tool"}, check=False)
    seen = len(server.requests())
    started = time.time()
    subprocess.run([*run, "resume"], env=env_d, check=True, capture_output=True)
    resumed = server.requests()[seen]["t"]
    figures["DBOS crash to resumed progress (s, from the new process's start)"] = resumed - started
    if "--temporal" not in sys.argv:
        return figures
    import shutil
    import socket

    def free() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    port = free()
    cli = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    temporal = subprocess.Popen(
        [cli, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
         "--http-port", str(free()), "--metrics-port", str(free()), "--log-level", "error"],
        env={**os.environ, "HOME": str(work)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    t_work = work / "temporal-recovery"
    t_work.mkdir()
    env_t = {**env, "REVERIE_WORK": str(t_work), "REVERIE_TEMPORAL": f"127.0.0.1:{port}"}
    app = [sys.executable, str(apps / "temporal_app.py")]
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        dying = subprocess.Popen([*app, "worker"], env={**env_t, "REVERIE_KILL": "in_tool"})
        time.sleep(3)  # the first worker polls first
        standby = subprocess.Popen([*app, "worker"], env=env_t, stdout=subprocess.DEVNULL)
        subprocess.run([*app, "start"], env=env_t, check=True, capture_output=True)
        dying.wait(timeout=60)
        result = subprocess.run([*app, "result"], env=env_t, capture_output=True, text=True)
        assert json.loads(result.stdout)["result"].startswith("Forecast")
        standby.kill()
        standby.wait()
        lines = (t_work / "side-effects.txt").read_text().splitlines()
        first, second = (float(line.split()[2]) for line in lines[:2])
        figures["Temporal crash to the tool's next attempt (s, heartbeat timeout 2 s)"] = (
            second - first
        )
    finally:
        temporal.terminate()
        temporal.wait(timeout=30)
    return figures


def postgres_figures(work: Path, server: FakeServer, runs: int = 200) -> dict[str, float]:
    """Runs per second through one DBOS queue on Postgres served by two worker processes
    (10 runs at a time each), from the first model request to the last: process start-up
    left out. Postgres 15 is started as in the tests (tests/durable/postgres.py)."""
    import subprocess

    from postgres import postgres

    apps = ROOT / "tests" / "durable"
    pg_work = work / "postgres"
    pg_work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVERIE_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        OPENAI_COMPAT_BASE_URL=server.base_url,
        REVERIE_WORK=str(pg_work),
        REVERIE_RUNS=str(runs),
    )
    run = [sys.executable, str(apps / "dbos_app.py")]
    with postgres() as url:
        env["REVERIE_DB"] = url
        seen = len(server.requests())
        subprocess.run([*run, "enqueue"], env=env, check=True, capture_output=True)
        workers = [
            subprocess.Popen([*run, "worker"], env={**env, "REVERIE_EXECUTOR": f"w{n}"},
                             stdout=subprocess.DEVNULL)
            for n in range(2)
        ]  # fmt: skip
        for worker in workers:
            worker.wait(timeout=600)
    times = [r["t"] for r in server.requests()[seen:]]
    return {"DBOS queue on Postgres, 2 workers, runs/s": runs / (max(times) - min(times))}


async def main() -> None:
    runs = int(next((a for a in sys.argv[1:] if a.isdigit()), "30"))
    work = Path(tempfile.mkdtemp(prefix="reverie-durable-bench-"))
    with FakeServer(work / "requests.log") as server:
        os.environ["OPENAI_COMPAT_BASE_URL"] = server.base_url
        figures = await dbos_figures(runs, work)
        if "--temporal" in sys.argv:
            figures.update(await temporal_figures(runs, work))
        figures.update(recovery_figures(work, server))  # blocks: the server has its thread
        if "--postgres" in sys.argv:
            figures.update(postgres_figures(work, server))
    load = os.getloadavg()
    print(f"{runs} runs each (median), {UNITS_PER_RUN} units per run; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")  # fmt: skip
    for name, value in figures.items():
        print(f"  {name}: {value:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
