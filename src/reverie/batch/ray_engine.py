"""The Ray engine: the agent travels to worker actors as data; each actor is one event loop
with one connection pool, running up to ``concurrency`` runs at once.

Inputs and results cross as reverie's own JSON (``dump_messages``/``dump_result``); an error
crosses pickled when it survives a pickle round trip in the worker, else as
:class:`RemoteError` with its type's name and message. Only what this module started (a local
Ray instance) is shut down; a connection the caller opened is reused and left open.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reverie.batch.items import BatchItem, Input
from reverie.batch.jsonl import input_data, input_from_data
from reverie.batch.limits import RateLimit
from reverie.batch.progress import Progress
from reverie.errors import ConfigurationError

if TYPE_CHECKING:
    from reverie.agent import Agent


class RemoteError(Exception):
    """An error raised in a worker that could not travel back as itself."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigurationError(
            "engine='ray' needs Ray: pip install 'reverie[ray]' (or pip install ray)"
        ) from None
    return ray


def portable_error(error: BaseException) -> bytes:
    """The error pickled if it survives the round trip, else a RemoteError of it."""
    try:
        data = pickle.dumps(error)
        pickle.loads(data)
    except Exception:
        return pickle.dumps(RemoteError(type(error).__name__, str(error)))
    return data


class LimiterActor:
    """The batch's one :class:`~reverie.batch.limits.Limiter`, as a Ray actor every worker asks."""

    def __init__(self, requests_per_second: float | None, tokens_per_minute: float | None) -> None:
        from reverie.batch.limits import Limiter, RateLimit

        self.limiter = Limiter(
            RateLimit(requests_per_second=requests_per_second, tokens_per_minute=tokens_per_minute)
        )

    def reserve(self) -> float:
        return self.limiter.reserve()

    def spend(self, tokens: int) -> None:
        self.limiter.spend(tokens)


class BatchWorker:
    """One worker process's agent, rebuilt from its recipe once, run per input."""

    def __init__(self, recipe: str, limiter: Any = None) -> None:
        from reverie.batch.recipe_json import loads

        self.agent = loads(recipe).build()
        self.gate: asyncio.Semaphore | None = None
        if limiter is not None:
            from reverie.batch.limits import LimitedModel
            from reverie.batch.one import limited

            async def reserve() -> float:
                wait: float = await limiter.reserve.remote()
                return wait

            async def spend(tokens: int) -> None:
                await limiter.spend.remote(tokens)

            self.agent = limited(self.agent, LimitedModel(self.agent.model, reserve, spend))

    async def run_chunk(
        self, chunk: list[tuple[int, Any]], concurrency: int
    ) -> list[tuple[int, str | None, bytes | None]]:
        """Runs a chunk of inputs, at most ``concurrency`` at once across this actor's
        chunks; one remote call per chunk keeps Ray's per-call cost off each run."""
        if self.gate is None:
            self.gate = asyncio.Semaphore(concurrency)
        gate = self.gate

        async def one(index: int, value: Any) -> tuple[int, str | None, bytes | None]:
            async with gate:
                return await self.run(index, value)

        return list(await asyncio.gather(*(one(i, v) for i, v in chunk)))

    async def run(self, index: int, value: Any) -> tuple[int, str | None, bytes | None]:
        from reverie.batch.one import run_one
        from reverie.serialize import dump_result

        item = await run_one(self.agent, index, input_from_data(value))
        if item.error is not None:
            return index, None, portable_error(item.error)
        assert item.result is not None
        return index, dump_result(item.result), None


def ensure_ray(ray: Any) -> bool:
    """Connects to Ray unless connected already; true when this call started it.

    A Ray this call starts is local to this machine, so its workers are given this
    process's import path: a tool importable here is importable there. (On a cluster the
    user opened, code reaches workers as Ray ships it: ``runtime_env``.)"""
    if ray.is_initialized():
        return False
    import logging
    import os
    import sys

    paths = [p for p in sys.path if p and os.path.isdir(p)]
    ray.init(
        include_dashboard=False,
        logging_level=logging.WARNING,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(paths)}},
    )
    return True


def item_of(index: int, value: Input, reply: tuple[int, str | None, bytes | None]) -> BatchItem:
    from reverie.serialize import load_result

    _, result, error = reply
    if error is not None:
        return BatchItem(index, value, error=pickle.loads(error))
    assert result is not None
    return BatchItem(index, value, result=load_result(result))


async def run_ray(
    agent: Agent,
    inputs: Sequence[Input],
    concurrency: int,
    workers: int | None,
    progress: Progress,
    rate_limit: RateLimit | None = None,
) -> list[BatchItem]:
    from reverie.batch.recipe_json import dumps
    from reverie.recipe import agent_recipe

    recipe = dumps(agent_recipe(agent))  # refused here, before any work starts
    ray = import_ray()
    started = ensure_ray(ray)
    try:
        count = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        limiter = None
        if rate_limit is not None:
            limiter = ray.remote(num_cpus=0)(LimiterActor).remote(
                rate_limit.requests_per_second, rate_limit.tokens_per_minute
            )
        actor = ray.remote(num_cpus=0)(BatchWorker)
        pool = [
            actor.options(max_concurrency=concurrency).remote(recipe, limiter) for _ in range(count)
        ]
        return await _dispatch(pool, inputs, concurrency, progress)
    finally:
        if started:
            ray.shutdown()


async def _dispatch(
    pool: list[Any], inputs: Sequence[Input], concurrency: int, progress: Progress
) -> list[BatchItem]:
    """Sends each actor chunks of ``concurrency`` inputs, two chunks in flight per actor so
    none waits between chunks, until every input is done."""
    items: list[BatchItem | None] = [None] * len(inputs)
    size = max(1, min(concurrency, -(-len(inputs) // (2 * len(pool)))))
    chunks = iter(range(0, len(inputs), size))

    async def feed(actor: Any) -> None:
        for start in chunks:  # shared across the feeders: each chunk is sent once
            indices = range(start, min(start + size, len(inputs)))
            chunk = [(i, input_data(inputs[i])) for i in indices]
            for reply in await actor.run_chunk.remote(chunk, concurrency):
                index = reply[0]
                item = item_of(index, inputs[index], reply)
                items[index] = item
                progress.add(item.ok, item.usage)

    await asyncio.gather(*(feed(actor) for actor in pool for _ in range(2)))
    return [item for item in items if item is not None]
