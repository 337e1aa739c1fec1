"""``reverie.convert``: what a provider would be sent for a conversation, and the warnings.

>>> conversion = reverie.convert(history, to="anthropic")
>>> conversion.messages          # Anthropic's "messages", as the request would carry them
>>> conversion.warnings          # e.g. reasoning of another provider left out

The request is built by the target's own provider and model, exactly as a call would build
it (through :func:`reverie.providers.portable.prepare` and the family's converter); nothing
is sent: the provider's client is an in-process transport that keeps the body and answers an
empty reply. See docs/switching.md for what each target does with a foreign history.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from reverie.errors import ConfigurationError
from reverie.messages import Message, Metadata
from reverie.warning import CallWarning

__all__ = ["Conversion", "convert", "convert_async"]

DEFAULT_MODELS: dict[str, str] = {
    "openai": "gpt-4o",
    "openai-responses": "gpt-5",
    "azure": "gpt-4o",
    "openrouter": "openai/gpt-4o",
    "vercel": "openai/gpt-4o",
    "openai-compat": "model",
    "anthropic": "claude-sonnet-4-5",
    "bedrock": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "google": "gemini-2.5-flash",
    "vertex": "gemini-2.5-flash",
}
"""The model used when ``to`` names only a provider."""

_EMPTY_REPLY: dict[str, dict[str, Any]] = {
    "openai-chat": {
        "choices": [{"message": {"role": "assistant", "content": ""}, "finish_reason": "stop"}]
    },
    "openai-responses": {"id": "resp_convert", "status": "completed", "output": []},
    "anthropic": {"content": [], "stop_reason": "end_turn", "usage": {}},
    "google": {"candidates": [{"content": {"role": "model", "parts": []}}]},
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Conversion:
    """What ``to`` would be sent for a conversation."""

    to: str
    """``provider:model``."""
    messages: list[Any]
    """The wire messages: ``messages`` (chat completions, Anthropic), ``contents`` (Gemini)
    or ``input`` (Responses)."""
    system: Any = None
    """Where the family keeps it apart: Anthropic's ``system``, Gemini's
    ``systemInstruction`` (``None`` otherwise, or when there is none)."""
    body: dict[str, Any] = field(default_factory=dict)
    """The whole request body."""
    warnings: list[CallWarning] = field(default_factory=list)
    """What could not be sent as it is (foreign reasoning left out, settings refused…)."""


def convert(
    messages: Sequence[Message],
    to: str,
    *,
    foreign_reasoning: Literal["drop", "text"] | None = None,
    provider_options: Metadata | None = None,
    **provider_settings: Any,
) -> Conversion:
    """What the provider ``to`` (``"anthropic"``, ``"vertex:gemini-3-pro-preview"``…) would be
    sent for ``messages``, with the warnings. ``provider_settings`` go to the provider's
    constructor (``api="responses"`` for Azure's Responses API…); no key is needed."""
    work = convert_async(
        messages,
        to,
        foreign_reasoning=foreign_reasoning,
        provider_options=provider_options,
        **provider_settings,
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(1) as pool:  # called from async code: its own loop, elsewhere
        return pool.submit(asyncio.run, work).result()


async def convert_async(
    messages: Sequence[Message],
    to: str,
    *,
    foreign_reasoning: Literal["drop", "text"] | None = None,
    provider_options: Metadata | None = None,
    **provider_settings: Any,
) -> Conversion:
    """:func:`convert` for async code."""
    import httpx2

    from reverie.model import Call, Settings
    from reverie.providers.recorded import wire_family
    from reverie.providers.registry import PROVIDERS

    name, _, model_id = to.partition(":")
    spec = PROVIDERS.get(name)
    if spec is None or name not in DEFAULT_MODELS:
        known = ", ".join(sorted(DEFAULT_MODELS))
        raise ConfigurationError(f"convert: to must name one of: {known} (not {name!r})")
    model_id = model_id or DEFAULT_MODELS[name]
    sent: list[tuple[str, dict[str, Any]]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        family = wire_family(str(request.url)) or "openai-chat"
        sent.append((family, json.loads(request.content)))
        return httpx2.Response(200, json=_EMPTY_REPLY[family])

    settings = _placeholders(name, spec.key_env, provider_settings)
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as client:
        provider = spec.load()(client=client, **settings)
        model = provider.model(model_id)
        call = Call(
            prompt=list(messages),
            settings=Settings(foreign_reasoning=foreign_reasoning),
            provider_options=dict(provider_options or {}),
        )
        response = await model.generate(call)
    family, body = sent[0]
    wire_key = {"google": "contents", "openai-responses": "input"}.get(family, "messages")
    system = body.get("system") if family == "anthropic" else body.get("systemInstruction")
    return Conversion(
        to=f"{name}:{model_id}",
        messages=list(body.get(wire_key) or []),
        system=system,
        body=body,
        warnings=list(response.warnings),
    )


def _placeholders(name: str, key_env: Sequence[str], given: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's settings, with stand-ins for what only a real call needs (a key, a
    project, a resource): nothing leaves the process."""
    settings = dict(given)
    if name == "vertex":
        settings.setdefault("project", "convert")
        settings.setdefault("location", "us-central1")
        settings.setdefault("skip_auth", True)
    elif key_env:
        settings.setdefault("api_key", "convert")
    if name == "azure":
        settings.setdefault("base_url", "convert")
    if name == "openai-compat":
        settings.setdefault("base_url", "http://localhost/v1")
    if name == "bedrock":
        settings.setdefault("region", "us-east-1")
    return settings
