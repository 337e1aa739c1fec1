"""run_many on the local engine against a loopback chat server: order, isolation, usage."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

import reverie
from reverie.batch import BatchResult, read_jsonl, run_many, run_many_sync, write_jsonl
from reverie.batch.progress import Progress
from reverie.usage import Usage

from .batch_tools import weather
from .fake_chat import serving


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture
def tool_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "tools.log"
    monkeypatch.setenv("BATCH_TOOL_LOG", str(log))
    return log


def make_agent(base_url: str) -> reverie.Agent:
    model = reverie.resolve_model("openai-compat:fake", base_url=base_url)
    return reverie.Agent(model, tools=[weather])


async def test_a_thousand_inputs_in_order_with_one_failure_isolated(
    base_url: str, tool_log: Path
) -> None:
    inputs = [f"city-{i}" for i in range(1000)]
    inputs[417] = "FAIL-417"
    result = await run_many(make_agent(base_url), inputs, concurrency=50, progress=False)

    assert isinstance(result, BatchResult) and len(result) == 1000
    assert [item.index for item in result] == list(range(1000))
    assert [item.input for item in result] == inputs
    for item in result:
        if item.index == 417:
            continue
        assert item.result is not None and item.error is None
        assert item.result.text == f"{item.input}: 40 C"
    (failed,) = result.failures
    assert failed.index == 417 and failed.result is None
    assert isinstance(failed.error, reverie.ProviderError)
    assert failed.error.status == 400
    # every tool ran exactly once per successful input
    ran = tool_log.read_text().splitlines()
    assert sorted(ran) == sorted(i for i in inputs if i != "FAIL-417")
    # two requests of 10 + 5 tokens per successful run; the failed one spent nothing
    assert result.usage.input_tokens == 999 * 2 * 10
    assert result.usage.output_tokens == 999 * 2 * 5
    assert result.cost is None


async def test_a_batch_costs_its_runs_and_a_failed_run_without_steps_adds_nothing(
    base_url: str, tool_log: Path
) -> None:
    from reverie.pricing import remove_price, set_price

    set_price("fake", input_per_mtok=1.0, output_per_mtok=2.0, provider="openai-compat")
    try:
        inputs = ["Turin", "FAIL-1", "Rome"]
        result = await run_many(make_agent(base_url), inputs, progress=False)
    finally:
        remove_price("fake", provider="openai-compat")
    assert len(result.failures) == 1
    # two requests of 10 + 5 tokens per successful run, at $1 and $2 per million
    assert result.cost == pytest.approx(2 * 2 * (10 * 1.0 + 5 * 2.0) / 1e6)
    assert result.usage.cost_source == "estimate"


async def test_a_list_of_messages_continues_that_conversation(base_url: str) -> None:
    history = [reverie.user_message("Turin")]
    result = await run_many(make_agent(base_url), [history, "Rome"], progress=False)
    assert [item.result.text for item in result if item.result] == ["Turin: 40 C", "Rome: 40 C"]


def test_the_sync_twin_gives_the_same_items(base_url: str) -> None:
    result = run_many_sync(make_agent(base_url), ["Oslo", "FAIL"], progress=False)
    assert [item.ok for item in result] == [True, False]
    assert result[0].result is not None and result[0].result.text == "Oslo: 40 C"


async def test_concurrency_bounds_the_runs_in_flight(base_url: str) -> None:
    import asyncio

    in_flight = 0
    peak = 0

    async def weather(location: str) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return "ok"

    model = reverie.resolve_model("openai-compat:fake", base_url=base_url)
    agent = reverie.Agent(model, tools=[weather])
    result = await run_many(agent, [f"c{i}" for i in range(20)], concurrency=3, progress=False)
    assert all(item.ok for item in result)
    assert peak == 3


@pytest.mark.parametrize(
    ("inputs", "error"),
    [("one prompt", TypeError), ([1], TypeError), ([["not a message"]], TypeError)],
)
async def test_bad_inputs_are_refused_before_any_run(inputs: object, error: type) -> None:
    from reverie.testing import ScriptedModel

    agent = reverie.Agent(ScriptedModel([]))
    with pytest.raises(error):
        await run_many(agent, inputs, progress=False)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [{"concurrency": 0}, {"workers": 0}, {"engine": "spark"}, {"workers": 2}],
)
async def test_bad_settings_are_refused(kwargs: dict[str, object]) -> None:
    from reverie.testing import ScriptedModel

    agent = reverie.Agent(ScriptedModel([]))
    with pytest.raises(reverie.ConfigurationError):
        await run_many(agent, ["x"], progress=False, **kwargs)  # type: ignore[arg-type]


async def test_jsonl_round_trip_keeps_trajectories_and_errors(
    base_url: str, tmp_path: Path
) -> None:
    result = await run_many(make_agent(base_url), ["Lima", "FAIL"], progress=False)
    path = tmp_path / "out.jsonl"
    write_jsonl(str(path), result)
    back = list(read_jsonl(str(path)))
    assert [item.index for item in back] == [0, 1]
    assert back[0].result is not None
    assert back[0].result.messages == result[0].result.messages  # type: ignore[union-attr]
    assert back[0].result.usage == result[0].result.usage  # type: ignore[union-attr]
    assert back[1].result is None and "ProviderError" in str(back[1].error)


def test_progress_draws_on_a_terminal_only() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(2, enabled=True, stream=stream)
        bar.add(True, Usage(total_tokens=15))
        bar.add(False, Usage(total_tokens=5))
        bar.close()
    assert pipe.getvalue() == ""
    last = tty.getvalue().rstrip("\n").split("\r")[-1]
    assert "2/2" in last and "1 failed" in last and "20 tokens" in last


def test_import_reverie_batch_loads_no_ray() -> None:
    import subprocess
    import sys

    code = "import reverie, reverie.batch, sys; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_the_sync_twin_refuses_a_running_loop_and_names_the_async_spelling() -> None:
    from reverie.testing import ScriptedModel

    with pytest.raises(RuntimeError, match=r"await reverie\.batch\.run_many\(\.\.\.\)"):
        run_many_sync(reverie.Agent(ScriptedModel([])), ["x"], progress=False)
