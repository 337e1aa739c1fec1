"""What a provider *is*, apart from the wire it speaks: its name, where its key and base URL
come from, how it authenticates, its options namespace, the hosts it answers on, the paths
(and so the wire families) its requests use, and for a chat-completions gateway its dialect.

Every table is derived from the specs: the registry, ``reverie models``, the conformance
runner's provider kinds and the reader of recorded exchanges (``providers/recorded.py``).
Nothing keeps a second list of key variables, base URLs or host names. Specs are plain data
and import nothing heavy, so listing the providers loads no provider code.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from reverie.errors import ConfigurationError
from reverie.model import ObjectMode
from reverie.providers.secret import Secret, conceal

Auth = Literal["bearer", "api-key", "x-api-key", "x-goog-api-key", "sigv4", "google", "none"]

FAMILY_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "openai-chat": ("/chat/completions",),
    "openai-responses": ("/responses",),
    "anthropic": ("/messages",),
    "google": (":generateContent", ":streamGenerateContent"),
}
"""The path endings a family's requests use on its own API (a spec whose host carries the
family elsewhere lists its ``endpoints``)."""

_CREDENTIALS = {"sigv4": "AWS credentials", "google": "application default credentials"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec:
    name: str
    """The prefix of ``"name:model"`` strings."""
    target: str
    """``"module:Class"``: the provider class, taking keyword settings, with ``.model(id)``."""
    family: str
    """The wire family it speaks first: ``openai-chat``, ``openai-responses``, ``anthropic``,
    ``google``, ``local``."""
    description: str
    key_env: tuple[str, ...] = ()
    """Environment variables that may hold the API key, in the order they are tried."""
    key_required: bool = True
    required_env: tuple[str, ...] = ()
    """Other environment variables it cannot do without when not given as settings."""
    base_url: str | None = None
    """The default API root; ``None`` when the user must give one. ``{region}`` or
    ``{location}`` in it are filled in by the provider."""
    base_url_env: str | None = None
    """An environment variable that may hold the base URL."""
    auth: Auth = "bearer"
    namespace: str = ""
    """The provider-options namespace it reads; the provider's name when empty."""
    object_mode: ObjectMode = "json_schema"
    """How ``reverie.generate_object`` asks its models for an object by default: native
    JSON-schema output, or ``"tool"`` (one forced tool) where there is none or it is
    unreliable."""
    hosts: tuple[str, ...] = ()
    """The hosts its API answers on: a name matches itself and its subdomains, a pattern with
    ``*`` matches as a glob. Empty for a provider that lives wherever the user says."""
    endpoints: tuple[tuple[str, str], ...] = ()
    """(path ending, wire family) of the requests it sends; empty: its family's own paths
    (:data:`FAMILY_ENDPOINTS`)."""
    dialect: str | None = None
    """``"module:Class"`` of its chat-completions dialect (``None``: the plain one)."""
    framing: str | None = None
    """``"module:attr"`` of the framing of its streamed answers when it is not server-sent
    events (Bedrock's AWS event stream)."""

    @property
    def options_namespace(self) -> str:
        return self.namespace or self.name

    @property
    def families(self) -> tuple[str, ...]:
        """Every wire family its requests speak, its own first."""
        found = [self.family]
        for _, family in self.paths:
            if family not in found:
                found.append(family)
        return tuple(found)

    @property
    def paths(self) -> tuple[tuple[str, str], ...]:
        """(path ending, wire family) of its requests."""
        if self.endpoints:
            return self.endpoints
        return tuple((path, self.family) for path in FAMILY_ENDPOINTS.get(self.family, ()))

    def serves(self, host: str) -> bool:
        """Whether ``host`` is one of the hosts its API answers on."""
        host = host.lower().rstrip(".")
        for pattern in self.hosts:
            if "*" in pattern:
                if fnmatchcase(host, pattern):
                    return True
            elif host == pattern or host.endswith("." + pattern):
                return True
        return False

    def load(self) -> Callable[..., Any]:
        """The provider class."""
        factory: Callable[..., Any] = _load(self.target)
        return factory

    def load_dialect(self) -> Any:
        """Its chat-completions dialect class."""
        return _load(self.dialect or "reverie.providers.openai_chat.dialect:ChatDialect")

    def load_framing(self) -> Any:
        """Its stream framing, or ``None`` for server-sent events."""
        return _load(self.framing) if self.framing else None

    def api_key(self, explicit: str | Secret | None) -> Secret | None:
        """The explicit key, else the first variable set; a clear error when one is required.
        The key comes back wrapped, so that no frame of ours holds it bare."""
        given = conceal(explicit)
        if given:
            return given
        for name in self.key_env:
            if os.environ.get(name):
                return Secret(os.environ[name])
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

    def setup_state(self, environ: Mapping[str, str] | None = None) -> str:
        """What the environment gives it to authenticate with, in a few words, never a
        value: the key variable that is set, or what is missing or optional."""
        env = os.environ if environ is None else environ
        said: list[str] = []
        for name in self.required_env:
            said.append(f"{name} {'set' if env.get(name) else 'not set'}")
        found = next((name for name in self.key_env if env.get(name)), None)
        keys = " or ".join(self.key_env)
        credentials = _CREDENTIALS.get(self.auth)
        if found:
            said.append(f"{found} set")
        elif self.key_required and self.key_env:
            said.append(f"{keys} not set")
        elif credentials and self.key_env:
            said.append(f"{credentials} (or a key in {keys})")
        elif credentials:
            said.append(f"needs {credentials}")
        elif self.key_env:
            said.append(f"optional: {keys} not set")
        return "; ".join(said) or "not needed"


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
