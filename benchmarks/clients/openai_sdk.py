"""The official ``openai`` SDK as its README shows: ``AsyncOpenAI``, a hand-written tool loop
(chat completions and Responses), ``stream=True`` iterated for deltas."""

from __future__ import annotations

import json
from typing import Any

from common import CHAT_TOOL, PROMPT, RESPONSES_TOOL, SYSTEM, weather_reading
from openai import AsyncOpenAI

FAMILIES = ("chat", "responses")


class Client:
    def __init__(self, base: str, family: str) -> None:
        self.family = family
        self.client = AsyncOpenAI(api_key="k", base_url=base + "/v1")

    async def aclose(self) -> None:
        await self.client.close()

    async def tool_loop(self, model: str) -> str:
        if self.family == "responses":
            return await self.loop_responses(model)
        messages: list[Any] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": PROMPT},
        ]
        while True:
            completion = await self.client.chat.completions.create(
                model=model, messages=messages, tools=[CHAT_TOOL]
            )
            message = completion.choices[0].message
            if not message.tool_calls:
                return message.content or ""
            messages.append(message)
            for call in message.tool_calls:
                args = json.loads(call.function.arguments)
                output = weather_reading(**args)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": output})

    async def loop_responses(self, model: str) -> str:
        items: list[Any] = [{"role": "user", "content": PROMPT}]
        while True:
            response = await self.client.responses.create(
                model=model, instructions=SYSTEM, input=items, tools=[RESPONSES_TOOL]
            )
            calls = [item for item in response.output if item.type == "function_call"]
            if not calls:
                return response.output_text
            items += response.output
            for call in calls:
                output = weather_reading(**json.loads(call.arguments))
                result = {"type": "function_call_output", "call_id": call.call_id, "output": output}
                items.append(result)

    async def stream(self, model: str) -> int:
        size = 0
        if self.family == "responses":
            events = await self.client.responses.create(
                model=model, instructions=SYSTEM, input=PROMPT, stream=True
            )
            async for event in events:
                if event.type == "response.output_text.delta":
                    size += len(event.delta)
            return size
        chunks = await self.client.chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in chunks:
            if chunk.choices and chunk.choices[0].delta.content:
                size += len(chunk.choices[0].delta.content)
        return size


async def make(base: str, family: str) -> Any:
    return Client(base, family)
