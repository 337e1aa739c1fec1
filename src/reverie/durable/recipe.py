"""A model as data, to rebuild it inside a durable unit (a DBOS step, a Temporal activity).

A unit never receives a model object: it receives the model's ``provider:model`` id and the
provider settings it was made with (base URL, headers, timeouts: plain data), and makes the
model again, so a worker on another machine, or after a restart, reaches the same endpoint.
Keys never travel: the worker's provider reads its key from its own environment, as it does
everywhere. A model that cannot be rebuilt this way is refused when the agent is made.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reverie.errors import ConfigurationError
from reverie.providers.rebuild import SECRET_SETTINGS, is_data

if TYPE_CHECKING:
    from reverie.model import LanguageModel

_ATTRIBUTE = "_reverie_durable_recipe"
_SHARED = "_reverie_recipe"
"""Where ``reverie.recipe`` (reverie.batch's, when present) notes how the registry made a
model: ``.model`` (``provider:model``) and ``.settings`` (pairs), or a str saying why not."""
_BUILT: dict[str, LanguageModel] = {}
"""Models rebuilt in this process, by recipe: units of every run share their connections."""


@dataclass(frozen=True, slots=True)
class ModelRecipe:
    """A model as ``provider:model`` plus its provider's settings (no key)."""

    model: str
    settings: Mapping[str, Any]

    def to_data(self) -> dict[str, Any]:
        return {"model": self.model, "settings": dict(self.settings)}

    @classmethod
    def from_data(cls, data: object) -> ModelRecipe:
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("model"), str)
            or not isinstance(data.get("settings", {}), dict)
        ):
            raise ConfigurationError(f"not a model recipe: {data!r:.200}")
        settings = data.get("settings", {})
        check_settings(settings)
        return cls(data["model"], settings)

    def build(self) -> LanguageModel:
        """The model, made once per process for each recipe."""
        key = json.dumps(self.to_data(), sort_keys=True)
        model = _BUILT.get(key)
        if model is None:
            from reverie.providers.registry import resolve_model

            model = _BUILT[key] = resolve_model(self.model, **dict(self.settings))
        return model


def rebuildable_model(spec: str, **settings: Any) -> LanguageModel:
    """``resolve_model(spec, **settings)``, remembering how it was made so a durable unit can
    make it again: ``Agent(rebuildable_model("openai-compat:qwen3", base_url=...), ...)``.
    Settings must be plain data and hold no key (``api_key=`` is refused: give workers their
    key through their environment)."""
    check_settings(settings)
    recipe = ModelRecipe(spec, dict(settings))
    model = recipe.build()
    try:
        object.__setattr__(model, _ATTRIBUTE, recipe)
    except (AttributeError, TypeError):  # a slotted model keeps nothing: remembered by id
        _BY_ID[id(model)] = (model, recipe)
    return model


_BY_ID: dict[int, tuple[LanguageModel, ModelRecipe]] = {}


def check_headers(headers: object, where: str) -> None:
    """Refuse credential headers (``Authorization``, ``x-api-key``...): they would be written
    into the engine's database with the unit's input."""
    if not isinstance(headers, Mapping) or not headers:
        return
    from reverie.testing.transport import SECRET_HEADERS

    for name in headers:
        if isinstance(name, str) and name.lower() in SECRET_HEADERS:
            raise ConfigurationError(
                f"{where} header {name!r} would be written into the engine's database; give "
                "each worker its key through its environment (the provider reads it there)"
            )


def check_settings(settings: Mapping[str, Any]) -> None:
    check_headers(settings.get("headers"), "a durable model's")
    for name, value in settings.items():
        if name in SECRET_SETTINGS:
            raise ConfigurationError(
                f"a durable model's provider setting {name}= would be written into the "
                "engine's database; give each worker its key through its environment "
                "(the provider reads it there) instead"
            )
        if not is_data(value):
            raise ConfigurationError(
                f"a durable model's provider setting {name}= is not plain data "
                "(str, number, bool, None, lists and dicts of them), so it cannot travel"
            )


def recipe_of(model: LanguageModel, given: object = None) -> ModelRecipe:
    """How to make ``model`` again: from the ``provider:model`` string it was given as, or
    from :func:`rebuildable_model`; anything else is refused."""
    if isinstance(given, str):
        return ModelRecipe(given, {})
    recipe = getattr(model, _ATTRIBUTE, None)
    if isinstance(recipe, ModelRecipe):
        return recipe
    kept = _BY_ID.get(id(model))
    if kept is not None and kept[0] is model:
        return kept[1]
    shared = getattr(model, _SHARED, None)
    if isinstance(getattr(shared, "model", None), str):  # noted by reverie.recipe, if present
        settings = dict(getattr(shared, "settings", ()))
        check_settings(settings)
        return ModelRecipe(shared.model, settings)  # type: ignore[union-attr]
    why = f" ({shared})" if isinstance(shared, str) else ""
    raise ConfigurationError(
        f"a durable agent's model must be rebuildable inside each unit, and {model!r:.80} "
        f"cannot be{why}: rebuilding it differently would reach another endpoint. Give the agent "
        "a 'provider:model' string, or reverie.durable.rebuildable_model('provider:model', "
        "base_url=..., headers=...)"
    )
