"""reverie, written as its README shows: a provider, an Agent with a typed tool, run/stream."""

from __future__ import annotations

from typing import Annotated, Any

from common import PROMPT, SYSTEM, weather_reading

import reverie

FAMILIES = ("chat", "responses", "anthropic", "gemini", "bedrock")


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return weather_reading(location)


class Client:
    """``blocking=False`` declares the weather tool quick (``@reverie.tool(blocking=False)``):
    called on the event loop, without the hop to a worker thread a sync tool gets by default.
    The comparison uses the default; the performance guard also prints this variant."""

    def __init__(self, base: str, family: str, blocking: bool = True) -> None:
        self.tool = weather if blocking else reverie.tool(blocking=False)(weather)
        if family == "chat":
            self.provider = reverie.provider("openai", api_key="k", base_url=base + "/v1")
        elif family == "responses":
            self.provider = reverie.provider("openai-responses", api_key="k", base_url=base + "/v1")
        elif family == "anthropic":
            self.provider = reverie.provider("anthropic", api_key="k", base_url=base + "/v1")
        elif family == "bedrock":  # a Bedrock API key: a bearer token, no SigV4
            self.provider = reverie.provider("bedrock", api_key="k", base_url=base)
        else:
            self.provider = reverie.provider("google", api_key="k", base_url=base + "/v1beta")
        self.agents: dict[tuple[str, bool], reverie.Agent] = {}

    def agent(self, model: str, tools: bool = True) -> reverie.Agent:
        """One agent per model, shared by every run (as an application would keep it)."""
        key = (model, tools)
        if key not in self.agents:
            self.agents[key] = reverie.Agent(
                self.provider.model(model),
                system=SYSTEM,
                tools=[self.tool] if tools else [],
                max_steps=1000,
            )
        return self.agents[key]

    async def aclose(self) -> None:
        await self.provider.aclose()

    async def tool_loop(self, model: str) -> str:
        result = await self.agent(model).run(PROMPT)
        return result.text

    async def stream(self, model: str) -> int:
        size = 0
        async for event in self.agent(model, tools=False).stream(PROMPT):
            if isinstance(event, reverie.TextDelta):
                size += len(event.delta)
        return size


async def make(base: str, family: str, blocking: bool = True) -> Any:
    return Client(base, family, blocking)
