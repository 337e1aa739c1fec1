"""The OpenAI Agents SDK as its docs show: an ``Agent`` with a ``@function_tool``, run by
``Runner.run`` / ``Runner.run_streamed``, over an ``AsyncOpenAI`` client pointed at the
server (chat completions model, or the Responses model), tracing disabled (no network)."""

from __future__ import annotations

from typing import Any

from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from common import PROMPT, SYSTEM, weather_reading
from openai import AsyncOpenAI
from openai.types.responses import ResponseTextDeltaEvent

FAMILIES = ("chat", "responses")

set_tracing_disabled(True)


@function_tool
def weather(location: str) -> str:
    """Get weather information for a location

    Args:
        location: the city
    """
    return weather_reading(location)


class Client:
    def __init__(self, base: str, family: str) -> None:
        self.family = family
        self.client = AsyncOpenAI(api_key="k", base_url=base + "/v1")
        self.agents: dict[tuple[str, bool], Agent[Any]] = {}

    def agent(self, model: str, tools: bool = True) -> Agent[Any]:
        key = (model, tools)
        if key not in self.agents:
            responses = self.family == "responses"
            kind = OpenAIResponsesModel if responses else OpenAIChatCompletionsModel
            self.agents[key] = Agent(
                name="Assistant",
                instructions=SYSTEM,
                model=kind(model=model, openai_client=self.client),
                tools=[weather] if tools else [],
            )
        return self.agents[key]

    async def aclose(self) -> None:
        await self.client.close()

    async def tool_loop(self, model: str) -> str:
        result = await Runner.run(self.agent(model), PROMPT, max_turns=1000)
        return str(result.final_output)

    async def stream(self, model: str) -> int:
        size = 0
        result = Runner.run_streamed(self.agent(model, tools=False), PROMPT)
        async for event in result.stream_events():
            if event.type != "raw_response_event":
                continue
            if isinstance(event.data, ResponseTextDeltaEvent):
                size += len(event.data.delta)
        return size


async def make(base: str, family: str) -> Any:
    return Client(base, family)
