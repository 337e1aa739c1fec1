"""``"provider:model"`` strings → language models, through the providers' specs.

Providers are imported only when first used, so ``import reverie`` stays cheap and optional
dependencies (llama-cpp-python, google-auth…) load only for the provider that needs them.
Every table about providers is read off :data:`PROVIDERS`: which provider and wire family a
recorded request's URL belongs to (:func:`identify`), the CLI's list, the conformance kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from reverie.errors import ConfigurationError
from reverie.providers.catalog import BUILT_IN
from reverie.providers.rebuild import ModelRecipe, remember
from reverie.providers.secret import conceal
from reverie.providers.spec import ProviderSpec

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Unpack

    from reverie.model import LanguageModel
    from reverie.providers.anthropic import Anthropic
    from reverie.providers.azure import Azure
    from reverie.providers.bedrock import Bedrock
    from reverie.providers.google import Google
    from reverie.providers.local import Local
    from reverie.providers.openai import OpenAI, OpenAIResponses
    from reverie.providers.openai_compat import OpenAICompatible
    from reverie.providers.openrouter import OpenRouter
    from reverie.providers.provider import Provider
    from reverie.providers.settings import (
        AzureSettings,
        BedrockSettings,
        CompatSettings,
        GoogleSettings,
        KeySettings,
        LocalSettings,
        OpenAISettings,
        VertexSettings,
    )
    from reverie.providers.vercel import Vercel
    from reverie.providers.vertex import Vertex

PROVIDERS: dict[str, ProviderSpec] = {spec.name: spec for spec in BUILT_IN}


def register(spec: ProviderSpec) -> None:
    """Add or replace a provider kind (for third-party providers)."""
    PROVIDERS[spec.name] = spec


# fmt: off
@overload
def provider(name: Literal["openai"], **settings: Unpack[OpenAISettings]) -> OpenAI: ...
@overload
def provider(
    name: Literal["openai-responses"], **settings: Unpack[OpenAISettings]
) -> OpenAIResponses: ...
@overload
def provider(name: Literal["azure"], **settings: Unpack[AzureSettings]) -> Azure: ...
@overload
def provider(name: Literal["openrouter"], **settings: Unpack[KeySettings]) -> OpenRouter: ...
@overload
def provider(name: Literal["vercel"], **settings: Unpack[KeySettings]) -> Vercel: ...
@overload
def provider(
    name: Literal["openai-compat"], **settings: Unpack[CompatSettings]
) -> OpenAICompatible: ...
@overload
def provider(name: Literal["anthropic"], **settings: Unpack[KeySettings]) -> Anthropic: ...
@overload
def provider(name: Literal["bedrock"], **settings: Unpack[BedrockSettings]) -> Bedrock: ...
@overload
def provider(name: Literal["google"], **settings: Unpack[GoogleSettings]) -> Google: ...
@overload
def provider(name: Literal["vertex"], **settings: Unpack[VertexSettings]) -> Vertex: ...
@overload
def provider(name: Literal["local"], **settings: Unpack[LocalSettings]) -> Local: ...
# fmt: on


def provider(name: str, **settings: Any) -> Any:
    """A provider object by name, e.g. ``provider("openai", api_key=...)``; settings go to
    its constructor, which reads its key and base URL from the environment when not given.

    Typed per built-in name: the result is that provider's class and a setting it does not
    take (``api_kye=``) is a type error. There is deliberately no overload for any ``str``
    (a misspelled setting would match it): for a name known only at run time use
    ``resolve_model("name:model")``, or this function seen as a ``Callable[..., Provider]``;
    a provider you registered yourself is also simply its class."""
    _conceal_key(settings)  # first: no frame of ours holds the key bare
    spec = PROVIDERS.get(name)
    if spec is None:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigurationError(f"unknown provider {name!r}; known providers: {known}")
    return spec.load()(**settings)


def resolve_model(spec: str, **settings: Any) -> LanguageModel:
    """``"openai:gpt-4o"`` → a LanguageModel; settings go to the provider's constructor."""
    _conceal_key(settings)
    if not isinstance(spec, str):
        raise TypeError(f"a model is a 'provider:model' string or a model object, not {spec!r}")
    name, sep, model_id = spec.partition(":")
    if not sep or not model_id:
        raise ConfigurationError(
            f"model {spec!r} must look like 'provider:model', e.g. 'openai:gpt-4o'"
        )
    make: Callable[..., Provider] = provider  # the name is known at run time only
    model: LanguageModel = make(name, **settings).model(model_id)

    remember(model, spec, settings)
    return model


def _conceal_key(settings: dict[str, Any]) -> None:
    if isinstance(settings.get("api_key"), str):
        settings["api_key"] = conceal(settings["api_key"])


def identify(url: str) -> tuple[ProviderSpec, str] | None:
    """Which provider sent a request to ``url``, and in which wire family: the providers whose
    requests use the URL's path, the one whose hosts include the URL's host first; else the
    one that lives wherever its user says (no hosts of its own), else the first registered.
    ``None`` when no provider's requests use that path."""
    import httpx2

    try:
        parsed = httpx2.URL(url)
    except httpx2.InvalidURL:  # a hand-edited cassette: no host, no family
        return None
    path = parsed.path.rstrip("/")
    candidates = [
        (spec, family)
        for spec in PROVIDERS.values()
        for ending, family in spec.paths
        if path.endswith(ending)
    ]
    if not candidates:
        return None
    host = parsed.host
    for spec, family in candidates:
        if spec.serves(host):
            return spec, family
    for spec, family in candidates:
        if not spec.hosts:
            return spec, family
    return candidates[0]


def rebuild_model(recipe: ModelRecipe) -> LanguageModel:
    """The model a :class:`~reverie.providers.rebuild.ModelRecipe` describes, made again (in
    another process: its key comes from that process's environment)."""
    return resolve_model(recipe.model, **dict(recipe.settings))
