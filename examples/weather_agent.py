"""A typed tool, one run, and what the run holds.

python examples/weather_agent.py [provider:model]
"""

import sys
from typing import Annotated

import reverie

# CI runs this program against a scripted model:
# test: script=weather


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


def main(model: str) -> None:
    agent = reverie.Agent(model, system="You are a helpful assistant", tools=[weather])
    result = agent.run_sync("What's the weather in Florence?")
    for step in result.steps:
        for call, outcome in zip(step.tool_calls, step.tool_results, strict=True):
            print(f"-> {call.tool_name} {call.input}")
            print(f"<- {outcome.output}")
    print(result.text)
    usage = result.usage
    print(f"{len(result.steps)} steps, {usage.input_tokens} in + {usage.output_tokens} out tokens")

    # The conversation goes on from result.messages.
    follow_up = agent.run_sync("And in Paris?", messages=result.messages)
    print(follow_up.text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "openai:gpt-4o-mini")
