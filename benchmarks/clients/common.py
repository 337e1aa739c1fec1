"""What every client shares: the conversation, the tool, and the per-step clock.

Standard library only: each peer's environment imports this beside its own client module.
"""

from __future__ import annotations

import time

SYSTEM = "You are a helpful assistant"
PROMPT = "What's the weather in Florence?"
TOOL_DESCRIPTION = "Get weather information for a location"
WEATHER = "40 C"

# The tool as OpenAI-style JSON schema, for the clients that are handed a schema.
PARAMETERS = {
    "type": "object",
    "properties": {"location": {"type": "string", "description": "the city"}},
    "required": ["location"],
}
CHAT_TOOL = {
    "type": "function",
    "function": {"name": "weather", "description": TOOL_DESCRIPTION, "parameters": PARAMETERS},
}
RESPONSES_TOOL = {
    "type": "function",
    "name": "weather",
    "description": TOOL_DESCRIPTION,
    "parameters": PARAMETERS,
}

TOOL_CLOCK: list[float] = []
"""Process CPU time at each tool call: consecutive differences are whole agent steps."""


def weather_reading(location: str) -> str:
    """The body of every library's ``weather`` tool."""
    TOOL_CLOCK.append(time.process_time())
    return WEATHER


def model_for(workload: str, n: int) -> str:
    """The fake server's model name for a workload (see fake_server.py)."""
    if workload == "stream":
        return f"stream-{n}"
    if workload == "steps":
        return f"steps-{n}"
    return "weather"
