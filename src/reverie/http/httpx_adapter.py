"""An ``httpx`` client or transport under reverie's HTTP stack, which is ``httpx2``.

reverie sends through an ``httpx2.AsyncClient``. A ``client=`` that is an
``httpx.AsyncClient`` (the original package) is still accepted: :func:`as_httpx2` puts it
under a thin ``httpx2`` client whose transport, :class:`HttpxTransport`, hands each request
to it and turns its answer back into an ``httpx2`` response, streamed, chunk by chunk. The
client keeps doing what it was set up to do (its default headers, event hooks, redirects,
its transport and so its proxies and mounts); our timeouts and authentication apply as they
do with an ``httpx2`` client (its own ``auth=`` only when we have none). It is the slower
path: the thin client's own work is added to httpx's, which is itself higher than httpx2's
(about 1.5x the CPU per request of an httpx2 client; docs/architecture.md, "httpx or
httpx2").

Nothing here imports ``httpx``: a client or transport of it means the package is loaded
already, and it is found in ``sys.modules``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeAlias

import httpx2

from reverie.errors import ConfigurationError
from reverie.http.auth import credential_fields

if TYPE_CHECKING:
    import httpx

    AnyAsyncClient: TypeAlias = httpx2.AsyncClient | httpx.AsyncClient
    """What ``client=`` takes: an ``httpx2.AsyncClient``, or an ``httpx.AsyncClient``."""

__all__ = ["HttpxTransport", "as_httpx2", "httpx_module", "to_httpx2_error"]

# What the outer client would add by itself; the httpx client adds its own instead.
_OUTER_DEFAULTS = ("Accept", "Accept-Encoding", "Connection", "User-Agent")
# A body handed on decoded no longer has the encoding, nor the length, it came with.
_ENCODED_FRAMING = frozenset({b"content-encoding", b"content-length"})


def httpx_module(value: object) -> ModuleType | None:
    """The ``httpx`` package when ``value`` is one of its objects or classes (a subclass of
    one of its classes included, a user's transport say), else ``None``; never imports it.
    httpx2's classes are not httpx's: their module is ``httpx2``."""
    httpx = sys.modules.get("httpx")
    if httpx is None:
        return None
    kind = value if isinstance(value, type) else type(value)
    if any(c.__module__.split(".")[0] == "httpx" for c in kind.__mro__):
        return httpx
    return None


def as_httpx2(client: Any, *, client_auth: bool = True) -> Any:
    """``client`` as an ``httpx2.AsyncClient``: itself when it is one; an
    ``httpx.AsyncClient`` under a thin ``httpx2`` client (:class:`HttpxTransport`). With
    ``client_auth`` false the httpx client's own ``auth=`` is not applied (reverie
    authenticates the request itself, and wins, as it does with an ``httpx2`` client).
    Another object is returned as it is (a stand-in a test made); a synchronous client is
    refused: reverie's core is async, its sync facade drives it."""
    if client is None or isinstance(client, httpx2.AsyncClient):
        return client
    if isinstance(client, httpx2.Client):
        raise ConfigurationError(
            "client must be an httpx2.AsyncClient (or an httpx.AsyncClient), not a "
            "synchronous httpx2.Client: the sync API runs the async client for you"
        )
    httpx = httpx_module(client)
    if httpx is None:
        return client
    if isinstance(client, httpx.Client):
        raise ConfigurationError(
            "client must be an httpx2.AsyncClient (or an httpx.AsyncClient), not a "
            "synchronous httpx.Client: the sync API runs the async client for you"
        )
    if not isinstance(client, httpx.AsyncClient):
        return client
    outer = httpx2.AsyncClient(
        transport=HttpxTransport(client, client_auth=client_auth), trust_env=False
    )
    for name in _OUTER_DEFAULTS:
        del outer.headers[name]
    return outer


