"""Read a recorded exchange with its wire family's own parser.

A recorded reply (a cassette's response, say) is decoded into the same :class:`Response` a
live call would have returned, by the very parsers the providers use: there is one parser
per wire format, and nothing here reads a body itself. Which provider sent the request, and
so its wire family, chat dialect and stream framing, comes from the provider specs
(:func:`reverie.providers.registry.identify`: the URL's path and host); ``reverie replay`` is
the main user. :data:`DECODERS` holds, per wire family, the small function setting its
parsers up for one provider.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from reverie.errors import ProviderError
from reverie.http.client import status_error
from reverie.http.reading import Framing, WireStream, read_stream, sse
from reverie.model import Response
from reverie.providers.spec import ProviderSpec
from reverie.warning import CallWarning

__all__ = [
    "DECODERS",
    "Parsers",
    "RecordedExchange",
    "chat_dialect",
    "read_recorded",
    "wire_family",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedExchange:
    """One recorded request and its response, as a cassette holds them."""

    url: str
    method: str = "POST"
    request_body: Any = None
    """The request's JSON, decoded (``None`` when there was none or it was not JSON)."""
    status: int = 200
    content_type: str = ""
    body: str | bytes = ""

    @property
    def host(self) -> str:
        return _url(self.url).host

    @property
    def streamed(self) -> bool:
        """Whether the reply is an event stream (said by its content type, else by its shape)."""
        kind = self.content_type.lower()
        if "event-stream" in kind or "eventstream" in kind:
            return True
        if kind.startswith("application/json"):
            return False
        text = self.body.lstrip() if isinstance(self.body, str) else ""
        return text.startswith(("data:", "event:"))


@dataclass(frozen=True, slots=True)
class Parsers:
    """A family's own parsers, set up for one recorded exchange."""

    provider: str
    """The provider name the parsers report in their errors."""
    parse_body: Callable[[Any], Response]
    """A JSON reply (already decoded) → Response."""
    stream_parser: Callable[[], WireStream[Any]]
    """A fresh parser for a streamed reply."""
    framing: Framing[Any] = field(default=sse)
    """The reply's bytes → the events the stream parser is fed."""


def wire_family(url: str) -> str | None:
    """The wire family a request URL speaks (``openai-chat``, ``openai-responses``,
    ``anthropic``, ``google``), or ``None`` when no provider's requests use its path."""
    from reverie.providers.registry import identify

    found = identify(url)
    return found[1] if found is not None else None


async def read_recorded(exchange: RecordedExchange) -> Response | None:
    """The reply decoded by its family's own parser; ``None`` when no provider's requests
    use the URL's path (or its family has no decoder).

    An error status, or a body its parser rejects, raises :class:`ProviderError` (a
    :class:`StreamError` for a stream) with the parser's own message.
    """
    from reverie.providers.registry import identify

    found = identify(exchange.url)
    decoder = DECODERS.get(found[1]) if found is not None else None
    if found is None or decoder is None:
        return None
    parsers = decoder(found[0])
    if not 200 <= exchange.status < 300:
        body = (
            exchange.body
            if isinstance(exchange.body, str)
            else exchange.body.decode("utf-8", "replace")
        )
        raise status_error(parsers.provider, exchange.status, body)
    if exchange.streamed:
        return await _read_stream(parsers, exchange)
    return _read_json(parsers, exchange)


def _read_json(parsers: Parsers, exchange: RecordedExchange) -> Response:
    provider = parsers.provider
    try:
        body = json.loads(exchange.body)
    except ValueError:
        text = exchange.body if isinstance(exchange.body, str) else repr(exchange.body)
        raise ProviderError(
            f"{provider}: response is not JSON: {text[:200]!r}", provider=provider
        ) from None
    try:
        return parsers.parse_body(body)
    except ProviderError:
        raise
    except Exception as exc:  # a parser meeting a shape it does not know: say so, typed
        raise ProviderError(
            f"{provider}: unreadable response ({type(exc).__name__}: {exc})", provider=provider
        ) from exc


async def _read_stream(parsers: Parsers, exchange: RecordedExchange) -> Response:
    # The live client's reading of a stream (reverie.http.reading), minus the network.
    from reverie.accumulate import StreamAccumulator

    accumulator = StreamAccumulator()
    content = exchange.body.encode("utf-8") if isinstance(exchange.body, str) else exchange.body
    headers = {"content-type": exchange.content_type} if exchange.content_type else {}
    response = httpx2.Response(exchange.status, headers=headers, content=content)
    parts = read_stream(parsers.provider, response, parsers.stream_parser(), parsers.framing)
    async for part in parts:
        accumulator.add(part)
    return accumulator.response()


# The families: each sets its parsers up for the provider that sent the request.


def chat_dialect(host: str) -> tuple[str, Any]:
    """(provider name, dialect instance) of the chat-completions provider answering on
    ``host`` (an OpenAI-compatible server when no spec names the host)."""
    from reverie.providers.registry import identify

    found = identify(f"https://{host}/v1/chat/completions")
    assert found is not None  # some provider speaks chat completions
    return found[0].name, found[0].load_dialect()()


def _chat(spec: ProviderSpec) -> Parsers:
    from reverie.providers.openai_chat.response import parse_response
    from reverie.providers.openai_chat.stream import ChatStreamParser

    provider, dialect = spec.name, spec.load_dialect()()
    warnings: list[CallWarning] = []
    return Parsers(
        provider,
        lambda body: parse_response(body, dialect, warnings, provider),
        lambda: ChatStreamParser(dialect, warnings, provider),
    )


def _responses(spec: ProviderSpec) -> Parsers:
    from reverie.providers.openai_responses.response import parse_response
    from reverie.providers.openai_responses.stream import ResponsesStreamParser

    provider = spec.name
    warnings: list[CallWarning] = []
    return Parsers(
        provider,
        lambda body: parse_response(body, warnings, provider),
        lambda: ResponsesStreamParser(warnings, provider),
    )


def _anthropic(spec: ProviderSpec) -> Parsers:
    from reverie.providers.anthropic.response import parse_response
    from reverie.providers.anthropic.stream import AnthropicStream, SseJson

    provider = spec.name
    warnings: list[CallWarning] = []
    framing: Framing[Any] = spec.load_framing() or SseJson
    return Parsers(
        provider,
        lambda body: parse_response(body, provider, warnings),
        lambda: AnthropicStream(provider, warnings),
        framing,
    )


def _google(spec: ProviderSpec) -> Parsers:
    from reverie.providers.google.ids import make_id_generator
    from reverie.providers.google.response import parse_response
    from reverie.providers.google.stream import GeminiStreamParser

    provider = spec.name
    ids = make_id_generator("sequential", provider)
    warnings: list[CallWarning] = []
    return Parsers(
        provider,
        lambda body: parse_response(body, warnings, provider, ids),
        lambda: GeminiStreamParser(warnings, provider, ids),
    )


DECODERS: dict[str, Callable[[ProviderSpec], Parsers]] = {
    "openai-chat": _chat,
    "openai-responses": _responses,
    "anthropic": _anthropic,
    "google": _google,
}
"""Wire family → the function setting its parsers up for one provider. A family not listed
reads as ``None``: the caller shows the body as it is."""


def _url(url: str) -> httpx2.URL:
    try:
        return httpx2.URL(url)
    except httpx2.InvalidURL:  # a hand-edited cassette: no family, no host
        return httpx2.URL("")
