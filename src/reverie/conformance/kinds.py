"""Provider kinds the runner can build, each from a group file's ``settings``.

A kind missing here is reported as SKIP, never as a pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from reverie.model import LanguageModel

DUMMY_KEY = "conformance-dummy-key"

Builder = Callable[[str, dict[str, Any], httpx.AsyncClient], LanguageModel]


def _openai(model: str, settings: dict[str, Any], client: httpx.AsyncClient) -> LanguageModel:
    from reverie.providers.openai import OpenAI

    return OpenAI(api_key=DUMMY_KEY, base_url=settings.get("base_url"), client=client).model(model)


def _openrouter(model: str, settings: dict[str, Any], client: httpx.AsyncClient) -> LanguageModel:
    from reverie.providers.openrouter import OpenRouter

    return OpenRouter(api_key=DUMMY_KEY, client=client).model(model)


def _compat(model: str, settings: dict[str, Any], client: httpx.AsyncClient) -> LanguageModel:
    from reverie.providers.openai_compat import OpenAICompatible

    key = DUMMY_KEY if settings.get("api_key_env") else None
    return OpenAICompatible(base_url=settings["base_url"], api_key=key, client=client).model(model)


BUILDERS: dict[str, Builder] = {
    "openai": _openai,
    "openrouter": _openrouter,
    "openai-compat": _compat,
}


def unsupported_reason(kind: str, settings: dict[str, Any]) -> str | None:
    if kind not in BUILDERS:
        return f"provider kind {kind!r} is not built yet"
    if kind == "openai" and settings.get("use_responses_api"):
        return "the OpenAI Responses API is not built yet"
    return None
