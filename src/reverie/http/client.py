"""One provider's HTTP: a POST to a per-call URL, with authentication, retries and the
lifetime of the ``httpx2.AsyncClient`` it sends through.

Every wire family sends through :class:`HttpClient`: ``post_json`` for a plain answer,
``stream`` for a streamed one (the family gives the framing and its own parser). The retry
owner lives here, once: passing failures are retried before anything reached the caller.
Timeouts and the bound on requests in flight live here too, so that every family has them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import html
import json
import math
import re
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx2

from reverie.errors import ConfigurationError, ProviderError, StreamError
from reverie.http.auth import (
    Secrets,
    credential_fields,
    credentials_in,
    encoded_forms,
    fewest,
    hide_secret_params,
    redact,
    strip_userinfo,
    url_credentials,
    with_escaped,
)
from reverie.http.body import dump_json as dump_json
from reverie.http.fastjson import loads
from reverie.http.httpx_adapter import as_httpx2
from reverie.http.reading import (
    Framing as Framing,
    NotAStream,
    WireStream as WireStream,
    describe_transport_error,
    read_stream,
    sse as sse,
)
from reverie.http.redacting import RedactingStream
from reverie.http.retry import is_transient
from reverie.http.timeouts import (
    CONNECT_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Deadline,
    Expired,
)
from reverie.model import ErrorPart, Finish, StreamPart
from reverie.retry import RetryPolicy

if TYPE_CHECKING:
    from reverie.http.httpx_adapter import AnyAsyncClient

#: Requests one HttpClient keeps in flight; more wait their turn in a FIFO queue of ours.
#: httpx2's default pool serves 100 connections, and past its size its own queue costs time
#: that grows with the number waiting (benchmarks/concurrency.py: 1,000 concurrent calls take
#: 2-3x longer without this bound, 3,000 over 2x).
DEFAULT_MAX_CONCURRENCY = 100

DEFAULT_TIMEOUT = httpx2.Timeout(DEFAULT_TOTAL_TIMEOUT, connect=CONNECT_TIMEOUT)

_RETRYABLE = {408, 409, 429, 500, 502, 503, 504, 529}

E = TypeVar("E")


class ErrorHooks(Protocol):
    """A family's reading of errors (its ``ERRORS``), given to every request: ``classify``
    turns any failure into the typed error it is (before the retry owner decides, so a
    retry sees the typed error); ``in_body`` finds the error a 2xx answer holds."""

    def classify(self, error: ProviderError) -> ProviderError: ...

    def in_body(self, body: Any, provider: str) -> ProviderError | None: ...


def default_client(max_connections: int | None = DEFAULT_MAX_CONCURRENCY) -> httpx2.AsyncClient:
    limits = httpx2.Limits(max_connections=max_connections, max_keepalive_connections=20)
    return httpx2.AsyncClient(timeout=DEFAULT_TIMEOUT, limits=limits, verify=ssl_context())


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """httpx2's default TLS settings, built once: loading the CA bundle takes ~100 ms, which
    every new client (a provider, a new event loop) would otherwise pay again."""
    return httpx2.create_ssl_context()


def status_error(
    provider: str, status: int, body: str, headers: httpx2.Headers | None = None
) -> ProviderError:
    """An error for a non-2xx answer. Only the response body is quoted, never the request,
    so credentials cannot leak into the message."""
    from reverie.http.retry import retry_after

    detail = _shortened(error_message(body) or _page_text(body), _MAX_DETAIL)
    return ProviderError(
        f"{provider}: HTTP {status}: {detail}",
        provider=provider,
        status=status,
        body=body[:MAX_ERROR_BODY],
        retryable=status in _RETRYABLE,
        retry_after=retry_after(headers) if headers is not None else None,
        code=error_code(body, headers),
    )


MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""The largest plain (unstreamed) answer read, counted decoded: past it the call fails with
a ``ProviderError``, not retried (a gzip bomb, a server sending without end)."""

