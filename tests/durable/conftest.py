"""Fixtures of the durable tests: the loopback fake provider and a runner of the apps that
the tests run in subprocesses (each is a fresh process, as after a crash)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .fake_openai import FakeServer

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class App:
    """Runs ``tests/durable/<script> MODE`` with the server's URL and a work directory."""

    script: str
    work: Path
    server: FakeServer
    env: dict[str, str]

    def run(self, mode: str, timeout: float = 90, **env: str) -> subprocess.CompletedProcess[str]:
        full = {**self.env, **env}
        return subprocess.run(
            [sys.executable, str(ROOT / "tests" / "durable" / self.script), mode],
            env=full,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.work,
        )

    def start(self, mode: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "durable" / self.script), mode],
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.work,
        )

    def side_effects(self) -> list[str]:
        path = self.work / "side-effects.txt"
        return path.read_text().splitlines() if path.exists() else []


def output(process: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert process.returncode == 0, process.stderr[-3000:]
    value: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    return value


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[FakeServer]:
    with FakeServer(tmp_path / "requests.log") as server:
        yield server


def app_env(work: Path, server: FakeServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "REVERIE_", "DBOS"))}
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, str(ROOT), env.get("PYTHONPATH", "")])
    env["REVERIE_WORK"] = str(work)
    env["OPENAI_COMPAT_BASE_URL"] = server.base_url
    return env
