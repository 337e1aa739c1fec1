"""Google's Agent Development Kit (``google-adk``) as its quickstart shows: an ``Agent`` with a
plain Python function as its tool, driven by an ``InMemoryRunner`` (a fresh session per run),
on the Gemini API through ``google.adk.models.Gemini`` with ``base_url`` pointed at the fake
server (ADK reaches the wire through ``google-genai``). One streamed answer is the same agent
without tools, run with ``RunConfig(streaming_mode=StreamingMode.SSE)``, counting the text of
its partial events. Gemini's wire only: ADK's other model classes go through LiteLLM."""

from __future__ import annotations

import itertools
import os
from typing import Any

os.environ.setdefault("GOOGLE_API_KEY", "k")
os.environ.setdefault("ADK_DISABLE_TELEMETRY", "1")

from common import PROMPT, SYSTEM, weather_reading
from google.adk.agents import Agent
from google.adk.agents.run_config import RunConfig, StreamingMode
from google.adk.models import Gemini
from google.adk.runners import InMemoryRunner
from google.genai import types

FAMILIES = ("gemini",)
APP = "bench"


def weather(location: str) -> str:
    """Get weather information for a location"""
    return weather_reading(location)


class Client:
    def __init__(self, base: str, family: str) -> None:
        self.base = base
        self.runners: dict[tuple[str, bool], InMemoryRunner] = {}
        self.sessions = itertools.count()
        self.streaming = RunConfig(streaming_mode=StreamingMode.SSE)

    def runner(self, model: str, tools: bool) -> InMemoryRunner:
        """One agent and runner per model, shared by every run (each run its own session)."""
        key = (model, tools)
        if key not in self.runners:
            agent = Agent(
                name="weather_agent",
                model=Gemini(model=model, base_url=self.base),
                instruction=SYSTEM,
                tools=[weather] if tools else [],
            )
            self.runners[key] = InMemoryRunner(agent=agent, app_name=APP)
        return self.runners[key]

    async def aclose(self) -> None:
        for runner in self.runners.values():
            await runner.close()

    async def events(self, model: str, tools: bool, config: RunConfig | None) -> Any:
        runner = self.runner(model, tools)
        session = await runner.session_service.create_session(
            app_name=APP, user_id="u", session_id=f"s{next(self.sessions)}"
        )
        message = types.Content(role="user", parts=[types.Part(text=PROMPT)])
        return runner.run_async(
            user_id="u", session_id=session.id, new_message=message, run_config=config
        )

    async def tool_loop(self, model: str) -> str:
        text = ""
        async for event in await self.events(model, True, None):
            if event.is_final_response() and event.content and event.content.parts:
                text = "".join(part.text or "" for part in event.content.parts)
        return text

    async def stream(self, model: str) -> int:
        size = 0
        async for event in await self.events(model, False, self.streaming):
            if event.partial and event.content and event.content.parts:
                size += sum(len(part.text or "") for part in event.content.parts)
        return size


async def make(base: str, family: str) -> Any:
    return Client(base, family)
