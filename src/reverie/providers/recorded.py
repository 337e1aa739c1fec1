"""Read a recorded exchange with its wire family's own parser.

A recorded reply (a cassette's response, say) is decoded into the same :class:`Response` a
live call would have returned, by the very parsers the providers use: there is one parser
per wire format, and nothing here reads a body itself. The family comes from the URL;
``reverie replay`` is the main user.

A family is registered in :data:`DECODERS` once its parsers exist: one entry naming its
package (imported only when a recording of that family is read, and skipped while the package
is absent) and a small function setting its parsers up for one exchange.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from reverie.errors import ProviderError
from reverie.http.client import status_error
from reverie.http.reading import Framing, WireStream, read_stream, sse
from reverie.model import Response
from reverie.warning import CallWarning

__all__ = [
    "DECODERS",
    "Decoder",
    "Parsers",
    "RecordedExchange",
    "find_decoder",
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


@dataclass(frozen=True, slots=True)
class Decoder:
    """Where a family's parsers live, and how to set them up for one exchange."""

    package: str
    """The family's package; while it cannot be found the family is skipped."""
    parsers: Callable[[RecordedExchange], Parsers]


def wire_family(url: str) -> str | None:
    """The wire family a request URL speaks (``openai-chat``, ``openai-responses``,
    ``anthropic``, ``google``), or ``None`` when the URL says nothing we know."""
    path = _url(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if path.endswith("/chat/completions"):
        return "openai-chat"
    if path.endswith("/responses"):
        return "openai-responses"
    if path.endswith("/messages") or last.endswith((":rawPredict", ":streamRawPredict")):
        return "anthropic"
    if last in ("invoke", "invoke-with-response-stream"):  # Bedrock
        return "anthropic"
    if last.endswith((":generateContent", ":streamGenerateContent")):
        return "google"
    return None


def find_decoder(family: str | None) -> Decoder | None:
    """The registered decoder of ``family`` whose package exists, else ``None``."""
    decoder = DECODERS.get(family or "")
    if decoder is None or importlib.util.find_spec(decoder.package) is None:
        return None
    return decoder


async def read_recorded(exchange: RecordedExchange) -> Response | None:
    """The reply decoded by its family's own parser; ``None`` when the family is unknown or
    its parsers are not built yet.

    An error status, or a body its parser rejects, raises :class:`ProviderError` (a
    :class:`StreamError` for a stream) with the parser's own message.
    """
    decoder = find_decoder(wire_family(exchange.url))
    if decoder is None:
        return None
    try:
        parsers = decoder.parsers(exchange)
    except (ImportError, AttributeError):  # the family's package lacks the names we use
        return None
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
    response = httpx.Response(exchange.status, headers=headers, content=content)
    parts = read_stream(parsers.provider, response, parsers.stream_parser(), parsers.framing)
    async for part in parts:
        accumulator.add(part)
    return accumulator.response()


# The families


# Host (or a parent domain of it) → the provider and chat dialect that speak there. Any other
# host is an OpenAI-compatible server, read as the ``openai-compat`` provider reads it.
CHAT_DIALECTS: dict[str, tuple[str, str]] = {
    "openrouter.ai": ("openrouter", "reverie.providers.openrouter:RouterDialect"),
    "api.openai.com": ("openai", "reverie.providers.openai_chat.dialect:ChatDialect"),
    "openai.azure.com": ("azure", "reverie.providers.openai_chat.dialect:ChatDialect"),
    "ai-gateway.vercel.sh": ("vercel", "reverie.providers.vercel:VercelDialect"),
}
OTHER_CHAT_HOSTS = ("openai-compat", "reverie.providers.openai_compat:CompatDialect")


def chat_dialect(host: str) -> tuple[str, Any]:
    """(provider name, dialect instance) for a chat-completions host."""
    provider, target = OTHER_CHAT_HOSTS
    for domain, entry in CHAT_DIALECTS.items():
        if host == domain or host.endswith("." + domain):
            provider, target = entry
            break
    return provider, _load(target)()


def _chat(exchange: RecordedExchange) -> Parsers:
    from reverie.providers.openai_chat.response import parse_response
    from reverie.providers.openai_chat.stream import ChatStreamParser

    provider, dialect = chat_dialect(exchange.host)
    warnings: list[CallWarning] = []
    return Parsers(
        provider,
        lambda body: parse_response(body, dialect, warnings, provider),
        lambda: ChatStreamParser(dialect, warnings, provider),
    )


def _responses(exchange: RecordedExchange) -> Parsers:
    # Loaded by name: this family and the reader were written side by side.
    parse = _load("reverie.providers.openai_responses.response:parse_response")
    stream = _load("reverie.providers.openai_responses.stream:ResponsesStreamParser")
    provider = "azure" if exchange.host.endswith(".openai.azure.com") else "openai"
    warnings: list[CallWarning] = []
    return Parsers(
        provider,
        lambda body: parse(body, warnings, provider),
        lambda: stream(warnings, provider),
    )


def _anthropic(exchange: RecordedExchange) -> Parsers:
    from reverie.providers.anthropic.response import parse_response
    from reverie.providers.anthropic.stream import AnthropicStream, SseJson

    host = exchange.host
    warnings: list[CallWarning] = []
    framing: Framing[Any]
    if host.startswith("bedrock-runtime."):
        from reverie.providers.bedrock import BedrockEvents

        provider, framing = "bedrock", BedrockEvents
    else:
        provider = "vertex" if host.endswith("aiplatform.googleapis.com") else "anthropic"
        framing = SseJson
    return Parsers(
        provider,
        lambda body: parse_response(body, provider, warnings),
        lambda: AnthropicStream(provider, warnings),
        framing,
    )


def _google(exchange: RecordedExchange) -> Parsers:
    from reverie.providers.google.ids import make_id_generator
    from reverie.providers.google.response import parse_response
    from reverie.providers.google.stream import GeminiStreamParser

    provider = "vertex" if exchange.host.endswith("aiplatform.googleapis.com") else "google"
    ids = make_id_generator("sequential", provider)
    warnings: list[CallWarning] = []
    return Parsers(
        provider,
        lambda body: parse_response(body, warnings, provider, ids),
        lambda: GeminiStreamParser(warnings, provider, ids),
    )


DECODERS: dict[str, Decoder] = {
    "openai-chat": Decoder("reverie.providers.openai_chat", _chat),
    "openai-responses": Decoder("reverie.providers.openai_responses", _responses),
    "anthropic": Decoder("reverie.providers.anthropic", _anthropic),
    "google": Decoder("reverie.providers.google", _google),
}
"""Wire family → its decoder. A family not listed (or whose package is absent) reads as
``None``: the caller shows the body as it is."""


def _url(url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except httpx.InvalidURL:  # a hand-edited cassette: no family, no host
        return httpx.URL("")


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)
