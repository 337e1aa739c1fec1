"""Checked reading of embedding answers: a malformed field is a ProviderError naming it."""

from __future__ import annotations

import math
from typing import Any

from reverie.errors import ProviderError


def bad(provider: str, where: str, what: str) -> ProviderError:
    return ProviderError(
        f"{provider}: malformed embedding answer: {where} {what}", provider=provider
    )


def get(data: Any, key: str, where: str, provider: str) -> Any:
    if not isinstance(data, dict):
        raise bad(provider, where, "is not an object")
    if key not in data:
        raise bad(provider, f"{where}.{key}", "is missing")
    return data[key]


def as_list(value: Any, where: str, provider: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad(provider, where, "is not a list")
    return value


def vector(value: Any, where: str, provider: str) -> list[float]:
    """A list of finite numbers, as floats."""
    items = as_list(value, where, provider)
    out = []
    for number in items:
        if (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
        ):
            raise bad(provider, where, "holds a value that is not a finite number")
        out.append(float(number))
    if not out:
        raise bad(provider, where, "is empty")
    return out


def count(data: Any, key: str, where: str, provider: str) -> int:
    """A token count that may be absent (0) but never malformed."""
    if not isinstance(data, dict) or data.get(key) is None:
        return 0
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad(provider, f"{where}.{key}", "is not a token count")
    return value


def extra(options: Any, namespace: str) -> dict[str, Any]:
    """The request fields a call's provider options give this provider."""
    value = options.provider_options.get(namespace, {})
    if not isinstance(value, dict):
        from reverie.errors import ConfigurationError

        raise ConfigurationError(f"provider_options[{namespace!r}] must be a dict")
    return dict(value)
