"""pydantic-ai as its docs show: an ``Agent`` over ``OpenAIChatModel`` (or
``OpenAIResponsesModel``) with an ``OpenAIProvider`` for the base URL, a ``@tool_plain``
tool, ``agent.run`` and ``agent.run_stream(...).stream_text(delta=True)``."""

from __future__ import annotations

from typing import Any

from common import PROMPT, SYSTEM, weather_reading
from pydantic_ai import Agent, UsageLimits
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.providers.openai import OpenAIProvider

FAMILIES = ("chat", "responses")
NO_LIMIT = UsageLimits(request_limit=None)


class Client:
    def __init__(self, base: str, family: str) -> None:
        self.family = family
        self.provider = OpenAIProvider(base_url=base + "/v1", api_key="k")
        self.agents: dict[tuple[str, bool], Agent[None, str]] = {}

    def agent(self, model: str, tools: bool = True) -> Agent[None, str]:
        key = (model, tools)
        if key not in self.agents:
            kind = OpenAIResponsesModel if self.family == "responses" else OpenAIChatModel
            agent = Agent(kind(model, provider=self.provider), instructions=SYSTEM)
            if tools:

                @agent.tool_plain
                def weather(location: str) -> str:
                    """Get weather information for a location

                    Args:
                        location: the city
                    """
                    return weather_reading(location)

            self.agents[key] = agent
        return self.agents[key]

    async def aclose(self) -> None:
        await self.provider.client.close()

    async def tool_loop(self, model: str) -> str:
        result = await self.agent(model).run(PROMPT, usage_limits=NO_LIMIT)
        return result.output

    async def stream(self, model: str) -> int:
        size = 0
        async with self.agent(model, tools=False).run_stream(PROMPT) as result:
            async for delta in result.stream_text(delta=True):
                size += len(delta)
        return size


async def make(base: str, family: str) -> Any:
    return Client(base, family)
