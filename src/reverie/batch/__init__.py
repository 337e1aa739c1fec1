"""Run one agent over many inputs: ``run_many(agent, inputs)``.

Each input is a prompt string or a list of messages; every run is isolated (one failing input
is an item with ``error``, never an exception for the batch); results come back in input order
with their usage summed. ``engine="local"`` (the default) runs them on one event loop with a
bound on runs in flight; ``engine="ray"`` sends the agent, as data, to worker processes on a
Ray cluster (``pip install 'reverie[ray]'``). Nothing here imports Ray until it is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.lazy import lazy

_EXPORTS = {
    "run_many": "reverie.batch.run",
    "run_many_sync": "reverie.batch.run",
    "BatchItem": "reverie.batch.items",
    "BatchResult": "reverie.batch.items",
    "RateLimit": "reverie.batch.limits",
    "read_jsonl": "reverie.batch.jsonl",
    "write_jsonl": "reverie.batch.jsonl",
    "run_dataset": "reverie.batch.dataset",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy(__name__, _EXPORTS)


if TYPE_CHECKING:
    from reverie.batch.dataset import run_dataset as run_dataset
    from reverie.batch.items import BatchItem as BatchItem, BatchResult as BatchResult
    from reverie.batch.jsonl import read_jsonl as read_jsonl, write_jsonl as write_jsonl
    from reverie.batch.limits import RateLimit as RateLimit
    from reverie.batch.run import run_many as run_many, run_many_sync as run_many_sync
