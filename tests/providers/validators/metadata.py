"""No replay metadata reaches a target that did not make it (or that the provider does not
document as valid there): a signature, encrypted reasoning or an item id of the history is
looked for in the request body. And the target's own metadata that its family always sends
back (Claude's signatures, Gemini's thought signatures, a gateway's reasoning details) is
there.

What a target may receive, per the providers' docs: Claude's thinking signatures on every
Claude host (Anthropic documents them as valid on the Claude API, Bedrock and Vertex AI);
everything else only on the host that produced it.
"""

from __future__ import annotations

import json
from typing import Any

from reverie.messages import Message

CLAUDE = {"anthropic", "bedrock", "vertex-claude"}
HOST = {  # the value recorded in metadata → the target name used here
    ("google", "google"): "google",
    ("google", "vertex"): "vertex-gemini",
    ("openai", "openai"): "openai-responses",
    ("openai", "azure"): "azure-responses",
    ("anthropic", "anthropic"): "anthropic",
    ("anthropic", "bedrock"): "bedrock",
    ("anthropic", "vertex"): "vertex-claude",
    ("openrouter", "openrouter"): "openrouter",
    ("vercel", "vercel"): "vercel",
}
HOME = {"google": "google", "openai": "openai", "anthropic": "anthropic"}


def _secrets(history: list[Message]) -> list[tuple[str, str, str, str]]:
    """(value, namespace, key, producing target) of every replay value in the history."""
    found: list[tuple[str, str, str, str]] = []
    for message in history:
        for part in message.content:
            for ns, values in part.provider_options.items():
                if not isinstance(values, dict):
                    continue
                host = values.get("host") or HOME.get(ns, ns)
                producer = HOST.get((ns, host), f"{ns}:{host}")
                for key in (
                    "signature",
                    "redacted_data",
                    "thought_signature",
                    "encrypted_content",
                    "item_id",
                    "reasoning_detail",
                    "reasoning_details",
                ):
                    value = values.get(key)
                    # Reasoning details (one, or a gateway's list kept as received): each
                    # entry's signature or encrypted data.
                    entries = value if isinstance(value, list) else [value]
                    for entry in entries:
                        if isinstance(entry, dict):
                            entry = entry.get("signature") or entry.get("data") or ""
                        if isinstance(entry, str) and len(entry) >= 8:
                            found.append((entry, ns, key, producer))
    return found


def allowed(target: str, ns: str, key: str, producer: str) -> bool:
    if producer == target:
        return True
    return (
        ns == "anthropic"
        and key in ("signature", "redacted_data")
        and target in CLAUDE
        and producer in CLAUDE
    )


def check_no_foreign_metadata(
    target: str, body: dict[str, Any], history: list[Message]
) -> list[str]:
    text = json.dumps(body)
    secrets = _secrets(history)
    # A value the target may get under one name (a signature OpenRouter keeps twice) is its.
    own = {v for v, ns, key, producer in secrets if allowed(target, ns, key, producer)}
    problems = []
    for value, ns, key, producer in secrets:
        if value not in own and value in text:
            problems.append(f"{ns}.{key} made by {producer} was sent to {target}")
    return sorted(set(problems))


ALWAYS_SENT = {
    "anthropic": ("signature", "redacted_data"),
    "google": ("thought_signature",),
    "openrouter": ("reasoning_detail",),
    "vercel": ("reasoning_detail", "reasoning_details"),
}
"""Per namespace, what its family replays on every request (Responses replays reasoning
only when asked, so it is not here)."""


def check_own_metadata_sent(target: str, body: dict[str, Any], history: list[Message]) -> list[str]:
    text = json.dumps(body)
    problems = []
    for value, ns, key, producer in _secrets(history):
        sent_always = key in ALWAYS_SENT.get(ns, ())
        if sent_always and allowed(target, ns, key, producer) and value not in text:
            problems.append(f"{ns}.{key} made by {producer} was not sent back to {target}")
    return sorted(set(problems))