MAX_ERROR_BODY = 64 * 1024
"""The most of an error answer's body read and kept (a proxy's page can be megabytes)."""
_MAX_DETAIL = 500  # characters of the provider's message an error's text quotes
_MAX_MESSAGE = 1000  # characters of any error's text
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _page_text(body: str) -> str:
    """What a non-JSON error body says in a line: an HTML page's title (or first heading),
    else its text without tags; plain text as it is, its whitespace collapsed."""
    head = body[:MAX_ERROR_BODY]
    if "<" in head:
        match = _TITLE.search(head)
        if match:
            head = match.group(1) or match.group(2) or ""
        head = html.unescape(_TAGS.sub(" ", head))
    return " ".join(head.split())


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _error_text(response: httpx2.Response) -> str:
    """The start of an error answer's body (:data:`MAX_ERROR_BODY` bytes at most), as text."""
    if not response.is_stream_consumed:
        data = b""
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) >= MAX_ERROR_BODY:
                break
    else:
        data = response.content
    return data[:MAX_ERROR_BODY].decode(response.encoding or "utf-8", "replace")


def error_code(body: str, headers: httpx2.Headers | None = None) -> str | None:
    """The provider's name for an error: AWS's ``x-amzn-ErrorType`` header, else the
    ``code``, ``type`` or ``status`` word of the body's error object."""
    aws = headers.get("x-amzn-errortype") if headers is not None else None
    if aws:
        return aws.split(":", 1)[0].strip() or None
    try:
        value = json.loads(body) if body[:1] in ("{", "[") else None
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, dict):
        return None
    error = value.get("error", value)
    if not isinstance(error, dict):
        return None
    for key in ("code", "type", "status", "__type"):
        word = error.get(key)
        if isinstance(word, str) and word:
            return word.rsplit("#", 1)[-1]
    return None


