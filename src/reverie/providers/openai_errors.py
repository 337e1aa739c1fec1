"""OpenAI's error vocabulary, shared by both OpenAI families (chat completions and
Responses) and the gateways and servers that speak chat completions (Azure, OpenRouter,
Vercel, OpenAI-compatible servers such as vLLM and llama.cpp's).

Documented shapes: ``{"error": {"message", "type", "code", "param"}}``; a prompt too long is
``context_length_exceeded`` ("This model's maximum context length is N tokens. However, your
messages resulted in M tokens…"); 429 is ``rate_limit_exceeded`` or, when waiting will not
help, ``insufficient_quota`` (and its billing codes); 401 ``invalid_api_key``; 503
``server_is_overloaded``/``slow_down``. OpenRouter sends ``{"error": {"code": <status>,
"message"}}`` (402: no credits left); llama.cpp's server ``exceed_context_size_error`` with
``n_prompt_tokens`` and ``n_ctx``.
"""

from __future__ import annotations

from reverie.providers.classify import ALL_COUNTS

OVERFLOW_CODES = frozenset({"context_length_exceeded", "exceed_context_size_error"})
OVERFLOW_WORDS = (
    "maximum context length",
    "context_length_exceeded",
    "context length",
    "context window",
    "exceeds the available context size",
    "prompt is too long",
    "input is too long",
    "exceeds the maximum number of tokens",
    "exceed the configured limit",
    "exceed context limit",
)
OVERFLOW_COUNTS = ALL_COUNTS
AUTH_CODES = frozenset(
    {"invalid_api_key", "invalid_authentication", "authentication_error", "unauthorized"}
)
RATE_LIMIT_CODES = frozenset({"rate_limit_exceeded", "rate_limit_error", "tokens", "requests"})
QUOTA_CODES = frozenset(
    {
        "insufficient_quota",
        "billing_hard_limit_reached",
        "credit_balance_exhausted",
        "organization_spend_limit_exceeded",
        "project_spend_limit_exceeded",
        "organization_usage_limit_exceeded",
    }
)
OVERLOADED_CODES = frozenset(
    {"server_is_overloaded", "server_overloaded", "overloaded", "overloaded_error", "slow_down"}
)
