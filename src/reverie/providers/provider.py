"""What every HTTP provider and its models share: the provider's spec and HTTP client, and
their lifetime. Providers and models are async context managers; closing either releases
the connections of a client the library created (it is created again if used later), and a
client the user passed in is never closed by us.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Self, TypedDict

import httpx

from reverie.http.auth import api_key_header, bearer, split_userinfo
from reverie.http.client import DEFAULT_MAX_CONCURRENCY, HttpClient
from reverie.http.timeouts import DEFAULT_IDLE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT
from reverie.model import ObjectMode
from reverie.providers.spec import ProviderSpec
from reverie.retry import RetryPolicy

_KEY_HEADERS = {"api-key": "api-key", "x-api-key": "x-api-key", "x-goog-api-key": "x-goog-api-key"}


def make_auth(spec: ProviderSpec, api_key: str | None) -> httpx.Auth | None:
    """The spec's authentication around ``api_key`` (none without a key)."""
    if not api_key or spec.auth == "none":
        return None
    if spec.auth == "bearer":
        return bearer(api_key, spec.name)
    header = _KEY_HEADERS.get(spec.auth)
    if header is None:
        raise ValueError(f"{spec.name}: auth {spec.auth!r} takes no API key")
    return api_key_header(api_key, spec.name, header)


class HttpSettings(TypedDict, total=False):
    """What every HTTP provider's constructor takes besides its own settings (see
    :class:`~reverie.http.client.HttpClient` for the timeouts and the bound in flight)."""

    headers: Mapping[str, str] | None
    client: httpx.AsyncClient | None
    retry: RetryPolicy | None
    timeout: float | None
    idle_timeout: float | None
    max_concurrency: int | None


def make_http(
    spec: ProviderSpec,
    *,
    api_key: str | None,
    headers: Mapping[str, str] | None = None,
    client: httpx.AsyncClient | None = None,
    retry: RetryPolicy | None = None,
    auth: httpx.Auth | None = None,
    timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
) -> HttpClient:
    """An HttpClient for ``spec``: its auth from the key unless ``auth`` is given. Timeouts
    and the bound on requests in flight are :class:`HttpClient`'s (documented there)."""
    return HttpClient(
        spec.name,
        auth=auth if auth is not None else make_auth(spec, api_key),
        headers=headers,
        client=client,
        retry=retry,
        timeout=timeout,
        idle_timeout=idle_timeout,
        max_concurrency=max_concurrency,
    )


def split_base_url(spec: ProviderSpec, url: str) -> tuple[str, httpx.Auth | None]:
    """The base URL without ``user:password@`` (which must reach no message, log or
    recording), and that part as Basic auth, which httpx would have sent for it."""
    return split_userinfo(url, spec.name)


class HttpProvider:
    """Base of the providers that talk HTTP."""

    spec: ClassVar[ProviderSpec]

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    @property
    def name(self) -> str:
        return self.spec.name

    def __repr__(self) -> str:  # never show credentials
        return f"{type(self).__name__}()"

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class HttpModel:
    """Base of the models that talk HTTP: the ``provider``/``model_id`` pair and lifetime."""

    def __init__(self, model_id: str, *, provider: str, http: HttpClient) -> None:
        self._model_id = model_id
        self._provider = provider
        self.http = http

    @property
    def provider(self) -> str:
        return self._provider

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def object_mode(self) -> ObjectMode:
        """How ``reverie.generate_object`` asks this model for an object by default: its
        provider spec's ``object_mode``."""
        from reverie.providers.registry import PROVIDERS

        spec = PROVIDERS.get(self._provider)
        return spec.object_mode if spec is not None else "json_schema"

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}({self._provider}:{self._model_id})"

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
