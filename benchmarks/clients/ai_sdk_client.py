"""The Vercel AI SDK for Python (``ai`` on PyPI, Python >= 3.12) as its README shows: an
``ai.Model`` on a provider from ``ai.get_provider`` (base URL and key given), an ``ai.Agent``
with an ``@ai.tool`` (the SDK takes async tools only) run as an event stream, and
``ai.stream`` for one streamed answer. Its agent streams every model request. It reaches the
wire through the official ``openai`` and ``anthropic`` SDKs (its ``openai`` and
``anthropic`` extras); the ``openai`` provider speaks Responses unless given the chat
completions protocol."""

from __future__ import annotations

from typing import Any

import ai
from ai.providers.openai import OpenAIChatCompletionsProtocol, OpenAIResponsesProtocol
from common import PROMPT, SYSTEM, weather_reading

FAMILIES = ("chat", "responses", "anthropic")


@ai.tool
async def weather(location: str) -> str:
    """Get weather information for a location"""
    return weather_reading(location)


class Client:
    def __init__(self, base: str, family: str) -> None:
        if family == "anthropic":
            self.provider = ai.get_provider("anthropic", base_url=base, api_key="k")
            self.protocol: Any = None
        else:
            self.provider = ai.get_provider("openai", base_url=base + "/v1", api_key="k")
            chat = family == "chat"
            self.protocol = OpenAIChatCompletionsProtocol() if chat else OpenAIResponsesProtocol()
        self.agent = ai.Agent(tools=[weather])

    def model(self, name: str) -> ai.Model:
        if self.protocol is None:
            return ai.Model(id=name, provider=self.provider)
        return ai.Model(id=name, provider=self.provider, protocol=self.protocol)

    async def aclose(self) -> None:
        await self.provider.aclose()

    async def tool_loop(self, model: str) -> str:
        messages = [ai.system_message(SYSTEM), ai.user_message(PROMPT)]
        async with self.agent.run(self.model(model), messages) as stream:
            async for _ in stream:
                pass
        return str(stream.output)

    async def stream(self, model: str) -> int:
        size = 0
        messages = [ai.system_message(SYSTEM), ai.user_message(PROMPT)]
        async with ai.stream(self.model(model), messages) as stream:
            async for event in stream:
                if isinstance(event, ai.events.TextDelta):
                    size += len(event.chunk)
        return size


async def make(base: str, family: str) -> Any:
    return Client(base, family)
