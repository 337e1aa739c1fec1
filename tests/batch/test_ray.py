"""run_many on Ray (2 workers on this machine) against a loopback chat server, and the
refusals that keep an agent which cannot travel from starting any work."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import reverie
from reverie.batch import run_many

from .batch_tools import stop_after_one, weather
from .fake_chat import serving

ray = pytest.importorskip("ray")

TESTS = Path(__file__).resolve().parents[1]
SRC = TESTS.parent / "src"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A local Ray on loopback, as a user would open it; yields the tools' log file."""
    home = tmp_path_factory.mktemp("ray-home")
    (home / "ray_bootstrap_config.yaml").write_text("{}\n")
    log = home / "tools.log"
    env = {
        "HOME": str(home),
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "PYTHONPATH": os.pathsep.join([str(SRC), str(TESTS)]),
        "BATCH_TOOL_LOG": str(log),
        "REVERIE_PROMPT_CACHE": "0",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        runtime_env={"env_vars": env},
        log_to_driver=False,
    )
    try:
        yield log
    finally:
        ray.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving() as url:
        yield url


async def test_a_thousand_inputs_on_two_workers(cluster: Path, base_url: str) -> None:
    agent = reverie.Agent(
        reverie.resolve_model("openai-compat:fake", base_url=base_url),
        tools=[weather],
        stop_when=[stop_after_one],
        max_steps=5,
    )
    inputs: list[str | list[reverie.Message]] = [f"town-{i}" for i in range(1000)]
    inputs[3] = "FAIL-3"
    inputs[998] = [reverie.user_message("harbour")]
    result = await run_many(agent, inputs, engine="ray", workers=2, concurrency=20, progress=False)

    assert len(result) == 1000 and [item.index for item in result] == list(range(1000))
    (failed,) = result.failures
    assert failed.index == 3
    assert isinstance(failed.error, reverie.ProviderError) and failed.error.status == 400
    assert result[998].result is not None and result[998].result.text == "harbour: 40 C"
    assert result[0].result is not None and result[0].result.text == "town-0: 40 C"
    expected = sorted([v for v in inputs if isinstance(v, str) and v != "FAIL-3"] + ["harbour"])
    assert sorted(cluster.read_text().splitlines()) == expected  # each tool ran once
    assert result.usage.input_tokens == 999 * 2 * 10
    assert result.usage.output_tokens == 999 * 2 * 5
    assert ray.is_initialized()  # the caller's connection is left open


def test_a_dataset_is_run_and_written_as_json_lines(
    cluster: Path, base_url: str, tmp_path: Path
) -> None:
    from reverie.batch import read_jsonl, run_dataset

    agent = reverie.Agent(
        reverie.resolve_model("openai-compat:fake", base_url=base_url), tools=[weather]
    )
    rows = [{"index": i, "prompt": f"port-{i}"} for i in range(120)]
    rows[42]["prompt"] = "FAIL-42"
    dataset = ray.data.from_items(rows)
    out = tmp_path / "results"
    run_dataset(agent, dataset, concurrency=16, workers=2, batch_size=40).write_json(str(out))

    items = read_jsonl(str(out), input_column="prompt")
    assert [item.index for item in items] == list(range(120))
    assert [item.input for item in items] == [row["prompt"] for row in rows]
    assert items[42].result is None and "400" in str(items[42].error)
    assert items[7].result is not None and items[7].result.text == "port-7: 40 C"
    assert items[7].result.messages[-1].role == "assistant"
    assert sum(item.ok for item in items) == 119


async def test_a_rate_limit_is_one_account_across_workers(cluster: Path, base_url: str) -> None:
    import time

    from reverie.batch.limits import RateLimit

    agent = reverie.Agent(
        reverie.resolve_model("openai-compat:fake", base_url=base_url), tools=[weather]
    )
    start = time.monotonic()
    result = await run_many(
        agent,
        [f"bay-{i}" for i in range(20)],
        engine="ray",
        workers=2,
        progress=False,
        rate_limit=RateLimit(requests_per_second=40),
    )
    elapsed = time.monotonic() - start
    assert all(item.ok for item in result)
    # 40 requests spaced 1/40 s apart by one shared account: at least 39/40 s in all,
    # where two separate accounts would have let them through in half that
    assert elapsed >= 39 / 40
