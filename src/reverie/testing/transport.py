"""httpx2 transports that replay a cassette or record one.

Both also serve an ``httpx.AsyncClient`` (the original httpx): mounted in one, they answer
with httpx's own responses; and a recorder's ``inner`` may be an httpx transport.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit, urlunsplit

import httpx2

from reverie.http.auth import (
    CREDENTIAL_HEADERS,
    SECRET_QUERY_PARAMS as SECRET_QUERY_PARAMS,
    credentials_in,
    strip_userinfo,
)
from reverie.http.client import ssl_context
from reverie.http.httpx_adapter import HttpxTransport, httpx_module
from reverie.testing.cassette import (
    Body,
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    load_cassette,
    redact_interaction,
)
from reverie.testing.matching import Matcher

__all__ = [
    "CassetteMismatch",
    "RecordTransport",
    "ReplayStream",
    "ReplayTransport",
    "record_client",
    "replay_client",
]

#: Replay chunks are cut after each blank line (SSE event end) and at this size.
DEFAULT_CHUNK_SIZE = 4096
#: Request headers worth keeping; everything else (notably auth) is dropped.
KEPT_REQUEST_HEADERS = frozenset({"accept", "content-type", "user-agent"})
#: Never recorded even if the allow-list above grows.
SECRET_HEADERS = CREDENTIAL_HEADERS
KEPT_RESPONSE_HEADERS = frozenset({"content-type"})
# Bodies are served decoded, so these recorded framing headers would lie.
_FRAMING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class CassetteMismatch(httpx2.TransportError):
    """No unused recorded interaction matches a request.

    The message starts with ``request not matched: METHOD URL`` and goes on with the
    closest recorded body, the sent body and their diff.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx2.Request | None = None,
        closest: Interaction | None = None,
    ) -> None:
        super().__init__(message, request=request)
        self.closest = closest


class ReplayStream(httpx2.AsyncByteStream):
    """A recorded body served in chunks; reports its closing once."""

    def __init__(self, chunks: list[bytes], on_close: Callable[[], None]) -> None:
        self.chunks = chunks
        self.closed = False
        self._on_close = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            self._on_close()


