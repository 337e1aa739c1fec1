"""The ``ray.data`` path, for inputs too big for memory: ``run_dataset(agent, dataset)``.

Each block of rows goes through one actor that rebuilt the agent from its recipe and keeps
one event loop (and so one connection pool) for its life, running up to ``concurrency`` rows
at once. Every output row is the input row plus ``result`` (the run as
:func:`reverie.dump_result` writes it: messages, steps, usage) and ``error`` (text), so
``.write_json(path)`` stores the trajectories as JSON lines that :func:`read_jsonl` reads back.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from reverie.batch.run import check_count
from reverie.errors import ConfigurationError

if TYPE_CHECKING:
    from reverie.agent import Agent


class DatasetRunner:
    """The callable class ``map_batches`` builds once per actor."""

    def __init__(self, recipe: str, column: str, concurrency: int) -> None:
        from reverie.batch.recipe_json import loads

        self.agent = loads(recipe).build()
        self.column = column
        self.concurrency = concurrency
        self.runner = asyncio.Runner()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        prompts = [str(p) for p in batch[self.column]]
        replies = self.runner.run(self._run_all(prompts))
        out = {name: list(values) for name, values in batch.items()}
        out["result"] = [r for r, _ in replies]
        out["error"] = [e for _, e in replies]
        return out

    async def _run_all(self, prompts: list[str]) -> list[tuple[str | None, str | None]]:
        from reverie.batch.jsonl import error_text
        from reverie.batch.one import run_one
        from reverie.serialize import dump_result

        gate = asyncio.Semaphore(self.concurrency)

        async def one(index: int, prompt: str) -> tuple[str | None, str | None]:
            async with gate:
                item = await run_one(self.agent, index, prompt)
            if item.error is not None:
                return None, error_text(item.error)
            assert item.result is not None
            return dump_result(item.result), None

        return list(await asyncio.gather(*(one(i, p) for i, p in enumerate(prompts))))


def run_dataset(
    agent: Agent,
    dataset: Any,
    *,
    column: str = "prompt",
    concurrency: int = 100,
    workers: int | None = None,
    batch_size: int = 256,
) -> Any:
    """``dataset`` (a ``ray.data.Dataset`` with a ``column`` of prompts) → a lazy Dataset of
    the same rows plus ``result`` and ``error``; ``workers`` actors (default 2) run it."""
    from reverie.batch.recipe_json import dumps
    from reverie.recipe import agent_recipe

    check_count(concurrency, "concurrency")
    check_count(workers, "workers")
    check_count(batch_size, "batch_size")
    if column not in dataset.columns():
        raise ConfigurationError(f"the dataset has no column {column!r}: {dataset.columns()}")
    recipe = dumps(agent_recipe(agent))
    return dataset.map_batches(
        DatasetRunner,
        fn_constructor_args=(recipe, column, concurrency),
        batch_size=batch_size,
        batch_format="numpy",
        concurrency=workers or 2,
        num_cpus=1,
        zero_copy_batch=True,
    )
