"""Ids for function calls Gemini returns without one (every model before Gemini 3).

``tool_call_ids`` picks how they are made: ``"sequential"`` (the default) — a counter
private to the provider instance giving ``"1"``, ``"2"``, …; ``"tool_name"`` — the tool's
name (two calls of one tool then share it); or any callable taking the tool name. Ids are
deterministic, so recorded conversations replay. An id the API does return is kept.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Literal

from reverie.errors import ConfigurationError

IdGenerator = Callable[[str], str]
"""Tool name → a new call id."""

ToolCallIds = Literal["sequential", "tool_name"] | IdGenerator


def make_id_generator(setting: ToolCallIds | None, provider: str) -> IdGenerator:
    if setting is None or setting == "sequential":
        counter = itertools.count(1)
        return lambda _name: str(next(counter))
    if setting == "tool_name":
        return lambda name: name
    if callable(setting):
        return setting
    raise ConfigurationError(
        f"{provider}: tool_call_ids must be 'sequential', 'tool_name' or a callable, "
        f"not {setting!r}"
    )