def split_body(body: bytes, chunk_size: int | None = None) -> list[bytes]:
    """Cut ``body`` into pieces: fixed ``chunk_size`` bytes, or by default after each
    blank line and at most ``DEFAULT_CHUNK_SIZE`` bytes."""
    if chunk_size is not None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        return [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
    pieces: list[bytes] = []
    start = 0
    while start < len(body):
        end = body.find(b"\n\n", start)
        end = len(body) if end < 0 else end + 2
        end = min(end, start + DEFAULT_CHUNK_SIZE)
        pieces.append(body[start:end])
        start = end
    return pieces


class ReplayTransport(httpx2.AsyncBaseTransport):
    """Answers requests from a cassette, never touching the network.

    Each request takes the first unused interaction with the same method, the same
    full URL and an equal body (see :mod:`reverie.testing.matching`); otherwise
    :class:`CassetteMismatch` is raised. With ``strict=False`` a request whose body
    matches nothing falls back to the first unused interaction with the same method
    and URL. ``chunk_size`` sets fixed-size body chunks (default: cut after each
    blank line, at most 4 KiB), so streaming parsers see split input.
    """

    def __init__(
        self,
        cassette: Cassette | str | os.PathLike[str],
        *,
        strict: bool = True,
        chunk_size: int | None = None,
    ) -> None:
        self.cassette = cassette if isinstance(cassette, Cassette) else load_cassette(cassette)
        if chunk_size is not None and chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.strict = strict
        self.chunk_size = chunk_size
        #: Responses handed out and not closed yet; 0 once every stream was closed.
        self.open_responses = 0
        self._matcher = Matcher(self.cassette.interactions)

    @property
    def used(self) -> list[Interaction]:
        """Interactions handed out, in the order they were used."""
        return [self._matcher.interactions[i] for i in self._matcher.order]

    @property
    def unused(self) -> list[Interaction]:
        """Interactions never handed out (not an error)."""
        m = self._matcher
        return [x for x, used in zip(m.interactions, m.is_used, strict=True) if not used]

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Serve the matching recorded response or raise :class:`CassetteMismatch`."""
        body = await request.aread()
        method, url = request.method, str(request.url)
        interaction = self._matcher.match(method, url, body)
        if interaction is None and not self.strict:
            interaction = self._matcher.match(method, url, body, check_body=False)
        if interaction is None:
            closest = self._matcher.closest(method, url, body)
            raise CassetteMismatch(
                self._matcher.explain(method, url, body),
                request=request,
                closest=None if closest is None else self._matcher.interactions[closest],
            )
        return self._respond(interaction.response, request)

    def _respond(self, recorded: RecordedResponse, request: httpx2.Request) -> httpx2.Response:
        httpx = httpx_module(request)  # an httpx client's request gets an httpx response
        headers = [
            (name, value)
            for name, values in recorded.headers.items()
            if name.lower() not in _FRAMING_HEADERS
            for value in values
        ]
        chunks = split_body(recorded.body_bytes(), self.chunk_size)
        stream = (ReplayStream if httpx is None else _httpx_stream(httpx))(chunks, self._closed)
        self.open_responses += 1
        version = "HTTP/2" if recorded.proto_major == 2 else recorded.proto
        extensions: dict[str, Any] = {"http_version": version.encode()}
        reason = recorded.status.partition(" ")[2]
        if reason:
            extensions["reason_phrase"] = reason.encode()
        response: httpx2.Response = (httpx or httpx2).Response(
            recorded.code, headers=headers, stream=stream, request=request, extensions=extensions
        )
        return response

    def _closed(self) -> None:
        self.open_responses -= 1


@functools.cache
def _httpx_stream(httpx: ModuleType) -> type[ReplayStream]:
    """ReplayStream as an httpx byte stream too (httpx checks the class of a body)."""
    return type("ReplayStream", (ReplayStream, httpx.AsyncByteStream), {})


class RecordTransport(httpx2.AsyncBaseTransport):
    """Forwards requests to ``inner`` and records them into a cassette at ``path``.

    Credentials are never recorded: only the Accept, Content-Type and User-Agent
    request headers and the Content-Type response header are kept, ``key=`` style
    query parameters and ``user:password@`` are removed from the URL, and every
    credential seen in a request (auth headers, userinfo, key parameters) is replaced
    by ``***`` wherever it appears in what is written, response bodies that echo it
    included. The file is written by :meth:`save`, or when the transport (or its
    client) is closed. ``inner`` (default: the network) is an httpx2 transport, or an
    httpx one.
    """

    def __init__(self, path: str | os.PathLike[str], *, inner: Any | None = None) -> None:
        self.path = Path(path)
        self._owns_inner = inner is None
        if inner is None:
            inner = httpx2.AsyncHTTPTransport(verify=ssl_context())
        elif httpx_module(inner) is not None:  # an httpx transport
            inner = HttpxTransport(inner)
        self.inner: httpx2.AsyncBaseTransport = inner
        self.cassette = Cassette(path=self.path)
        self._secrets: set[str] = set()

    @property
    def interactions(self) -> list[Interaction]:
        """What was recorded so far."""
        return self.cassette.interactions

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send through ``inner``, read the whole body, record, and return a copy."""
        body = await request.aread()
        self._secrets.update(request_secrets(request))
        httpx = httpx_module(request)  # mounted in an httpx client: httpx in, httpx out
        sent = request if httpx is None else _as_httpx2(request, body)
        started = time.perf_counter()
        response = await self.inner.handle_async_request(sent)
        response.request = sent
        try:
            content = await response.aread()  # decoded: cassettes hold plain bodies
        finally:
            await response.aclose()
        elapsed = time.perf_counter() - started
        index = len(self.cassette.interactions)
        interaction = Interaction(
            index,
            _record_request(request, body),
            _record_response(response, content, go_duration(elapsed)),
        )
        redact_interaction(interaction, self._secrets)
        self.cassette.interactions.append(interaction)
        headers = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in _FRAMING_HEADERS
        ]
        extensions = {
            k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")
        }
        answer: httpx2.Response = (httpx or httpx2).Response(
            response.status_code,
            headers=headers,
            content=content,
            request=request,
            extensions=extensions,
        )
        return answer

    def save(self) -> Path:
        """Write the cassette file (parent directories are created)."""
        for interaction in self.cassette.interactions:  # a key first seen later, echoed earlier
            redact_interaction(interaction, self._secrets)
        return self.cassette.save(self.path)

    async def aclose(self) -> None:
        """Save the cassette, then close the inner transport if we created it."""
        self.save()
        if self._owns_inner:
            await self.inner.aclose()


