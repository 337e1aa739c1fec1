"""DBOS on Postgres: two worker processes serve one queue of 100 runs; each run is done
exactly once (its tool's side effect once, its two model requests once)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import postgres
from .conftest import App, app_env, output
from .fake_openai import FakeServer

pytest.importorskip("dbos")
RUNS = 100

pytestmark = pytest.mark.skipif(not postgres.available(), reason="needs Postgres 15 binaries")


@pytest.fixture
def database() -> Iterator[str]:
    with postgres.postgres() as url:
        yield url


def test_two_workers_share_a_queue_of_100_runs_and_do_each_once(
    tmp_path: Path, fake_server: FakeServer, database: str
) -> None:
    fake_server.delay = 0.1  # one worker alone would take 4 s: both get runs
    env = app_env(tmp_path, fake_server)
    env.update(REVERIE_DB=database, REVERIE_RUNS=str(RUNS), REVERIE_CONCURRENCY="5")
    app = App("dbos_app.py", tmp_path, fake_server, env)
    assert output(app.run("enqueue")) == {"enqueued": RUNS}
    assert fake_server.requests() == []  # enqueuing ran nothing

    workers = [app.start("worker", REVERIE_EXECUTOR=f"worker-{n}") for n in range(2)]
    results = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=180)
        assert worker.returncode == 0, stderr[-3000:]
        results.append(stdout.strip().splitlines()[-1])

    expected = [f"Forecast: sunny in City{i}" for i in range(RUNS)]
    for line in results:
        assert line == output_line(expected)
    effects = [line.split()[:2] for line in app.side_effects()]
    assert sorted(city for _, city in effects) == sorted(f"City{i}" for i in range(RUNS))
    assert len(Counter(pid for pid, _ in effects)) == 2  # both workers took runs
    prompts = Counter(str(r["body"]["messages"][-1]) for r in fake_server.requests())
    assert len(prompts) == 2 * RUNS and set(prompts.values()) == {1}


def output_line(texts: list[str]) -> str:
    import json

    return json.dumps({"done": len(texts), "texts": texts})