class HttpxTransport(httpx2.AsyncBaseTransport):
    """An ``httpx2`` transport that sends through an ``httpx.AsyncClient`` (its settings and
    transport apply; see :func:`as_httpx2`) or an httpx transport (``httpx.MockTransport``,
    ``httpx.AsyncHTTPTransport``, one of your own). Answers come back as ``httpx2``
    responses streamed from the httpx one, decoded; httpx's errors as the ``httpx2`` error
    of the same name (a ``TransportError`` when there is none). Closing it closes neither:
    they belong to whoever made them."""

    def __init__(self, target: Any, *, client_auth: bool = True) -> None:
        httpx = httpx_module(target)
        if httpx is None:
            raise TypeError(f"not an httpx client or transport: {type(target).__name__}")
        self._httpx = httpx
        self._target = target
        self._is_client = isinstance(target, httpx.AsyncClient)
        self._client_auth = client_auth

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        httpx = self._httpx
        content = await request.aread()
        headers = request.headers.raw
        try:
            if self._is_client:
                sent = self._target.build_request(
                    request.method,
                    str(request.url),
                    content=content,
                    headers=headers,
                    extensions=request.extensions,  # our timeouts, as httpx2 had them
                )
                auth = httpx.USE_CLIENT_DEFAULT if self._client_auth else None
                try:
                    response = await self._target.send(sent, stream=True, auth=auth)
                finally:  # its hooks and auth change ``sent`` in place, failing or not
                    report_credentials(request, sent)
                if response.request is not sent:  # a redirect's, or an auth flow's own
                    report_credentials(request, response.request)
            else:
                sent = httpx.Request(
                    request.method,
                    str(request.url),
                    content=content,
                    headers=headers,
                    extensions=request.extensions,
                )
                response = await self._target.handle_async_request(sent)
        except httpx.HTTPError as exc:
            raise to_httpx2_error(exc, request) from exc
        return to_httpx2_response(response, request)

    async def aclose(self) -> None:
        return None  # the httpx client or transport is its owner's to close

    def __repr__(self) -> str:
        return f"HttpxTransport({type(self._target).__name__})"


def report_credentials(request: httpx2.Request, sent: Any) -> None:
    """What the httpx client added to ``request`` by itself (its default headers, event
    hooks and ``auth=``; its ``params=``), as ``sent``, the httpx request it sent, shows:
    the credential headers ``request`` lacks are added to it, and the URL's query that
    differs replaces its own. reverie reads ``request`` for the credentials no error or
    answer may repeat: a server echoing a key the client added is redacted as one reverie
    added is. Only credential headers are compared (a few per request)."""
    extra = credential_fields(sent.headers.raw)
    if extra:
        have = set(credential_fields(request.headers.raw))
        missing = [item for item in extra if item not in have]
        if missing:
            request.headers = httpx2.Headers([*request.headers.raw, *missing])
    query = sent.url.query
    if query != request.url.query:
        request.url = request.url.copy_with(query=query)


def to_httpx2_response(response: Any, request: httpx2.Request) -> httpx2.Response:
    """An ``httpx2`` response streaming the body of ``response``, an httpx one (decoded:
    its encoding and length headers are left out when it had an encoding)."""
    encoded = response.headers.get("content-encoding", "identity").strip().lower()
    raw = response.headers.raw
    if encoded not in ("", "identity"):
        raw = [(k, v) for k, v in raw if k.lower() not in _ENCODED_FRAMING]
    extensions = {
        k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")
    }
    return httpx2.Response(
        response.status_code,
        headers=raw,
        stream=HttpxBody(response, request),
        request=request,
        extensions=extensions,
    )


class HttpxBody(httpx2.AsyncByteStream):
    """The decoded body of an httpx response, as an ``httpx2`` byte stream; its errors as
    ``httpx2``'s."""

    def __init__(self, response: Any, request: httpx2.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        response = self._response
        httpx = sys.modules["httpx"]
        try:
            async for chunk in response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as exc:
            raise to_httpx2_error(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


def to_httpx2_error(exc: Exception, request: httpx2.Request | None = None) -> httpx2.HTTPError:
    """The ``httpx2`` error for an httpx one: the class of the same name (``ReadTimeout``
    stays a ``ReadTimeout``, so the same failures are retried), found up its class tree
    (a subclass of httpx's ``TransportError`` of someone's becomes an ``httpx2`` one);
    same message."""
    for kind in type(exc).__mro__:
        target = getattr(httpx2, kind.__name__, None)
        if isinstance(target, type) and issubclass(target, httpx2.RequestError):
            return target(str(exc), request=request)
    return httpx2.TransportError(str(exc), request=request)
