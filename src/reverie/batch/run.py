"""``run_many``: one agent over many inputs, locally or on Ray."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

from reverie.batch.items import BatchItem, BatchResult, Input
from reverie.batch.limits import LimitedModel, Limiter, RateLimit, local_limit
from reverie.batch.one import limited, run_one
from reverie.batch.progress import Progress
from reverie.errors import ConfigurationError

if TYPE_CHECKING:
    from reverie.agent import Agent

Engine = Literal["local", "ray"]


def check_inputs(inputs: Iterable[Input]) -> list[Input]:
    """The inputs as a list, each a prompt or a list of messages (refused before any run)."""
    from reverie.messages import Message

    if isinstance(inputs, str | bytes):
        raise TypeError("inputs must be a list of prompts, not one string: use [prompt]")
    checked: list[Input] = []
    for index, value in enumerate(inputs):
        if isinstance(value, str):
            checked.append(value)
        elif isinstance(value, Sequence) and all(isinstance(m, Message) for m in value):
            checked.append([m for m in value if isinstance(m, Message)])
        else:
            raise TypeError(
                f"inputs[{index}] must be a prompt string or a list of messages, "
                f"not {type(value).__name__}"
            )
    return checked


def check_count(value: int | None, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ConfigurationError(f"{name} must be 1 or more, not {value}")


async def run_local(
    agent: Agent, inputs: Sequence[Input], concurrency: int, progress: Progress
) -> list[BatchItem]:
    """At most ``concurrency`` runs in flight on this event loop; items in input order."""
    items: list[BatchItem | None] = [None] * len(inputs)
    cursor = iter(range(len(inputs)))

    async def worker() -> None:
        for index in cursor:  # shared: each index is taken by exactly one worker
            item = await run_one(agent, index, inputs[index])
            items[index] = item
            progress.add(item.ok, item.usage)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(inputs)))))
    return [item for item in items if item is not None]


async def run_many(
    agent: Agent,
    inputs: Iterable[Input],
    *,
    engine: Engine = "local",
    concurrency: int = 100,
    workers: int | None = None,
    progress: bool = True,
    rate_limit: RateLimit | None = None,
) -> BatchResult:
    """Run ``agent`` once per input and return every run, in input order.

    ``concurrency`` bounds the runs in flight in each process; ``engine="ray"`` runs them in
    ``workers`` Ray actors (default: one per CPU of the cluster), each an event loop with
    its own connection pool, reusing a connection opened with ``ray.init(...)`` or starting
    a local one. ``progress`` draws a live bar when stderr is a terminal. ``rate_limit``
    (requests per second, tokens per minute) gates every model request of the batch, one
    account shared by all workers."""
    checked = check_inputs(inputs)
    check_count(concurrency, "concurrency")
    check_count(workers, "workers")
    if engine not in ("local", "ray"):
        raise ConfigurationError(f"engine must be 'local' or 'ray', not {engine!r}")
    if rate_limit is not None and not isinstance(rate_limit, RateLimit):
        raise TypeError(f"rate_limit must be a RateLimit, not {type(rate_limit).__name__}")
    bar = Progress(len(checked), enabled=progress)
    try:
        if engine == "local":
            if workers not in (None, 1):
                raise ConfigurationError("workers= needs engine='ray'; the local engine is one")
            if rate_limit is not None:
                agent = limited(agent, LimitedModel(agent.model, *local_limit(Limiter(rate_limit))))
            items = await run_local(agent, checked, concurrency, bar)
        else:
            from reverie.batch.ray_engine import run_ray

            items = await run_ray(agent, checked, concurrency, workers, bar, rate_limit)
    finally:
        bar.close()
    return BatchResult(items)


def run_many_sync(
    agent: Agent,
    inputs: Iterable[Input],
    *,
    engine: Engine = "local",
    concurrency: int = 100,
    workers: int | None = None,
    progress: bool = True,
    rate_limit: RateLimit | None = None,
) -> BatchResult:
    """:func:`run_many` for scripts, on the thread's event loop like ``Agent.run_sync``."""
    from reverie.sync import run_sync

    coroutine = run_many(
        agent,
        inputs,
        engine=engine,
        concurrency=concurrency,
        workers=workers,
        progress=progress,
        rate_limit=rate_limit,
    )
    return run_sync(coroutine, agent.model, "run_many_sync", "await reverie.batch.run_many(...)")
