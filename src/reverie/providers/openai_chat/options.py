"""The provider options each chat-completions provider reads, as typed dictionaries.

These are the one list of known fields: each dialect sends the keys of its TypedDict and
warns about any other key. Build them to have mypy check your options::

    from reverie.providers.openrouter import OpenRouterOptions

    options: OpenRouterOptions = {"reasoning": {"effort": "high"}, "models": ["a/b", "c/d"]}
    agent = Agent("openrouter:openai/gpt-5", provider_options={"openrouter": dict(options)})

(``dict(...)`` because provider options are typed as plain dicts, which a TypedDict is not.)
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh"]


class OpenAIChatOptions(TypedDict, total=False):
    """``provider_options["openai"]`` for OpenAI chat completions; sent as they are."""

    reasoning_effort: ReasoningEffort
    parallel_tool_calls: bool
    user: str
    service_tier: str
    store: bool
    metadata: dict[str, str]
    logit_bias: dict[str, int]
    logprobs: bool
    top_logprobs: int
    prediction: dict[str, Any]
    verbosity: Literal["low", "medium", "high"]
    prompt_cache_key: str
    safety_identifier: str


class GatewayReasoning(TypedDict, total=False):
    """The ``reasoning`` object of OpenRouter and Vercel's gateway; ``effort`` and
    ``max_tokens`` are alternatives."""

    enabled: bool
    effort: ReasoningEffort
    max_tokens: int
    exclude: bool


class OpenRouterOptions(OpenAIChatOptions, total=False):
    """``provider_options["openrouter"]``: OpenAI's fields plus OpenRouter's routing and
    sampling extras, sent as they are."""

    reasoning: GatewayReasoning
    provider: dict[str, Any]
    models: list[str]
    route: str
    transforms: list[str]
    plugins: list[dict[str, Any]]
    top_a: float
    min_p: float
    repetition_penalty: float


class OpenAICompatOptions(OpenAIChatOptions, total=False):
    """``provider_options["openai-compat"]``: OpenAI's fields, plus ``extra_body`` merged into
    the request as it is for server-specific fields."""

    extra_body: dict[str, Any]


class GatewayRouting(TypedDict, total=False):
    """Vercel AI Gateway routing, sent as ``providerOptions.gateway``."""

    order: list[str]
    """Upstream providers to try, in this order (``["vertex", "anthropic"]``)."""
    only: list[str]
    """Upstream providers allowed."""
    models: list[str]
    """Fallback models, tried in order when the requested one fails."""
    byok: dict[str, list[dict[str, Any]]]
    """Your own upstream credentials, per provider (``{"anthropic": [{"apiKey": ...}]}``)."""
    user: str
    tags: list[str]


class VercelOptions(TypedDict, total=False):
    """``provider_options["vercel"]``: ``reasoning`` is sent as the top-level ``reasoning``
    object, ``gateway`` as ``providerOptions.gateway``, the rest as they are."""

    reasoning: GatewayReasoning
    gateway: GatewayRouting
    parallel_tool_calls: bool
    user: str
    logit_bias: dict[str, int]
    logprobs: bool
    top_logprobs: int


def option_fields(options: type[Any]) -> tuple[str, ...]:
    """The keys of an options TypedDict, in declaration order (inherited ones first)."""
    return tuple(options.__annotations__)
