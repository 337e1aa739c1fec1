"""Request validators, one per target, written from each provider's documented rules (not
from our code): what the provider would refuse with a 400. Each ``check_*`` returns the list
of broken rules (empty: the provider accepts the request)."""

from __future__ import annotations

from typing import Any

from validators.anthropic import check_anthropic
from validators.chat import check_chat
from validators.gemini import check_gemini
from validators.metadata import check_no_foreign_metadata, check_own_metadata_sent
from validators.responses import check_responses

FAMILY = {
    "openai": "openai-chat",
    "azure": "openai-chat",
    "openrouter": "openai-chat",
    "vercel": "openai-chat",
    "openai-compat": "openai-chat",
    "openai-responses": "openai-responses",
    "azure-responses": "openai-responses",
    "anthropic": "anthropic",
    "bedrock": "anthropic",
    "vertex-claude": "anthropic",
    "google": "google",
    "vertex-gemini": "google",
}
"""Target (a host, and for hosts with two APIs, which) → its wire family."""


def check(target: str, body: dict[str, Any], history: list[Any]) -> list[str]:
    """Every documented rule ``body`` breaks for ``target``, ``history`` being what it was
    made from (to tell foreign metadata)."""
    family = FAMILY[target]
    if family == "anthropic":
        host = "vertex" if target == "vertex-claude" else target
        problems = check_anthropic(body, host=host)
    elif family == "google":
        problems = check_gemini(body, vertex=target == "vertex-gemini")
    elif family == "openai-responses":
        problems = check_responses(body)
    else:
        problems = check_chat(body, target)
    return (
        problems
        + check_no_foreign_metadata(target, body, history)
        + check_own_metadata_sent(target, body, history)
    )