def error_message(body: str | Any) -> str | None:
    """The human message of an error body (``{"error": {"message": …}}`` and its kin)."""
    value = body
    if isinstance(body, str):
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):
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
    """The HTTP side of one provider: auth, fixed headers, retries, timeouts, the bound on
    requests in flight, and client lifetime.

    ``idle_timeout`` (default :data:`DEFAULT_IDLE_TIMEOUT`, 300 s): a streamed response silent
    that long ends with a retryable ``StreamError``. ``timeout`` (default
    :data:`DEFAULT_TOTAL_TIMEOUT`, 3600 s): the most one attempt may take, body included; past
    it the request ends with a ``ProviderError`` (a ``StreamError`` once streaming), not
    retried. ``None`` turns either off. Both apply to a client passed in as well.

    ``max_concurrency`` (default :data:`DEFAULT_MAX_CONCURRENCY`, 100, the size of the pool of
    the client we create): requests beyond it wait in a FIFO queue before they are sent;
    a stream holds its place until it is closed. ``None`` turns the bound off. With a client
    of your own, set it to that client's ``max_connections``.

    ``max_response_bytes`` (default :data:`MAX_RESPONSE_BYTES`, 64 MiB): the largest plain
    answer read, counted after decoding; past it the call fails with a ``ProviderError``,
    not retried. ``None`` turns it off. (A stream's bound is per event: ``sse.MAX_EVENT_BYTES``.)

    A URL's ``user:password@`` is never sent (httpx2 would log it); providers turn a base
    URL's userinfo into auth with :func:`reverie.providers.provider.split_base_url`. Error
    messages and plain answers never repeat the credentials of ``auth`` (a server echoing
    the key gets it nowhere).

    A client passed in is used as it is and never closed by us (an ``httpx2.AsyncClient``;
    an ``httpx.AsyncClient`` is sent through under a thin ``httpx2`` one, the slower path of
    :mod:`reverie.http.httpx_adapter`); one we create is closed by
    :meth:`aclose` (or ``async with``).
    """

    def __init__(
        self,
        provider: str,
        *,
        auth: httpx2.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        client: AnyAsyncClient | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        max_response_bytes: int | None = MAX_RESPONSE_BYTES,
    ) -> None:
        for name, value in (("timeout", timeout), ("idle_timeout", idle_timeout)):
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (value > 0 and math.isfinite(value))
            ):
                raise ConfigurationError(
                    f"{provider}: {name} must be positive or None, not {value!r}"
                )
        for name, bound in (
            ("max_concurrency", max_concurrency),
            ("max_response_bytes", max_response_bytes),
        ):
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, int) or bound < 1
            ):
                raise ConfigurationError(
                    f"{provider}: {name} must be a positive whole number or None, not {bound!r}"
                )
        self.provider = provider
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        self.max_concurrency = max_concurrency
        self.max_response_bytes = max_response_bytes
        self._auth = auth
        self._known: _Known | None = None  # the last request's credentials (see _secrets)
        self._headers = {"Content-Type": "application/json", "Accept": "application/json"}
        self._headers.update(headers or {})
        # an httpx client goes under a thin httpx2 one (the slower path; httpx_adapter.py)
        self._client: httpx2.AsyncClient | None = as_httpx2(client, client_auth=auth is None)
        self._owned: tuple[asyncio.AbstractEventLoop, httpx2.AsyncClient] | None = None
        self._gates: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self._urls: dict[str, httpx2.URL] = {}  # parsed once: httpx2 parses a str each time
        # Unstreamed answers come whole after the model is done: only the total (our timer,
        # which ends the attempt as not retryable) bounds them.
        self._timeouts = {
            False: httpx2.Timeout(
                connect=CONNECT_TIMEOUT, read=None, write=idle_timeout, pool=None
            ),
            True: httpx2.Timeout(
                connect=CONNECT_TIMEOUT, read=idle_timeout, write=idle_timeout, pool=None
            ),
        }

    def __repr__(self) -> str:  # never show credentials; works half-built (traceback locals)
        return f"HttpClient({getattr(self, 'provider', '')})"

    # ---- lifetime -------------------------------------------------------------------------

    def _http(self) -> httpx2.AsyncClient:
        if self._client is not None:
            return self._client
        # An httpx2 client is bound to the event loop it first ran on; a new loop (a second
        # asyncio.run) gets a new client.
        loop = asyncio.get_running_loop()
        if self._owned is None or self._owned[0] is not loop:
            self._owned = (loop, default_client(self.max_concurrency))
        return self._owned[1]

    def _gate(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """The bound on requests in flight: one semaphore per event loop (like the client)."""
        if self.max_concurrency is None:
            return _NO_GATE
        loop = asyncio.get_running_loop()
        gates = self._gates
        if gates is None or gates[0] is not loop:
            gates = self._gates = (loop, asyncio.Semaphore(self.max_concurrency))
        return gates[1]

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
        self,
        url: str,
        content: bytes,
        headers: Mapping[str, str] | None,
        deadline: Deadline,
        stream: bool = False,
    ) -> httpx2.Response:
        """One attempt, under ``deadline``; every failure comes out as a ProviderError marked
        retryable or not. A streamed response comes back unread with the deadline running
        (``read_stream`` keeps it); a plain one read whole, with the deadline stopped."""
        http = self._http()
        merged = {**self._headers, **headers} if headers else self._headers
        auth = self._auth if self._auth is not None else httpx2.USE_CLIENT_DEFAULT
        request = None
        try:
            request = http.build_request(
                "POST",
                self._url(url),
                content=content,
                headers=merged,
                timeout=self._timeouts[stream],
            )
            if stream:
                response = await deadline.wait(http.send(request, stream=True, auth=auth))
            else:
                response = await deadline.wait(self._fetch(http, request, auth))
        except httpx2.HTTPError as exc:
            deadline.cancel()
            # its message may quote the request's URL, and a key in it
            raise self._scrub(self._transport_error(exc, url), self._secrets(request)) from None
        except Expired:
            raise self._total_timeout(url, ProviderError) from None
        if response.status_code < 400:
            if not stream:  # read whole already: the attempt is over
                deadline.cancel()
            return response
        deadline.cancel()
        secrets = self._secrets(response.request)
        try:  # redacted before it is a local a traceback with locals would print
            text = redact(await _error_text(response), with_escaped(secrets))
        except httpx2.HTTPError as exc:
            raise self._transport_error(exc, url) from None
        finally:
            await response.aclose()
        error = status_error(self.provider, response.status_code, text, response.headers)
        raise self._scrub(error, secrets)

    async def _fetch(
        self, http: httpx2.AsyncClient, request: httpx2.Request, auth: Any
    ) -> httpx2.Response:
        """A plain answer, its body read whole (an error status's is left to
        ``_error_text``), as httpx2's own read would, but counting its decoded bytes: past
        ``max_response_bytes`` a ``ProviderError`` (a gzip bomb decodes no further)."""
        response = await http.send(request, stream=True, auth=auth)
        if response.status_code >= 400:
            return response
        limit = self.max_response_bytes
        held = getattr(response, "_content", None)  # a body given whole (a mock transport's)
        if held is not None:
            if limit is not None and len(held) > limit:
                raise self._too_large(response, limit)
            return response
        parts: list[bytes] = []
        size = 0
        # closing the generator closes the response, as httpx2's own read does
        async with contextlib.aclosing(response.aiter_bytes()) as chunks:
            async for part in chunks:
                size += len(part)
                if limit is not None and size > limit:
                    raise self._too_large(response, limit)
                parts.append(part)
        response._content = parts[0] if len(parts) == 1 else b"".join(parts)
        return response

    def _too_large(self, response: httpx2.Response, limit: int) -> ProviderError:
        return ProviderError(
            f"{self.provider}: the answer is larger than its limit "
            f"({limit:,} bytes decoded; max_response_bytes=)",
            provider=self.provider,
            status=response.status_code,
        )

    def _url(self, url: str) -> httpx2.URL:
        """``url`` parsed, from a small cache: a provider sends to a handful of URLs, and
        parsing one costs ~15 µs of each request."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _MAX_URLS:
                self._urls.clear()
            parsed = self._urls[url] = httpx2.URL(url)
        return parsed

    def _total_timeout(self, url: str, kind: type[ProviderError]) -> ProviderError:
        # Not retried: the caller's budget for the attempt is spent.
        return kind(
            f"{self.provider}: request to {_safe_url(url)} exceeded its total timeout "
            f"({self.timeout:g} s)",
            provider=self.provider,
        )

    def _secrets(self, request: httpx2.Request | None = None) -> tuple[str, ...]:
        """What nothing built from a server's answer may repeat (a server echoing a key):
        the credentials of ``auth`` (keys; the tokens a signer last used) and those that
        ``request`` carried in its headers or its URL's query, whoever put them there. Worked
        out again only when they differ from the last request's (a new key, a signer's new
        signature, a header set per request): otherwise a request costs one pass over its raw
        headers."""
        auth: tuple[str, ...] = getattr(self._auth, "secrets", ())
        headers = request.headers if request is not None else None
        fields = credential_fields(headers.raw) if headers is not None else None
        # ASCII reads the same in every encoding httpx2 may pick for a request's headers
        plain = fields is None or all(value.isascii() for _, value in fields)
        encoding = "" if plain or headers is None else headers.encoding
        url = request.url if request is not None else None
        query = (url.query, url.userinfo) if url is not None and url.query else None
        last = self._known
        if last is not None and last.same(auth, fields, encoding, query):
            return last.secrets
        sent = credentials_in(headers.multi_items()) if headers is not None and fields else set()
        if url is not None and query:  # a key in the URL (a client's params=)
            sent |= url_credentials(url)
        found = fewest((*auth, *sent))
        self._known = _Known(auth, fields, encoding, query, found)
        return found

    def _scrub(self, exc: ProviderError, secrets: tuple[str, ...] | None = None) -> ProviderError:
        """``exc`` without our credentials, should the server have echoed them, and of a
        bounded size (a server can put megabytes in a message)."""
        secrets = with_escaped(self._secrets() if secrets is None else secrets)
        message = str(exc)
        clean = redact(message, secrets) if secrets else message
        if len(clean) > _MAX_MESSAGE:
            clean = _shortened(clean, _MAX_MESSAGE)
        if clean != message:
            exc.args = (clean,)
        if exc.body:
            body = redact(exc.body, secrets) if secrets else exc.body
            exc.body = body[:MAX_ERROR_BODY]
        return exc

    async def post(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        errors: ErrorHooks | None = None,
    ) -> httpx2.Response:
        """POST ``body`` as JSON and read the answer whole, retrying passing failures
        (``retry`` overrides the client's policy for this call); an error status raises
        ``ProviderError`` (typed by ``errors``), a transport failure a ``ProviderError``
        saying what failed."""
        response, _ = await self._post(url, body, headers, retry, errors, decode=False)
        assert isinstance(response, httpx2.Response)
        return response

    async def _post(
        self,
        url: str,
        body: Mapping[str, Any],
        headers: Mapping[str, str] | None,
        retry: RetryPolicy | None,
        errors: ErrorHooks | None,
        *,
        decode: bool,
    ) -> tuple[Any, int]:
        """The answer (decoded, with ``decode``) and the number of attempts it took. An
        error a decoded answer holds is a failure like an error status: retried when it
        says it is passing."""
        policy = retry or self.retry
        url = _strip_userinfo(url)
        content = dump_json(body)
        attempt = 0
        while True:
            try:
                async with self._gate():
                    response = await self._send(url, content, headers, Deadline(self.timeout))
                if not decode:
                    return response, attempt + 1
                data = self._decode(response)
                if errors is not None:
                    error = errors.in_body(data, self.provider)
                    if error is not None:
                        raise error
                return data, attempt + 1
            except ProviderError as exc:
                error = self._scrub(errors.classify(exc) if errors is not None else exc)
                if not policy.should_retry(error, attempt):
                    if error is exc:
                        raise
                    raise error from None
                await policy.wait(error, attempt)
                attempt += 1

    async def post_json(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        errors: ErrorHooks | None = None,
    ) -> Any:
        """POST and decode the JSON answer; an answer that is not JSON is a ProviderError
        saying what came back, and one holding an error (``errors.in_body``) that error."""
        data, _ = await self._post(url, body, headers, retry, errors, decode=True)
        return data

    async def request_json(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        errors: ErrorHooks | None = None,
    ) -> tuple[Any, int]:
        """:meth:`post_json`, and how many attempts the answer took (1 when none failed)."""
        return await self._post(url, body, headers, retry, errors, decode=True)

    def _decode(self, response: httpx2.Response) -> Any:
        # A server echoing our key gets it nowhere: not into a Response, nor an error (nor a
        # local of this frame, which a traceback with locals would print). The common case
        # (no echo) is decoded straight from the bytes, without a text pass.
        secrets = self._secrets(response.request)
        decoded = _decode_clean(response, secrets)
        if decoded is not _UNDECODED:
            return decoded
        text = redact(response.text, with_escaped(secrets))
        try:
            return loads(text)
        except (ValueError, RecursionError):
            pass
        if _cut_short(text):  # a JSON document that ends too soon: cut off, as a stream is
            said = f"was cut short after {len(text)} characters" if text.strip() else "was empty"
            raise ProviderError(
                f"{self.provider}: the JSON answer {said}",
                provider=self.provider,
                status=response.status_code,
                retryable=True,
            )
        raise ProviderError(
            f"{self.provider}: response is not JSON "
            f"(content-type {response.headers.get('content-type')!r}): {text[:200]!r}",
            provider=self.provider,
            status=response.status_code,
        )

    async def stream(
        self,
        url: str,
        body: Mapping[str, Any],
        parser: Callable[[], WireStream[E]],
        *,
        framing: Framing[E],
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        errors: ErrorHooks | None = None,
    ) -> AsyncIterator[StreamPart]:
        """POST and yield the parser's parts, ending with exactly one Finish or ErrorPart.

        Until a part has reached the caller, a retryable failure (an error status, a dropped
        connection, a transient in-band error, a body cut before its terminal signal, a
        silence past the idle timeout) starts the request again; after that it ends the stream
        with an ``ErrorPart``. A 2xx answer that is plain JSON instead of a stream (labelled
        JSON, or the stream's type or none but opening with a JSON document) is the
        provider's error when it holds one, else a ``StreamError`` naming its content type.

        The error in an ``ErrorPart`` carries no traceback: its frames would hold the wire
        data (which may echo a credential) in their locals. ``errors`` lets the family
        recognise it further (a prompt too long as a ``ContextOverflowError``), before the
        retry decision and here rather than in a wrapper around this generator, which would
        cost every part a layer.
        """
        policy = retry or self.retry
        url = _strip_userinfo(url)
        content = dump_json(body)
        attempt = 0
        while True:
            yielded = False
            secrets: tuple[str, ...] | None = None
            try:
                async with self._gate():
                    deadline = Deadline(self.timeout, lambda: self._total_timeout(url, StreamError))
                    response = await self._send(url, content, headers, deadline, stream=True)
                    async with _closing(response, deadline):
                        secrets = self._secrets(response.request)
                        await self._refuse_plain_json(response, errors)
                        await self._refuse_other_content(response, framing)
                        wire = parser()
                        parts = read_stream(
                            self.provider,
                            response,
                            RedactingStream(wire, secrets) if secrets else wire,
                            framing,
                            self.idle_timeout,
                            deadline,
                        )
                        async with contextlib.aclosing(parts):
                            async for part in parts:
                                yielded = True
                                if attempt and isinstance(part, Finish):
                                    part = dataclasses.replace(part, attempts=attempt + 1)
                                yield part
                return
            except ProviderError as exc:
                if isinstance(exc, NotAStream):  # a JSON body under a stream's content type
                    kind = response.headers.get("content-type") or "no content type"
                    exc = self._json_instead(exc.body or "", kind, errors)
                # typed, then free of our credentials, before on_retry sees it
                classified = errors.classify(exc) if errors is not None else exc
                error = self._scrub(classified, secrets)
                if yielded or not policy.should_retry(error, attempt):
                    error = error.with_traceback(None)
                    error.__cause__ = error.__context__ = None
                    yield ErrorPart(error)
                    return
                await policy.wait(error, attempt)
            attempt += 1

    async def _refuse_plain_json(
        self, response: httpx2.Response, errors: ErrorHooks | None
    ) -> None:
        """A JSON document where a stream was asked for: its error, or say what came."""
        kind = response.headers.get("content-type", "")
        if not kind.startswith("application/json"):
            return
        try:  # an error, or an answer that is not the stream asked for: its start is enough
            text = await _error_text(response)
        except httpx2.HTTPError as exc:
            raise self._transport_error(exc, str(response.request.url)) from None
        raise self._json_instead(text, kind, errors)

    def _json_instead(self, text: str, kind: str, errors: ErrorHooks | None) -> ProviderError:
        """The error a JSON document sent where a stream was asked for holds (the family's
        typed error, retryable as it says), else a ``StreamError`` saying what came."""
        if errors is not None:
            try:
                error = errors.in_body(loads(text), self.provider)
            except (ValueError, RecursionError):
                error = None
            if error is not None:
                return error
        message = error_message(text)
        if message is not None:
            return ProviderError(f"{self.provider}: {message}", provider=self.provider, body=text)
        return StreamError(
            f"{self.provider}: expected a stream but the answer is {kind}: {text[:200]!r}",
            provider=self.provider,
            body=text,
        )

    async def _refuse_other_content(self, response: httpx2.Response, framing: Framing[Any]) -> None:
        """A page (HTML, XML) where a stream was asked for, or, for a framing that names its
        media type strictly (the AWS event stream), any other content: say what came back
        rather than failing to decode it. SSE servers label their streams loosely, so for
        SSE only a page is refused."""
        expected: str | None = getattr(framing, "media_type", None)
        kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if expected is None or not kind or kind == expected:
            return
        if expected == "text/event-stream" and kind not in _PAGES:
            return
        try:
            head = await _head(response)
        except httpx2.HTTPError as exc:
            raise self._transport_error(exc, str(response.request.url)) from None
        text = redact(
            head.decode("utf-8", "replace"), with_escaped(self._secrets(response.request))
        )
        raise ProviderError(
            f"{self.provider}: expected {_MEDIA_NAMES.get(expected, expected)}, "
            f"got {kind}: {text[:200]!r}",
            provider=self.provider,
            status=response.status_code,
            body=text,
        )

    def _transport_error(self, exc: httpx2.HTTPError, url: str) -> ProviderError:
        where = _safe_url(url)
        if isinstance(exc, httpx2.ConnectError):
            problem = f"cannot reach {where}"
        elif isinstance(exc, httpx2.TimeoutException):
            problem = f"request to {where} timed out ({type(exc).__name__})"
        else:
            problem = f"request to {where} failed"
        detail = describe_transport_error(exc)
        return ProviderError(
            f"{self.provider}: {problem}: {detail}",
            provider=self.provider,
            retryable=is_transient(exc),
        )


_NO_GATE = contextlib.nullcontext()
_PAGES = frozenset({"text/html", "application/xhtml+xml", "text/xml", "application/xml"})
_MEDIA_NAMES = {
    "text/event-stream": "an event stream (text/event-stream)",
    "application/vnd.amazon.eventstream": "an AWS event stream",
}
_HEAD_BYTES = 2048


async def _head(response: httpx2.Response) -> bytes:
    """The start of a body that is not the stream asked for: enough to say what it is."""
    head = b""
    async for chunk in response.aiter_bytes():
        head += chunk
        if len(head) >= _HEAD_BYTES:
            break
    return head[:_HEAD_BYTES]


_MAX_URLS = 64  # URLs kept parsed per client (one per model and endpoint in practice)
_UNDECODED = object()


def _decode_clean(response: httpx2.Response, secrets: tuple[str, ...]) -> Any:
    """The JSON of a body that holds none of ``secrets`` (nor them with ``/`` escaped, as
    some JSON writers do), else ``_UNDECODED``."""
    content = response.content
    if any(secret in content for secret in encoded_forms(secrets)):
        return _UNDECODED
    try:
        return loads(content)
    except ValueError:
        return _UNDECODED


def _cut_short(text: str) -> bool:
    """Whether ``text`` is the start of a JSON document whose end never came: the parser ran
    out of input, rather than meeting something that is not JSON."""
    from pydantic_core import from_json

    start = text.lstrip()[:1]
    if not start:
        return True  # nothing came: cut before the first byte
    if start not in ("{", "["):
        return False
    try:
        from_json(text)
    except ValueError as exc:
        return "EOF while parsing" in str(exc)
    return False


class _Known:
    """A request's credentials and what they were worked out from: those of the auth, the
    credential headers as sent (with the headers' encoding, which their text depends on) and
    the URL's query and userinfo. Its ``repr`` quotes none of them."""

    __slots__ = ("_auth", "_encoding", "_fields", "_query", "secrets")

    def __init__(
        self,
        auth: tuple[str, ...],
        fields: list[tuple[bytes, bytes]] | None,
        encoding: str,
        query: tuple[bytes, bytes] | None,
        secrets: Secrets,
    ) -> None:
        self._auth, self._fields, self._encoding, self._query = auth, fields, encoding, query
        self.secrets = secrets

    def same(
        self,
        auth: tuple[str, ...],
        fields: list[tuple[bytes, bytes]] | None,
        encoding: str,
        query: tuple[bytes, bytes] | None,
    ) -> bool:
        return (
            self._fields == fields
            and self._auth == auth
            and self._encoding == encoding
            and self._query == query
        )

    def __repr__(self) -> str:
        return f"<credentials: {len(self.secrets)} secrets>"


class _closing:
    """Closes a streamed response, and stops its deadline, however the consumer leaves
    (break, error, cancel)."""

    def __init__(self, response: httpx2.Response, deadline: Deadline) -> None:
        self._response = response
        self._deadline = deadline

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        self._deadline.cancel()
        await self._response.aclose()


def _strip_userinfo(url: str) -> str:
    """Credentials in a URL are never sent as part of it (httpx2 would log them)."""
    return strip_userinfo(url)[0] if "@" in url else url


def _safe_url(url: str) -> str:
    """The URL without userinfo and secret query values (a key in ``https://key@host`` or
    ``?key=`` must not reach a message)."""
    parsed = httpx2.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(username=None, password=None)
    return hide_secret_params(str(parsed))
