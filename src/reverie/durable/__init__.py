"""Durable agent runs: each model request and tool call of a run inside a workflow becomes
one unit of a durable-execution engine, so a run survives a crash (see docs/durable.md).

``Agent(..., name="weather", durability=DBOSDurability())`` with
``from reverie.durable.dbos import DBOSDurability`` (``reverie[dbos]``), or
``TemporalDurability()`` from ``reverie.durable.temporal`` (``reverie[temporal]``). Importing
this package imports no engine; its names load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.lazy import lazy

if TYPE_CHECKING:
    from reverie.durable.base import MODEL_UNIT, TOOL_UNIT, Durability
    from reverie.durable.recipe import rebuildable_model

__all__ = ["MODEL_UNIT", "TOOL_UNIT", "Durability", "rebuildable_model"]

_MODULES = {
    "MODEL_UNIT": "base",
    "TOOL_UNIT": "base",
    "Durability": "base",
    "rebuildable_model": "recipe",
}


__getattr__, __dir__ = lazy(__name__, {k: f"{__name__}.{v}" for k, v in _MODULES.items()})
