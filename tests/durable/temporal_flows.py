"""The workflows and agents of the Temporal tests, in a module the workers import (the
workflow sandbox imports it again; reverie itself passes through)."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from temporalio import workflow

from reverie import Agent
from reverie.durable.temporal import TemporalDurability
from reverie.tools import tool

WORK = Path(os.environ.get("REVERIE_WORK", "."))
KILL = os.environ.get("REVERIE_KILL", "")


def weather(city: str) -> str:
    """The weather in a city."""
    with (WORK / "side-effects.txt").open("a") as f:
        f.write(f"{os.getpid()} {city} {time.time()}\n")
        f.flush()
    if KILL == "in_tool":
        os._exit(17)
    return f"sunny in {city}"


def slow_weather(city: str) -> str:
    """The weather in a city, slowly: past its activity's timeout."""
    with (WORK / "side-effects.txt").open("a") as f:
        f.write(f"{os.getpid()} {city} {time.time()}\n")
    time.sleep(3)
    return f"sunny in {city}"


durability = TemporalDurability(heartbeat_timeout=timedelta(seconds=2))
forecaster = Agent(
    "openai-compat:fake-model",
    name="forecaster",
    tools=[tool(weather, name="get_weather")],
    durability=durability,
)
careful = Agent(
    "openai-compat:fake-model",
    name="careful",
    tools=[tool(name="get_weather", needs_approval=True)(weather)],
    durability=durability,
)


once = Agent(
    "openai-compat:fake-model",
    name="once",
    tools=[tool(slow_weather, name="get_weather")],
    durability=TemporalDurability(tool_timeout=timedelta(seconds=1), tool_at_most_once=True),
)


@workflow.defn
class Ask:
    @workflow.run
    async def run(self, city: str) -> str:
        return (await forecaster.run(f"What is the weather in {city}?")).text


@workflow.defn
class AskCarefully:
    @workflow.run
    async def run(self, city: str) -> str:
        return (await careful.run(f"What is the weather in {city}?")).text


@workflow.defn
class AskOnce:
    @workflow.run
    async def run(self, city: str) -> str:
        return (await once.run(f"What is the weather in {city}?")).text
