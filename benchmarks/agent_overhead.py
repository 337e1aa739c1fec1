"""The agent loop's own cost per step, with a scripted model and an instant tool.

python benchmarks/agent_overhead.py [steps]
"""

from __future__ import annotations

import asyncio
import sys
import time

import reverie
from reverie.testing import ScriptedModel, reply


def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


async def add_async(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


async def run(steps: int, streaming: bool, sync_tool: bool = True) -> float:
    script = [reply(tool_calls=[(f"c{i}", "add", '{"a": 1, "b": 2}')]) for i in range(steps - 1)]
    model = ScriptedModel([*script, reply("done")])
    # Sync tools hop to a worker thread so they cannot stall the loop; async ones do not.
    tool = reverie.tool(name="add", parallel=True)(add if sync_tool else add_async)
    agent = reverie.Agent(model, tools=[tool], max_steps=steps)
    start = time.perf_counter()
    if streaming:
        await agent.stream("go").collect()
    else:
        await agent.run("go")
    return time.perf_counter() - start


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    asyncio.run(run(5, False))
    for streaming, sync_tool in ((False, True), (True, True), (False, False), (True, False)):
        elapsed = asyncio.run(run(steps, streaming, sync_tool))
        mode = ("stream" if streaming else "run   ") + (
            ", sync tool " if sync_tool else ", async tool"
        )
        print(
            f"{mode}: {steps} steps in {elapsed * 1000:.0f} ms, {elapsed / steps * 1e6:.0f} µs/step"
        )


if __name__ == "__main__":
    main()
