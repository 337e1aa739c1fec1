"""README's pytest snippet runs in a user's own project as shown: an ``async def`` test
with ``reverie_cassette`` passes without asyncio mode set (pytest-asyncio in its default
strict mode, or not installed at all), and still runs under asyncio mode ``auto``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reverie.testing.cassette import (
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
)

URL = "https://api.openai.com/v1/chat/completions"
ANSWER = '{"id":"c","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"40 C"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}'  # noqa: E501

TEST = """
import reverie


async def test_my_agent(reverie_cassette):
    http = reverie_cassette("cassettes/weather.yaml", strict=False)
    model = reverie.provider("openai", api_key="test", client=http).model("gpt-4o")
    result = await reverie.Agent(model).run("What's the weather in Florence?")
    assert result.text == "40 C"
"""


def project(tmp_path: Path, ini: str) -> Path:
    (tmp_path / "cassettes").mkdir()
    interaction = Interaction(
        0,
        RecordedRequest(method="POST", url=URL, body="{}"),
        RecordedResponse(body=ANSWER, headers={"Content-Type": ["application/json"]}),
    )
    Cassette([interaction]).save(tmp_path / "cassettes" / "weather.yaml")
    (tmp_path / "test_agent.py").write_text(TEST)
    (tmp_path / "pytest.ini").write_text(ini)
    return tmp_path


@pytest.mark.parametrize(
    ("ini", "flags"),
    [
        ("[pytest]\n", []),  # pytest-asyncio installed, default (strict) mode
        ("[pytest]\n", ["-p", "no:asyncio"]),  # no async plugin at all
        ("[pytest]\nasyncio_mode = auto\n", []),  # pytest-asyncio runs it
    ],
    ids=["strict", "no-plugin", "auto"],
)
def test_the_readme_snippet_runs_in_a_users_project(
    tmp_path: Path, ini: str, flags: list[str]
) -> None:
    where = project(tmp_path, ini)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *flags],
        cwd=where,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "not natively supported" not in result.stdout + result.stderr
