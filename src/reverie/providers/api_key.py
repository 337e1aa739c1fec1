"""API key lookup shared by the hosted providers."""

from __future__ import annotations

import os
from collections.abc import Sequence

from reverie.errors import ConfigurationError


def find_api_key(explicit: str | None, env_names: Sequence[str], provider: str) -> str:
    """The explicit key, else the first environment variable set; a clear error otherwise."""
    if explicit:
        return explicit
    for name in env_names:
        value = os.environ.get(name)
        if value:
            return value
    names = " or ".join(env_names)
    raise ConfigurationError(f"{provider}: no API key: set {names} or pass api_key=")
