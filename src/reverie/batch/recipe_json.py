"""An :class:`~reverie.recipe.AgentRecipe` as JSON text and back: what crosses to a worker."""

from __future__ import annotations

import json
from typing import Any

from reverie.providers.rebuild import ModelRecipe
from reverie.recipe import AgentRecipe, ToolRecipe


def _pairs(value: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((str(k), _tuples(v)) for k, v in value)


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples a recipe holds."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def dumps(recipe: AgentRecipe) -> str:
    return json.dumps(
        {
            "version": recipe.version,
            "model": {"model": recipe.model.model, "settings": recipe.model.settings},
            "tools": [{"ref": t.ref, "options": t.options} for t in recipe.tools],
            "options": recipe.options,
            "hooks": recipe.hooks,
        },
        allow_nan=False,
    )


def loads(text: str) -> AgentRecipe:
    data = json.loads(text)
    return AgentRecipe(
        model=ModelRecipe(data["model"]["model"], _pairs(data["model"]["settings"])),
        tools=tuple(ToolRecipe(t["ref"], _pairs(t["options"])) for t in data["tools"]),
        options=_pairs(data["options"]),
        hooks=tuple(data["hooks"]),
        version=data["version"],
    )
