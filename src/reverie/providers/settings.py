"""The keyword settings of each built-in provider's constructor, as TypedDicts, so that
``reverie.provider("anthropic", api_kye=...)`` is a type error and each name's settings are
typed (``tests/providers/test_registry.py`` keeps them equal to the constructors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

from reverie.providers.provider import HttpSettings

if TYPE_CHECKING:
    from reverie.providers.google.ids import ToolCallIds
    from reverie.providers.local.model import AutoToolChoice
    from reverie.providers.local.prompt_cache import PromptCacheSetting
    from reverie.providers.secret import Secret


class KeySettings(HttpSettings, total=False):
    """An API key and a base URL, besides the HTTP settings (Anthropic, OpenRouter, Vercel,
    OpenAI-compatible servers)."""

    api_key: str | Secret | None
    base_url: str | None


class CompatSettings(KeySettings, total=False):
    assistant_tool_call_content: Literal["omit", "null", "empty"]


class OpenAISettings(KeySettings, total=False):
    organization: str | None
    project: str | None
    api: Literal["chat", "responses"] | None


class AzureSettings(KeySettings, total=False):
    resource_name: str | None
    api_version: str | None
    api: Literal["chat", "responses"] | None


class BedrockSettings(KeySettings, total=False):
    region: str | None
    profile: str | None
    skip_auth: bool


class GoogleSettings(KeySettings, total=False):
    tool_call_ids: ToolCallIds | None


class VertexSettings(HttpSettings, total=False):
    project: str | None
    location: str | None
    credentials: Any
    skip_auth: bool
    base_url: str | None
    tool_call_ids: ToolCallIds | None


class LocalSettings(TypedDict, total=False):
    model_path: str | None
    n_threads: int | None
    n_ctx: int
    seed: int
    verbose: bool
    auto_tool_choice: AutoToolChoice | None
    prompt_cache: PromptCacheSetting
    bounded_json: bool | None