def _as_httpx2(request: Any, body: bytes) -> httpx2.Request:
    """An httpx request as httpx2's, to send through an httpx2 transport."""
    return httpx2.Request(
        request.method,
        str(request.url),
        headers=request.headers.raw,
        content=body,
        extensions=request.extensions,
    )


def _text_or_bytes(data: bytes) -> Body:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def strip_secret_params(url: str) -> str:
    """``url`` without query parameters that carry API keys; otherwise unchanged."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    fields = parts.query.split("&")
    kept = [
        f for f in fields if unquote_plus(f.partition("=")[0]).lower() not in SECRET_QUERY_PARAMS
    ]
    if len(kept) == len(fields):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def request_secrets(request: httpx2.Request) -> set[str]:
    """The credentials ``request`` carries: credential header values (and the token after
    the scheme, a Basic token's user and password, a SigV4 signature, an AWS session
    token), userinfo, ``key=`` parameter values."""
    found = credentials_in(request.headers.multi_items())
    url = request.url
    found.update(p for p in (url.username, url.password) if p)
    for key, value in url.params.multi_items():
        if key.lower() in SECRET_QUERY_PARAMS and value:
            found.add(value)
    return {s for s in found if s}


def _record_request(request: httpx2.Request, body: bytes) -> RecordedRequest:
    headers: dict[str, list[str]] = {}
    for name, value in request.headers.multi_items():
        lower = name.lower()
        if lower in KEPT_REQUEST_HEADERS and lower not in SECRET_HEADERS:
            headers.setdefault(_canonical(lower), []).append(value)
    url = strip_secret_params(strip_userinfo(str(request.url))[0])
    query = urlsplit(url).query
    return RecordedRequest(
        method=request.method,
        url=url,
        body=_text_or_bytes(body),
        headers=headers,
        host=request.url.host,
        form=parse_qs(query, keep_blank_values=True) or None,
        content_length=len(body),
    )


def _record_response(response: httpx2.Response, content: bytes, duration: str) -> RecordedResponse:
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        if name.lower() in KEPT_RESPONSE_HEADERS:
            headers.setdefault(_canonical(name.lower()), []).append(value)
    version = response.http_version  # "HTTP/1.1" or "HTTP/2"
    major, _, minor = version.removeprefix("HTTP/").partition(".")
    length = response.headers.get("content-length")
    return RecordedResponse(
        code=response.status_code,
        body=_text_or_bytes(content),
        headers=headers,
        status=f"{response.status_code} {response.reason_phrase}".strip(),
        proto=f"HTTP/{major}.{minor or '0'}",
        proto_major=int(major) if major.isdigit() else 1,
        proto_minor=int(minor) if minor.isdigit() else 0,
        content_length=int(length) if length and length.isdigit() else -1,
        uncompressed=True if "content-encoding" in response.headers else None,
        duration=duration,
    )


def go_duration(seconds: float) -> str:
    """Format like Go's ``time.Duration.String`` (``1.5s``, ``312.4ms``, ``2m3.5s``)."""
    ns = round(seconds * 1e9)
    if ns <= 0:
        return "0s"
    for unit, size in (("ns", 1), ("µs", 10**3), ("ms", 10**6)):
        if ns < size * 1000:
            return _decimal(ns, size) + unit
    minutes, rest = divmod(ns, 60 * 10**9)
    hours, minutes = divmod(minutes, 60)
    text = _decimal(rest, 10**9) + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    return f"{minutes}m{text}" if minutes else text


def _decimal(value: int, scale: int) -> str:
    whole, frac = divmod(value, scale)
    digits = len(str(scale)) - 1
    return f"{whole}.{frac:0{digits}d}".rstrip("0").rstrip(".") if digits else str(whole)


def replay_client(
    cassette: Cassette | str | os.PathLike[str],
    *,
    strict: bool = True,
    chunk_size: int | None = None,
    **kwargs: Any,
) -> httpx2.AsyncClient:
    """An ``httpx2.AsyncClient`` answering from ``cassette``; ``kwargs`` go to the client."""
    transport = ReplayTransport(cassette, strict=strict, chunk_size=chunk_size)
    return httpx2.AsyncClient(transport=transport, **kwargs)


def record_client(
    path: str | os.PathLike[str],
    *,
    inner: Any | None = None,
    **kwargs: Any,
) -> httpx2.AsyncClient:
    """An ``httpx2.AsyncClient`` recording to ``path``; the file is written on ``aclose``."""
    return httpx2.AsyncClient(transport=RecordTransport(path, inner=inner), **kwargs)
