"""Provider kinds of the group files → models built through the public ``reverie.provider``.

A kind maps to a registered provider name plus the settings the group file gives; there is
no per-kind constructor code here. A kind whose provider is not registered, or a setting the
runner cannot honour, is reported as SKIP, never as a pass.
"""

from __future__ import annotations

from typing import Any

import httpx

from reverie.model import LanguageModel

DUMMY_KEY = "conformance-dummy-key"

# kind → (provider name, settings it always takes)
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "openai": ("openai", {}),
    "openai-responses": ("openai", {"api": "responses"}),
    "openrouter": ("openrouter", {}),
    "openai-compat": ("openai-compat", {}),
    "azure": ("azure", {}),
    "azure-responses": ("azure", {"api": "responses"}),
    "vercel": ("vercel", {}),
    "anthropic": ("anthropic", {}),
    "google": ("google", {}),
    "vertex": ("vertex", {}),
    "bedrock": ("bedrock", {}),
}

# Group-file settings passed to the constructor under the same name.
_PASSED = ("base_url", "project", "location", "region", "tool_call_ids", "skip_auth")


def unsupported_reason(kind: str, settings: dict[str, Any], model: str = "") -> str | None:
    """Why a case of this kind cannot run here (SKIP), or None."""
    from reverie.providers.registry import PROVIDERS

    entry = KINDS.get(kind)
    if entry is None or entry[0] not in PROVIDERS:
        return f"provider kind {kind!r} is not built yet"
    return None


def build_model(
    kind: str, model: str, settings: dict[str, Any], client: httpx.AsyncClient
) -> LanguageModel:
    import reverie

    name, fixed = KINDS[kind]
    kwargs: dict[str, Any] = {**fixed, "client": client}
    if settings.get("use_responses_api"):
        kwargs["api"] = "responses"
    for key in _PASSED:
        if key in settings:
            kwargs[key] = settings[key]
    # Recordings hold no credentials; any key will do where the pair used one.
    if settings.get("api_key_env") or settings.get("use_api_key"):
        kwargs["api_key"] = DUMMY_KEY
    built: LanguageModel = reverie.provider(name, **kwargs).model(model)
    return built
