"""``"provider:model"`` strings → language models.

Providers are imported only when first used, so ``import reverie`` stays cheap and optional
dependencies (llama-cpp-python, google-auth…) load only for the provider that needs them.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reverie.errors import ConfigurationError
from reverie.model import LanguageModel


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    name: str
    target: str  # "module:Class"; the class takes keyword settings and has .model(id)
    api_key_env: tuple[str, ...]
    description: str

    def load(self) -> Callable[..., Any]:
        module, _, attr = self.target.partition(":")
        factory: Callable[..., Any] = getattr(importlib.import_module(module), attr)
        return factory

    def has_key(self) -> bool:
        return not self.api_key_env or any(os.environ.get(n) for n in self.api_key_env)


PROVIDERS: dict[str, ProviderEntry] = {
    entry.name: entry
    for entry in (
        ProviderEntry(
            "openai", "reverie.providers.openai:OpenAI", ("OPENAI_API_KEY",), "OpenAI chat"
        ),
        ProviderEntry(
            "openrouter",
            "reverie.providers.openrouter:OpenRouter",
            ("OPENROUTER_API_KEY",),
            "OpenRouter",
        ),
        ProviderEntry(
            "openai-compat",
            "reverie.providers.openai_compat:OpenAICompatible",
            (),
            "any OpenAI-compatible endpoint (needs base_url or OPENAI_COMPAT_BASE_URL)",
        ),
        ProviderEntry(
            "local",
            "reverie.providers.local:Local",
            (),
            "a GGUF model run in-process (pip install 'reverie[local]')",
        ),
    )
}


def register(entry: ProviderEntry) -> None:
    """Add or replace a provider kind (for third-party providers)."""
    PROVIDERS[entry.name] = entry


def provider(name: str, **settings: Any) -> Any:
    """A provider object by kind name, e.g. ``provider("openai", api_key=...)``."""
    entry = PROVIDERS.get(name)
    if entry is None:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigurationError(f"unknown provider {name!r}; known providers: {known}")
    if name == "openai-compat" and "base_url" not in settings:
        base_url = os.environ.get("OPENAI_COMPAT_BASE_URL")
        if not base_url:
            raise ConfigurationError("openai-compat: set OPENAI_COMPAT_BASE_URL or pass base_url=")
        settings["base_url"] = base_url
        settings.setdefault("api_key", os.environ.get("OPENAI_COMPAT_API_KEY"))
    return entry.load()(**settings)


def resolve_model(spec: str, **settings: Any) -> LanguageModel:
    """``"openai:gpt-4o"`` → a LanguageModel; settings go to the provider's constructor."""
    name, sep, model_id = spec.partition(":")
    if not sep or not model_id:
        raise ConfigurationError(
            f"model {spec!r} must look like 'provider:model', e.g. 'openai:gpt-4o'"
        )
    model: LanguageModel = provider(name, **settings).model(model_id)
    return model
