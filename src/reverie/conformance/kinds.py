"""Provider kinds of the group files → models built through the public ``reverie.provider``.

A kind is a registered provider's name, or ``<name>-responses`` for a provider that also
speaks the Responses API (its ``api="responses"``): the table is read off the provider specs,
and there is no per-kind constructor code here. A kind no registered provider answers to is
reported as SKIP, never as a pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx2

from reverie.model import LanguageModel

if TYPE_CHECKING:
    from collections.abc import Callable

    from reverie.providers.provider import Provider

DUMMY_KEY = "conformance-dummy-key"


def kinds() -> dict[str, tuple[str, dict[str, Any]]]:
    """kind → (provider name, settings it always takes), from the registered specs."""
    from reverie.providers.registry import PROVIDERS

    found: dict[str, tuple[str, dict[str, Any]]] = {s: (s, {}) for s in PROVIDERS}
    for spec in PROVIDERS.values():
        if spec.family != "openai-responses" and "openai-responses" in spec.families:
            found[f"{spec.name}-responses"] = (spec.name, {"api": "responses"})
    return found


# Group-file settings passed to the constructor under the same name.
_PASSED = ("base_url", "project", "location", "region", "tool_call_ids", "skip_auth")


def unsupported_reason(kind: str, settings: dict[str, Any], model: str = "") -> str | None:
    """Why a case of this kind cannot run here (SKIP), or None."""
    if kind not in kinds():
        return f"provider kind {kind!r} is not registered"
    return None


def build_model(
    kind: str, model: str, settings: dict[str, Any], client: httpx2.AsyncClient
) -> LanguageModel:
    import reverie

    name, fixed = kinds()[kind]
    kwargs: dict[str, Any] = {**fixed, "client": client}
    if settings.get("use_responses_api"):
        kwargs["api"] = "responses"
    for key in _PASSED:
        if key in settings:
            kwargs[key] = settings[key]
    # Recordings hold no credentials; any key will do where the pair used one.
    if settings.get("api_key_env") or settings.get("use_api_key"):
        kwargs["api_key"] = DUMMY_KEY
    make: Callable[..., Provider] = reverie.provider  # the name is known at run time only
    return make(name, **kwargs).model(model)
