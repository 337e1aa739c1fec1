"""The Temporal tests' processes (``python temporal_app.py MODE``), against the dev server at
``REVERIE_TEMPORAL``: ``worker`` serves the task queue until killed; ``start`` starts the
workflow ``t-1`` and exits; ``result`` prints its result; ``approval`` runs a workflow that
waits for a decision and sends it."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from reverie.durable.temporal import ReveriePlugin, send_approvals

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from temporal_flows import Ask, AskCarefully, AskOnce

QUEUE = "reverie-tests"


async def main(mode: str) -> None:
    client = await Client.connect(os.environ["REVERIE_TEMPORAL"], plugins=[ReveriePlugin()])
    if mode == "worker":
        worker = Worker(
            client,
            task_queue=QUEUE,
            workflows=[Ask, AskCarefully, AskOnce],
            sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
        )
        print(json.dumps({"worker": os.getpid()}), flush=True)
        await worker.run()
    elif mode == "start":
        await client.start_workflow(Ask.run, "Paris", id="t-1", task_queue=QUEUE)
        print(json.dumps({"started": "t-1"}))
    elif mode == "result":
        result = await client.get_workflow_handle("t-1").result()
        print(json.dumps({"result": result}))
    elif mode == "approval":
        handle = await client.start_workflow(AskCarefully.run, "Rome", id="t-a", task_queue=QUEUE)
        while not os.path.exists(os.path.join(os.environ["REVERIE_WORK"], "requests.log")):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        described = await handle.describe()
        before = os.path.exists(os.path.join(os.environ["REVERIE_WORK"], "side-effects.txt"))
        await send_approvals(handle, "careful", {"call_Rome": True})
        result = await handle.result()
        # A decision sent before the run asks for it is kept until it does.
        early = await client.start_workflow(AskCarefully.run, "Nice", id="t-e", task_queue=QUEUE)
        await send_approvals(early, "careful", {"call_Nice": "no tools today"})
        print(
            json.dumps(
                {
                    "status": described.status.name,
                    "ran": before,
                    "result": result,
                    "early": await early.result(),
                }
            )
        )
    elif mode == "refused":  # the provider refuses the request: the workflow fails
        try:
            await client.execute_workflow(Ask.run, "Nowhere", id="t-r", task_queue=QUEUE)
        except Exception as exc:
            cause = getattr(exc, "cause", None)
            print(json.dumps({"error": type(exc).__name__, "type": getattr(cause, "type", None)}))
    elif mode == "once":
        result = await client.execute_workflow(AskOnce.run, "Bern", id="t-o", task_queue=QUEUE)
        print(json.dumps({"result": result}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
    # The SDK's core threads can abort the interpreter's finalization (PyGILState_Release):
    # the work is done and printed, so skip it.
    sys.stdout.flush()
    os._exit(0)
