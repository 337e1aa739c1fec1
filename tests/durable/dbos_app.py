"""The workflow the DBOS tests run in subprocesses (``python dbos_app.py MODE ...``).

``start``: launch DBOS and run the workflow ``run-1``; the environment variable
``REVERIE_KILL`` kills the process with ``os._exit`` at a chosen point: ``after_tool`` (the
tool's step recorded, the next model request not sent) or ``in_tool`` (the tool's side effect
done, its step not recorded). ``resume``: launch DBOS (which recovers ``run-1``) and print
the run's result. ``worker``: serve the queue until ``REVERIE_RUNS`` runs are done.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from dbos import DBOS, DBOSClient, DBOSConfig, EnqueueOptions, SetWorkflowID

from reverie import Agent
from reverie.content import ToolCall, ToolResult
from reverie.durable.dbos import DBOSDurability, send_approvals_async
from reverie.tools import tool

WORK = Path(os.environ["REVERIE_WORK"])
KILL = os.environ.get("REVERIE_KILL", "")


@tool(needs_approval=os.environ.get("REVERIE_APPROVAL") == "1")
def get_weather(city: str) -> str:
    """The weather in a city."""
    with (WORK / "side-effects.txt").open("a") as f:
        f.write(f"{os.getpid()} {city} {time.time()}\n")
        f.flush()
    if KILL == "in_tool":
        os._exit(17)
    return f"sunny in {city}"


def after_tool(call: ToolCall, result: ToolResult, context: Any) -> None:
    if KILL == "after_tool":
        os._exit(17)


agent = Agent(
    "openai-compat:fake-model",
    name=os.environ.get("REVERIE_AGENT_NAME", "weather"),
    tools=[get_weather],
    after_tool=after_tool,
    durability=DBOSDurability(),
)


@DBOS.workflow()
async def ask(city: str) -> str:
    result = await agent.run(f"What is the weather in {city}?")
    return result.text


@DBOS.workflow()
async def ask_streaming(city: str) -> list[str]:
    events = []
    async for event in agent.stream(f"What is the weather in {city}?"):
        name = type(event).__name__
        if name in ("StepStart", "StepFinish", "ToolResult", "RunFinish"):
            events.append(name)
        elif name == "TextDelta":
            events.append(f"TextDelta:{event.delta}")  # type: ignore[attr-defined]
    return events


@DBOS.workflow()
async def ask_sync(city: str) -> str:
    return agent.run_sync(f"What is the weather in {city}?").text


NAME = "reverie-durable-test"
VERSION = "reverie-test-1"
QUEUE = "reverie-runs"


def launch() -> None:
    config: DBOSConfig = {
        "name": NAME,
        "system_database_url": os.environ["REVERIE_DB"],
        "application_version": VERSION,  # pinned: DBOS would derive one from the code
        "executor_id": os.environ.get("REVERIE_EXECUTOR", "local"),
        "run_admin_server": False,
        "log_level": "WARNING",
        "notification_listener_polling_interval_sec": 0.1,
    }  # type: ignore[typeddict-unknown-key]
    DBOS(config=config)
    DBOS.launch()


async def main(mode: str) -> None:
    launch()
    if mode == "start":
        with SetWorkflowID("run-1"):
            handle = await DBOS.start_workflow_async(ask, "Paris")
        print(json.dumps({"result": await handle.get_result(polling_interval_sec=0.1)}))
    elif mode == "approval":  # the run waits inside the workflow until a decision arrives
        with SetWorkflowID("run-a"):
            handle = await DBOS.start_workflow_async(ask, "Rome")
        while not (WORK / "requests.log").exists():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        status = (await handle.get_status()).status
        before = (WORK / "side-effects.txt").exists()
        await send_approvals_async("run-a", "weather", {"call_Rome": True, "other": False})
        print(
            json.dumps(
                {
                    "status": status,
                    "ran": before,
                    "result": await handle.get_result(polling_interval_sec=0.1),
                }
            )
        )
    elif mode == "inside":  # a streamed run in a workflow; run_sync refused in one
        with SetWorkflowID("run-st"):
            streamed = await DBOS.start_workflow_async(ask_streaming, "Lima")
        events = await streamed.get_result(polling_interval_sec=0.1)
        steps = await DBOS.list_workflow_steps_async("run-st")
        with SetWorkflowID("run-s"):
            handle = await DBOS.start_workflow_async(ask_sync, "Oslo")
        try:
            await handle.get_result(polling_interval_sec=0.1)
        except RuntimeError as exc:
            units = [step["function_name"] for step in steps]
            print(json.dumps({"events": events, "units": units, "error": str(exc)}))
    elif mode == "resume":
        handle = await DBOS.retrieve_workflow_async("run-1")
        try:
            print(json.dumps({"result": await handle.get_result(polling_interval_sec=0.1)}))
        except Exception as exc:  # a recovered run that fails
            print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
    elif mode == "enqueue":  # this process does not serve the queue: it only fills it
        client = DBOSClient(system_database_url=os.environ["REVERIE_DB"], application_name=NAME)
        count = int(os.environ["REVERIE_RUNS"])
        for i in range(count):
            options: EnqueueOptions = {
                "queue_name": QUEUE,
                "workflow_name": "ask",
                "workflow_id": f"q-{i}",
                "app_version": VERSION,
            }
            await client.enqueue_async(options, f"City{i}")
        client.destroy()
        print(json.dumps({"enqueued": count}))
    elif mode == "worker":  # serve the queue until every run is done (by either worker)
        concurrency = int(os.environ.get("REVERIE_CONCURRENCY", "10"))
        await DBOS.register_queue_async(
            QUEUE, worker_concurrency=concurrency, polling_interval_sec=0.05
        )
        count = int(os.environ["REVERIE_RUNS"])
        texts = [
            await (await DBOS.retrieve_workflow_async(f"q-{i}")).get_result() for i in range(count)
        ]
        print(json.dumps({"done": len(texts), "texts": texts}))
    DBOS.destroy()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
