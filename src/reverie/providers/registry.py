"""``"provider:model"`` strings → language models, through the providers' specs.

Providers are imported only when first used, so ``import reverie`` stays cheap and optional
dependencies (llama-cpp-python, google-auth…) load only for the provider that needs them.
"""

from __future__ import annotations

from typing import Any

from reverie.errors import ConfigurationError
from reverie.model import LanguageModel
from reverie.providers.catalog import BUILT_IN
from reverie.providers.spec import ProviderSpec

PROVIDERS: dict[str, ProviderSpec] = {spec.name: spec for spec in BUILT_IN}


def register(spec: ProviderSpec) -> None:
    """Add or replace a provider kind (for third-party providers)."""
    PROVIDERS[spec.name] = spec


def provider(name: str, **settings: Any) -> Any:
    """A provider object by name, e.g. ``provider("openai", api_key=...)``; settings go to
    its constructor, which reads its key and base URL from the environment when not given."""
    spec = PROVIDERS.get(name)
    if spec is None:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigurationError(f"unknown provider {name!r}; known providers: {known}")
    return spec.load()(**settings)


def resolve_model(spec: str, **settings: Any) -> LanguageModel:
    """``"openai:gpt-4o"`` → a LanguageModel; settings go to the provider's constructor."""
    if not isinstance(spec, str):
        raise TypeError(f"a model is a 'provider:model' string or a model object, not {spec!r}")
    name, sep, model_id = spec.partition(":")
    if not sep or not model_id:
        raise ConfigurationError(
            f"model {spec!r} must look like 'provider:model', e.g. 'openai:gpt-4o'"
        )
    model: LanguageModel = provider(name, **settings).model(model_id)
    return model
