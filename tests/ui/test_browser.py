"""The example chat app in a real headless Chromium: type a question, see the tool call and
the streamed answer appear. Skipped where Chromium or Playwright is missing."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import reverie
from reverie.testing import ScriptedModel, reply

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ui_chat" / "app.py"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None
    or importlib.util.find_spec("playwright") is None
    or importlib.util.find_spec("uvicorn") is None,
    reason="needs Debian's chromium, playwright and uvicorn",
)

# What Chromium needs to start quietly on a closed machine (no background connections).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def load_example() -> object:
    spec = importlib.util.spec_from_file_location("ui_chat_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def server() -> Iterator[str]:
    import uvicorn

    example = load_example()
    script = [
        reply(tool_calls=[("c1", "weather", '{"location": "Florence"}')]),
        reply("The weather in Florence is 40 degrees Celsius."),
    ]
    agent = reverie.Agent(ScriptedModel(script), tools=[example.weather])  # type: ignore[attr-defined]
    app = example.make_app(agent)  # type: ignore[attr-defined]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if uv.started:
                break
            threading.Event().wait(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        uv.should_exit = True
        thread.join(10)
        sock.close()


def test_a_question_typed_in_the_page_shows_the_tool_call_and_the_answer(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(server)
            page.fill("#prompt", "What's the weather in Florence?")
            page.click("#send")
            page.wait_for_selector(".assistant[data-done=true]", timeout=20_000)
            assert page.inner_text(".user") == "What's the weather in Florence?"
            assert page.inner_text(".call") == '→ weather {"location":"Florence"}'
            assert page.inner_text(".result") == "← 40 C"
            assert page.inner_text(".answer") == "The weather in Florence is 40 degrees Celsius."
        finally:
            browser.close()
