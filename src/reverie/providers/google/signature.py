"""Where a thought signature lives in our data: ``{"google": {"thought_signature": …}}`` on
the content item (text, reasoning or tool call) whose wire part carried it, so it is sent
back on the same kind of part next turn."""

from __future__ import annotations

from typing import Any

from reverie.messages import Metadata
from reverie.providers.portable import stamp_host

NAMESPACE = "google"
KEY = "thought_signature"


def signature_metadata(part: dict[str, Any], host: str = NAMESPACE) -> Metadata:
    """The metadata for a wire part: its signature (and the host that made it, when not the
    Gemini API: a signature is valid only where it was made), or nothing."""
    signature = part.get("thoughtSignature")
    if isinstance(signature, str) and signature:
        return stamp_host({NAMESPACE: {KEY: signature}}, NAMESPACE, host)
    return {}


def signature_of(options: Metadata) -> str | None:
    """The signature kept in a message part's provider options, if any."""
    value = (options.get(NAMESPACE) or {}).get(KEY)
    return value if isinstance(value, str) and value else None
