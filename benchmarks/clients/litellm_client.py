"""LiteLLM as its docs show: ``litellm.acompletion`` against an OpenAI-compatible base,
a hand-written tool loop, ``stream=True`` iterated for deltas."""

from __future__ import annotations

import json
from typing import Any

import litellm
from common import CHAT_TOOL, PROMPT, SYSTEM, weather_reading

FAMILIES = ("chat",)


class Client:
    def __init__(self, base: str, family: str) -> None:
        self.base = base + "/v1"

    async def aclose(self) -> None:
        pass

    async def tool_loop(self, model: str) -> str:
        messages: list[Any] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": PROMPT},
        ]
        while True:
            response = await litellm.acompletion(
                model="openai/" + model,
                api_base=self.base,
                api_key="k",
                messages=messages,
                tools=[CHAT_TOOL],
            )
            message = response.choices[0].message
            if not message.tool_calls:
                return str(message.content)
            messages.append(message)
            for call in message.tool_calls:
                output = weather_reading(**json.loads(call.function.arguments))
                messages.append(
                    {"role": "tool", "tool_call_id": call.id, "name": "weather", "content": output}
                )

    async def stream(self, model: str) -> int:
        size = 0
        response = await litellm.acompletion(
            model="openai/" + model,
            api_base=self.base,
            api_key="k",
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in response:
            if chunk.choices and chunk.choices[0].delta.content:
                size += len(chunk.choices[0].delta.content)
        return size


async def make(base: str, family: str) -> Any:
    return Client(base, family)
