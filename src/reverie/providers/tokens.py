"""Reading token counts out of a provider's usage object, for every family's usage mapping."""

from __future__ import annotations

from typing import Any

from reverie.errors import ProviderError


def token_count(raw: dict[str, Any], key: str, provider: str, where: str = "usage") -> int:
    """A token count from a provider's usage object; a number sent as a string is read,
    anything else is a ProviderError naming the field. Every family's usage mapping uses it."""
    value = raw.get(key)
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, bool):
        try:
            return int(float(value))
        except (TypeError, ValueError, OverflowError):  # OverflowError: Infinity
            pass

    raise ProviderError(
        f"{provider}: '{where}.{key}' is not a number: {value!r:.100}", provider=provider
    )
