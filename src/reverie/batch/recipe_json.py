"""An :class:`~reverie.recipe.AgentRecipe` as JSON text and back: what crosses to a worker."""

from __future__ import annotations

import json
from typing import Any

from reverie.errors import SerializationError
from reverie.providers.rebuild import ModelRecipe
from reverie.recipe import AgentRecipe, ToolRecipe


def _pairs(value: Any) -> tuple[tuple[str, Any], ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of pairs, not {type(value).__name__}")
    return tuple((_text(k), _tuples(v)) for k, v in value)


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
    """The recipe :func:`dumps` wrote; anything else (cut, edited) is a SerializationError
    naming what is wrong. Its references are checked when it is built."""
    try:
        data = json.loads(text)
        recipe = AgentRecipe(
            model=ModelRecipe(_text(data["model"]["model"]), _pairs(data["model"]["settings"])),
            tools=tuple(ToolRecipe(_text(t["ref"]), _pairs(t["options"])) for t in data["tools"]),
            options=_pairs(data["options"]),
            hooks=tuple(_text(h) for h in data["hooks"]),
            version=data["version"],
        )
    except (ValueError, RecursionError, KeyError, TypeError, IndexError) as exc:
        what = "JSON nested too deeply" if isinstance(exc, RecursionError) else repr(exc)
        raise SerializationError(f"not an agent recipe: {what:.200}") from None
    if set(recipe.hooks) - {name for name, _ in recipe.options}:
        raise SerializationError("not an agent recipe: a hook is named but not given")
    return recipe


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, not {type(value).__name__}")
    return value
