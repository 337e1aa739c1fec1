"""One provider's HTTP: a POST to a per-call URL, with authentication, retries and the
lifetime of the ``httpx.AsyncClient`` it sends through.

Every wire family sends through :class:`HttpClient`: ``post_json`` for a plain answer,
``stream`` for a streamed one (the family gives the framing and its own parser). The retry
owner lives here, once: passing failures are retried before anything reached the caller.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import httpx

from reverie.errors import ProviderError, StreamError
from reverie.http.retry import RetryPolicy, is_transient
from reverie.http.sse import ServerSentEvent, iter_sse
from reverie.model import ErrorPart, StreamPart

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)

_RETRYABLE = {408, 409, 429, 500, 502, 503, 504, 529}

E = TypeVar("E")
E_contra = TypeVar("E_contra", contravariant=True)


def default_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=DEFAULT_TIMEOUT)


class WireStream(Protocol[E_contra]):
    """A family's stream parser: events in, framed parts out.

    ``feed`` raises :class:`StreamError` for an in-band error event. ``done`` turns true on
    the family's terminal signal (``[DONE]``, ``message_stop``, ``response.completed``…);
    a stream whose body ends before it is a ``StreamError``. ``finish`` gives the closing
    parts, ending with the ``Finish`` part.
    """

    @property
    def done(self) -> bool: ...

    @property
    def terminal(self) -> str:
        """The terminal signal's name, for the error when it never came."""
        ...

    def feed(self, event: E_contra) -> list[StreamPart]: ...

    def finish(self) -> list[StreamPart]: ...


Framing = Callable[[httpx.Response], AsyncIterator[E]]
"""Bytes of a streamed body → the family's events (SSE; the AWS event stream for Bedrock)."""


def sse(response: httpx.Response) -> AsyncIterator[ServerSentEvent]:
    return iter_sse(response.aiter_lines())


def status_error(
    provider: str, status: int, body: str, headers: httpx.Headers | None = None
) -> ProviderError:
    """An error for a non-2xx answer. Only the response body is quoted, never the request,
    so credentials cannot leak into the message."""
    from reverie.http.retry import retry_after

    detail = error_message(body) or body[:500]
    return ProviderError(
        f"{provider}: HTTP {status}: {detail}",
        provider=provider,
        status=status,
        body=body,
        retryable=status in _RETRYABLE,
        retry_after=retry_after(headers) if headers is not None else None,
    )


def error_message(body: str | Any) -> str | None:
    """The human message of an error body (``{"error": {"message": …}}`` and its kin)."""
    value = body
    if isinstance(body, str):
        try:
            value = json.loads(body)
        except ValueError:
            return None
    if isinstance(value, list) and value:  # Google sometimes wraps the error in a list
        value = value[0]
    if isinstance(value, dict):
        err = value.get("error", value)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(err, str):
            return err
    return None


