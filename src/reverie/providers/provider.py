"""What every HTTP provider and its models share: the :class:`Provider` protocol, one
constructor resolving key, base URL, the base URL's ``user:password@`` and the HTTP client
from the provider's spec, and the lifetime of both. Providers and models are async context
managers; closing either releases the connections of a client the library created (it is
created again if used later), and a client the user passed in is never closed by us.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, ClassVar, Protocol, Self, TypedDict, Unpack, runtime_checkable

import httpx2

from reverie.errors import ConfigurationError, EmbeddingNotSupported
from reverie.http.auth import api_key_header, bearer, split_userinfo
from reverie.http.client import DEFAULT_MAX_CONCURRENCY, MAX_RESPONSE_BYTES, HttpClient
from reverie.http.timeouts import DEFAULT_IDLE_TIMEOUT, DEFAULT_TOTAL_TIMEOUT
from reverie.model import LanguageModel, ObjectMode
from reverie.providers.secret import Secret, conceal
from reverie.providers.spec import ProviderSpec
from reverie.retry import RetryPolicy

if TYPE_CHECKING:
    from reverie.http.httpx_adapter import AnyAsyncClient
    from reverie.providers.embedding.contract import EmbeddingModel

_KEY_HEADERS = {"api-key": "api-key", "x-api-key": "x-api-key", "x-goog-api-key": "x-goog-api-key"}

DEFAULT_MAX_IN_FLIGHT = DEFAULT_MAX_CONCURRENCY


@runtime_checkable
class Provider(Protocol):
    """What ``reverie.provider(name)`` returns: a named maker of models."""

    @property
    def name(self) -> str: ...

    def model(self, model_id: str) -> LanguageModel: ...

    async def aclose(self) -> None: ...


def make_auth(spec: ProviderSpec, api_key: Secret | None) -> httpx2.Auth | None:
    """The spec's authentication around ``api_key`` (none without a key)."""
    if not api_key or spec.auth == "none":
        return None
    if spec.auth == "bearer":
        return bearer(api_key.checked(spec.name), spec.name)
    header = _KEY_HEADERS.get(spec.auth)
    if header is None:
        raise ValueError(f"{spec.name}: auth {spec.auth!r} takes no API key")
    return api_key_header(api_key.checked(spec.name), spec.name, header)


class HttpSettings(TypedDict, total=False):
    """What every HTTP provider's constructor takes besides its own settings (see
    :class:`~reverie.http.client.HttpClient` for the timeouts; ``max_in_flight`` bounds the
    requests one provider has in flight, default 100, ``None`` for no bound;
    ``max_response_bytes`` the largest plain answer read, decoded, default 64 MiB)."""

    headers: Mapping[str, str] | None
    client: AnyAsyncClient | None
    retry: RetryPolicy | None
    timeout: float | None
    idle_timeout: float | None
    max_in_flight: int | None
    max_response_bytes: int | None


def make_http(
    spec: ProviderSpec,
    *,
    auth: httpx2.Auth | None,
    headers: Mapping[str, str] | None = None,
    client: AnyAsyncClient | None = None,
    retry: RetryPolicy | None = None,
    timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
    max_in_flight: int | None = DEFAULT_MAX_IN_FLIGHT,
    max_response_bytes: int | None = MAX_RESPONSE_BYTES,
) -> HttpClient:
    """An HttpClient for ``spec``. Timeouts and the bound on requests in flight are
    :class:`HttpClient`'s (documented there)."""
    if max_in_flight is not None and (
        isinstance(max_in_flight, bool) or not isinstance(max_in_flight, int) or max_in_flight < 1
    ):
        raise ConfigurationError(
            f"{spec.name}: max_in_flight must be a positive whole number or None"
        )
    return HttpClient(
        spec.name,
        auth=auth,
        headers=headers,
        client=client,
        retry=retry,
        timeout=timeout,
        idle_timeout=idle_timeout,
        max_concurrency=max_in_flight,
        max_response_bytes=max_response_bytes,
    )


