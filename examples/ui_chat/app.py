"""A chat page for an agent, streamed with the AI SDK's UI message stream protocol.

    pip install -e '.[cli,local]' uvicorn
    python examples/ui_chat/app.py [provider:model]      # then open http://127.0.0.1:8000

One static HTML page (no build step) posts the conversation to /api/chat and renders the
streamed text, tool calls and tool results as they arrive. A React app with the AI SDK's
``useChat`` can post to the same endpoint unchanged.
"""

# test: skip: a web server; tests/ui/test_browser.py drives it in Chromium

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import reverie
from reverie.ui import chat_app

PAGE = (Path(__file__).parent / "index.html").read_text(encoding="utf-8")


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return "40 C"


def make_app(agent: reverie.Agent) -> Any:
    """The ASGI app: the page at GET, the agent's stream at POST."""
    return chat_app(agent, page=PAGE)


def main(model: str) -> None:
    import uvicorn

    agent = reverie.Agent(model, system="You are a helpful assistant", tools=[weather])
    uvicorn.run(make_app(agent), host="127.0.0.1", port=8000)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "local:smollm2")
