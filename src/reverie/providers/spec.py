"""What a provider *is*, apart from the wire it speaks: its name, where its key and base URL
come from, how it authenticates, its options namespace and which wire family it uses.

The registry, the CLI and the conformance runner read specs; nothing keeps a second list of
key variables or base URLs. Specs are plain data and import nothing heavy, so listing the
providers (``reverie models``) loads no provider code.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from reverie.errors import ConfigurationError
from reverie.model import ObjectMode

Auth = Literal["bearer", "api-key", "x-api-key", "x-goog-api-key", "sigv4", "google", "none"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec:
    name: str
    """The prefix of ``"name:model"`` strings."""
    target: str
    """``"module:Class"``: the provider class, taking keyword settings, with ``.model(id)``."""
    family: str
    """The wire family: ``openai-chat``, ``openai-responses``, ``anthropic``, ``google``…"""
    description: str
    key_env: tuple[str, ...] = ()
    """Environment variables that may hold the API key, in the order they are tried."""
    key_required: bool = True
    base_url: str | None = None
    """The default API root; ``None`` when the user must give one."""
    base_url_env: str | None = None
    """An environment variable that may hold the base URL."""
    auth: Auth = "bearer"
    namespace: str = ""
    """The provider-options namespace it reads; the provider's name when empty."""
    object_mode: ObjectMode = "json_schema"
    """How ``reverie.generate_object`` asks its models for an object by default: native
    JSON-schema output, or ``"tool"`` (one forced tool) where there is none or it is
    unreliable."""

    @property
    def options_namespace(self) -> str:
        return self.namespace or self.name

    def load(self) -> Callable[..., Any]:
        module, _, attr = self.target.partition(":")
        factory: Callable[..., Any] = getattr(importlib.import_module(module), attr)
        return factory

    def has_key(self) -> bool:
        """Whether the environment holds what this provider needs to be used."""
        if self.key_required and not any(os.environ.get(n) for n in self.key_env):
            return False
        return self.base_url is not None or bool(
            self.base_url_env and os.environ.get(self.base_url_env)
        )

    def api_key(self, explicit: str | None) -> str | None:
        """The explicit key, else the first variable set; a clear error when one is required."""
        if explicit:
            return explicit
        for name in self.key_env:
            value = os.environ.get(name)
            if value:
                return value
        if not self.key_required:
            return None
        names = " or ".join(self.key_env)
        raise ConfigurationError(f"{self.name}: no API key: set {names} or pass api_key=")

    def root(self, explicit: str | None) -> str:
        """The explicit base URL, else the variable's, else the default."""
        if explicit:
            return explicit
        if self.base_url_env:
            value = os.environ.get(self.base_url_env)
            if value:
                return value
        if self.base_url is not None:
            return self.base_url
        where = f"set {self.base_url_env} or " if self.base_url_env else ""
        raise ConfigurationError(f"{self.name}: no base URL: {where}pass base_url=")