class _Both(httpx2.Auth):
    """Two one-step header authentications on every request: a key in its own header and
    the base URL's ``user:password@`` as Basic auth (a proxy in front of the API)."""

    def __init__(self, first: httpx2.Auth, second: httpx2.Auth) -> None:
        self._auths = (first, second)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for auth in self._auths for s in getattr(auth, "secrets", ()))

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        for auth in self._auths:
            request = next(auth.auth_flow(request))
        yield request

    def __repr__(self) -> str:
        return f"_Both({self._auths[0]!r}, {self._auths[1]!r})"


class HttpProvider:
    """Base of the providers that talk HTTP, and their one constructor.

    The key is the given one or the spec's variable's (checked at once, refused when the spec
    requires one and none is found); the base URL the given one, the spec's variable's or its
    default, passed through :meth:`_resolve_root`. A base URL's ``user:password@`` is taken
    out of the URL (so that it reaches no message, log or recording) and sent as Basic auth,
    in every family: alone, or beside a key that travels in a header of its own
    (``x-api-key``, ``api-key``, ``x-goog-api-key``). Where the provider's own credentials
    need the ``Authorization`` header too (a bearer key, SigV4, Google OAuth), they win, as
    httpx2's own rule has it; with ``skip_auth`` (Bedrock, Vertex) the userinfo is sent.

    A subclass sets what its hooks read before calling this constructor, and takes its API
    key as ``str | Secret``, wrapping it with :func:`~reverie.providers.secret.conceal` as
    its first statement.
    """

    spec: ClassVar[ProviderSpec]
    default_headers: ClassVar[Mapping[str, str]] = {}
    """Headers every request carries (a user's ``headers=`` win)."""

    def __init__(
        self,
        *,
        api_key: str | Secret | None = None,
        base_url: str | None = None,
        **http: Unpack[HttpSettings],
    ) -> None:
        api_key = conceal(api_key)
        spec = self.spec
        root, url_auth = split_userinfo(spec.root(base_url), spec.name)
        del base_url  # its user:password@ is in url_auth now, out of this frame's locals
        self.base_url = self._resolve_root(root).rstrip("/")
        auth = self._authentication(spec.api_key(api_key))
        if url_auth is not None and auth is not None and spec.auth in _KEY_HEADERS:
            auth = _Both(auth, url_auth)
        http["headers"] = {**self.default_headers, **(http.get("headers") or {})}
        self.http = make_http(spec, auth=auth if auth is not None else url_auth, **http)

    def _resolve_root(self, root: str) -> str:
        """The API root from the configured one (no ``user:password@`` left in it)."""
        return root

    def _authentication(self, api_key: Secret | None) -> httpx2.Auth | None:
        """How requests authenticate: by default the spec's auth around the key."""
        return make_auth(self.spec, api_key)

    @property
    def name(self) -> str:
        return self.spec.name

    def embedding_model(self, model_id: str) -> EmbeddingModel:
        """This provider's embedding model ``model_id`` (for ``reverie.embed``), with its key
        and client. A provider with an embedding API overrides this; here it has none."""
        raise EmbeddingNotSupported(
            f"{self.spec.name} has no embedding models reverie speaks; use openai, azure, "
            "google, vertex, bedrock, openrouter, vercel, openai-compat or local"
        )

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

    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        http: HttpClient,
        object_mode: ObjectMode = "json_schema",
    ) -> None:
        self._model_id = model_id
        self._provider = provider
        self._object_mode: ObjectMode = object_mode
        self.http = http

    @property
    def provider(self) -> str:
        return self._provider

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def object_mode(self) -> ObjectMode:
        """How ``reverie.generate_object`` asks this model for an object by default (its
        provider spec's ``object_mode``, given by the provider that made it)."""
        return self._object_mode

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}({self._provider}:{self._model_id})"

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
