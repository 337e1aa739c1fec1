"""Streamed events, printed as they arrive.

python examples/streaming.py [provider:model]
"""

import asyncio
import sys
from typing import Annotated

import reverie

# CI runs this program against a scripted model:
# test: script=weather


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


async def main(model: str) -> None:
    agent = reverie.Agent(model, tools=[weather])
    stream = agent.stream("What's the weather in Florence?")
    async for event in stream:
        match event:
            case reverie.StepStart(number=number):
                print(f"[step {number}]")
            case reverie.ReasoningDelta(delta=text):
                print(text, end="", flush=True)
            case reverie.TextDelta(delta=text):
                print(text, end="", flush=True)
            case reverie.TextEnd():
                print()
            case reverie.ToolCall(tool_name=name, input=arguments):
                print(f"-> {name} {arguments}")
            case reverie.ToolResult(tool_name=name, output=output):
                print(f"<- {name}: {output}")
    print(f"usage: {stream.result.usage.total_tokens} tokens")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "openai:gpt-4o-mini"))
