"""How to make a model again in another process: its ``provider:model`` id and its provider's
settings, as data. The registry notes it on every model it makes (:func:`remember`); a
model made any other way, or whose provider was given something that is not plain data (a
``client=``), has none and is refused by :func:`model_recipe` with what to change. API keys
are never part of it: the other process reads its own.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reverie.errors import ConfigurationError

if TYPE_CHECKING:
    from reverie.model import LanguageModel

SECRET_SETTINGS = frozenset(
    {"api_key", "client", "credentials", "auth", "aws_secret_access_key", "aws_session_token"}
)
"""Provider settings that never travel: a key, or an object holding one (another process
reads its own from its environment)."""
_RECIPE_ATTRIBUTE = "_reverie_recipe"


@dataclass(frozen=True, slots=True)
class ModelRecipe:
    """A model as ``provider:model`` plus its provider's settings (data only, no key)."""

    model: str
    settings: tuple[tuple[str, Any], ...] = ()
    """Made again by ``reverie.providers.registry.rebuild_model``."""


def remember(model: object, spec: str, settings: Mapping[str, Any]) -> None:
    """Note on a model the registry made how to make it again; settings that are not plain
    data leave no recipe, so such a model is refused by :func:`model_recipe`."""
    kept = {k: v for k, v in settings.items() if k not in SECRET_SETTINGS}
    dropped = [k for k in settings if k in SECRET_SETTINGS and k != "api_key"]
    recipe: ModelRecipe | str
    bad = next((k for k, v in kept.items() if not is_data(v)), None)
    if dropped:
        recipe = f"its provider was given {dropped[0]}="
    elif bad is not None:
        recipe = f"its provider setting {bad}= is not plain data"
    else:
        recipe = ModelRecipe(spec, tuple(sorted(kept.items())))
    with contextlib.suppress(AttributeError, TypeError):  # a slotted model keeps none
        object.__setattr__(model, _RECIPE_ATTRIBUTE, recipe)


def model_recipe(model: LanguageModel) -> ModelRecipe:
    recipe = getattr(model, _RECIPE_ATTRIBUTE, None)
    if isinstance(recipe, ModelRecipe):
        return recipe
    why = (
        recipe
        if isinstance(recipe, str)
        else f"the model object {model!r} has no 'provider:model' id"
    )
    raise ConfigurationError(
        f"this agent's model cannot be rebuilt in another process: {why}; build the agent "
        "from a 'provider:model' string (or reverie.resolve_model('provider:model', "
        "base_url=...)) and give workers their API key through their environment"
    )


def is_data(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(is_data(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_data(v) for k, v in value.items())
    return False
