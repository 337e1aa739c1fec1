"""Durable runs on DBOS, for real: a workflow process killed with ``os._exit`` and a fresh
process recovering it, checked against the fake provider's request log and the tool's
side-effect file."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import App, app_env, output
from .fake_openai import FakeServer

pytest.importorskip("dbos")


@pytest.fixture
def app(tmp_path: Path, fake_server: FakeServer) -> App:
    env = app_env(tmp_path, fake_server)
    env["REVERIE_DB"] = f"sqlite:///{tmp_path}/dbos.sqlite"
    return App("dbos_app.py", tmp_path, fake_server, env)


def last_role(request: dict[str, object]) -> str:
    messages = request["body"]["messages"]  # type: ignore[index]
    return str(messages[-1]["role"])


def test_a_run_killed_after_its_tool_resumes_without_repeating_any_unit(app: App) -> None:
    killed = app.run("start", REVERIE_KILL="after_tool")
    assert killed.returncode == 17, killed.stderr[-3000:]
    assert [last_role(r) for r in app.server.requests()] == ["user"]
    assert len(app.side_effects()) == 1

    resumed = output(app.run("resume"))

    assert resumed == {"result": "Forecast: sunny in Paris"}
    # The first model request and the tool call were replayed from DBOS, not made again;
    # only the request that had not been made was sent.
    assert [last_role(r) for r in app.server.requests()] == ["user", "tool"]
    assert [line.split()[1] for line in app.side_effects()] == ["Paris"]


def test_a_run_killed_inside_its_tool_runs_that_tool_again_and_nothing_else(app: App) -> None:
    killed = app.run("start", REVERIE_KILL="in_tool")
    assert killed.returncode == 17, killed.stderr[-3000:]

    resumed = output(app.run("resume"))

    assert resumed == {"result": "Forecast: sunny in Paris"}
    assert [last_role(r) for r in app.server.requests()] == ["user", "tool"]
    # The tool's step never finished: the side effect happened in both processes (at least
    # once, the one place a side effect repeats).
    pids = [line.split()[0] for line in app.side_effects()]
    assert len(pids) == 2 and pids[0] != pids[1]


def test_a_renamed_agent_fails_its_runs_in_flight_instead_of_redoing_their_units(
    app: App,
) -> None:
    killed = app.run("start", REVERIE_KILL="after_tool")
    assert killed.returncode == 17, killed.stderr[-3000:]

    resumed = output(app.run("resume", REVERIE_AGENT_NAME="forecaster"))

    assert resumed["error"] == "DBOSUnexpectedStepError"
    assert "weather.model" in resumed["message"] and "forecaster.model" in resumed["message"]
    assert [last_role(r) for r in app.server.requests()] == ["user"]  # nothing done again
    assert len(app.side_effects()) == 1


def test_a_run_paused_for_approval_waits_in_the_workflow_for_the_decision(app: App) -> None:
    result = output(app.run("approval", REVERIE_APPROVAL="1"))

    assert result == {"status": "PENDING", "ran": False, "result": "Forecast: sunny in Rome"}
    assert [line.split()[1] for line in app.side_effects()] == ["Rome"]
    assert [last_role(r) for r in app.server.requests()] == ["user", "tool"]


def test_a_streamed_run_in_a_workflow_gets_each_units_output_and_run_sync_is_refused(
    app: App,
) -> None:
    result = output(app.run("inside"))

    assert result["events"] == [
        "StepStart", "ToolResult", "StepFinish",
        "StepStart", "TextDelta:Forecast: sunny in Lima", "StepFinish", "RunFinish",
    ]  # fmt: skip
    assert result["units"] == ["weather.model", "weather.tool.get_weather", "weather.model"]
    assert "run_sync() inside a DBOS workflow" in result["error"]
    assert len(app.server.requests()) == 2  # the streamed run's two; run_sync sent none