class HttpClient:
    """The HTTP side of one provider: auth, fixed headers, retries, client lifetime.

    A client passed in is used as it is and never closed by us; one we create is closed by
    :meth:`aclose` (or ``async with``).
    """

    def __init__(
        self,
        provider: str,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.provider = provider
        self.retry = retry or RetryPolicy()
        self._auth = auth
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self._headers.update(headers or {})
        self._client = client
        self._owned: tuple[asyncio.AbstractEventLoop, httpx.AsyncClient] | None = None

    def __repr__(self) -> str:  # never show credentials
        return f"HttpClient({self.provider})"

    # ---- lifetime -------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is not None:
            return self._client
        # An httpx client is bound to the event loop it first ran on; a new loop (a second
        # asyncio.run) gets a new client.
        loop = asyncio.get_running_loop()
        if self._owned is None or self._owned[0] is not loop:
            self._owned = (loop, default_client())
        return self._owned[1]

    async def aclose(self) -> None:
        """Closes the client we created; a client passed in stays open (it is the caller's)."""
        owned, self._owned = self._owned, None
        if owned is not None:
            await owned[1].aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ---- requests -------------------------------------------------------------------------

    async def _send(
        self, url: str, content: bytes, headers: Mapping[str, str] | None, stream: bool
    ) -> httpx.Response:
        """One attempt; every failure comes out as a ProviderError marked retryable or not."""
        http = self._http()
        merged = {**self._headers, **headers} if headers else self._headers
        auth = self._auth if self._auth is not None else httpx.USE_CLIENT_DEFAULT
        try:
            request = http.build_request("POST", url, content=content, headers=merged)
            response = await http.send(request, stream=stream, auth=auth)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, url) from None
        if response.status_code < 400:
            return response
        await response.aread()
        await response.aclose()
        raise status_error(self.provider, response.status_code, response.text, response.headers)

    async def post(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """POST ``body`` as JSON, retrying passing failures; an error status raises
        ``ProviderError``, a transport failure a ``ProviderError`` saying what failed."""
        content = dump_json(body)
        attempt = 0
        while True:
            try:
                return await self._send(url, content, headers, stream)
            except ProviderError as exc:
                if not self.retry.should_retry(exc, attempt):
                    raise
                await self.retry.wait(exc, attempt)
                attempt += 1

    async def post_json(
        self, url: str, body: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
    ) -> Any:
        """POST and decode the JSON answer; an answer that is not JSON is a ProviderError."""
        response = await self.post(url, body, headers=headers)
        text = response.text
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ProviderError(
                f"{self.provider}: response is not JSON: {text[:200]!r}", provider=self.provider
            ) from exc

    async def stream(
        self,
        url: str,
        body: Mapping[str, Any],
        parser: Callable[[], WireStream[E]],
        *,
        framing: Framing[E],
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[StreamPart]:
        """POST and yield the parser's parts, ending with exactly one Finish or ErrorPart.

        Until a part has reached the caller, a retryable failure (an error status, a dropped
        connection, a transient in-band error, a body cut before its terminal signal) starts
        the request again; after that it ends the stream with an ``ErrorPart``.
        """
        content = dump_json(body)
        attempt = 0
        while True:
            yielded = False
            try:
                response = await self._send(url, content, headers, True)
                run = _Run(self.provider, response, parser(), framing)
                async with _closing(response):
                    async for part in run.parts():
                        yielded = True
                        yield part
                return
            except ProviderError as exc:
                if yielded or not self.retry.should_retry(exc, attempt):
                    yield ErrorPart(exc)
                    return
                await self.retry.wait(exc, attempt)
                attempt += 1

    def _transport_error(self, exc: httpx.HTTPError, url: str) -> ProviderError:
        where = _safe_url(url)
        if isinstance(exc, httpx.ConnectError):
            problem = f"cannot reach {where}"
        elif isinstance(exc, httpx.TimeoutException):
            problem = f"request to {where} timed out ({type(exc).__name__})"
        else:
            problem = f"request to {where} failed"
        detail = str(exc) or type(exc).__name__
        return ProviderError(
            f"{self.provider}: {problem}: {detail}",
            provider=self.provider,
            retryable=is_transient(exc),
        )


class _closing:
    """Closes a streamed response however the consumer leaves (break, error, cancel)."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        await self._response.aclose()


class _Run(Generic[E]):
    """One streamed response read through the family's framing and parser."""

    def __init__(
        self,
        provider: str,
        response: httpx.Response,
        parser: WireStream[E],
        framing: Framing[E],
    ) -> None:
        self.provider = provider
        self.response = response
        self.parser = parser
        self.framing = framing

    async def parts(self) -> AsyncIterator[StreamPart]:
        """The parts; any failure is raised as a StreamError (retried by the caller if no
        part has been yielded yet)."""
        parser = self.parser
        try:
            async for event in self.framing(self.response):
                for part in parser.feed(event):
                    yield part
                if parser.done:
                    break
        except httpx.HTTPError as exc:
            raise StreamError(
                f"{self.provider}: the stream broke off: {str(exc) or type(exc).__name__}",
                provider=self.provider,
                retryable=True,
            ) from None
        except ProviderError:
            raise
        except Exception as exc:  # a parser meeting a shape it does not know: say so, typed
            raise StreamError(
                f"{self.provider}: unreadable stream event ({type(exc).__name__}: {exc})",
                provider=self.provider,
            ) from exc
        if not parser.done:
            raise StreamError(
                f"{self.provider}: the stream ended before {parser.terminal}",
                provider=self.provider,
                retryable=True,
            )
        for part in parser.finish():
            yield part


def _safe_url(url: str) -> str:
    """The URL without userinfo (a key in ``https://key@host`` must not reach a message)."""
    parsed = httpx.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return str(parsed)


def dump_json(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
