"""Reading a streamed body: the family's framing turns bytes into events, the family's parser
turns events into parts, both fed synchronously from the one loop over the body's bytes.
Written once for live streams (:class:`~reverie.http.client.HttpClient`) and recorded ones
(``reverie replay``), so both fail the same way on the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Protocol, TypeVar, cast

import httpx

from reverie.errors import ProviderError, StreamError
from reverie.http.sse import ServerSentEvent, SseDecoder
from reverie.model import StreamPart

E = TypeVar("E")
E_contra = TypeVar("E_contra", contravariant=True)

DRAIN_SECONDS = 1.0
"""After the terminal event, how long the rest of the body may take to arrive: read to its
end, the connection goes back to the pool; a server that lingers past this is cut off."""


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


class Decoder(Protocol[E]):
    """A family's framing of one body: ``feed`` takes the bytes as they arrive and returns
    the events they complete; ``close`` is called when the body has ended and returns what
    its end completes (or raises a ``StreamError`` for a body cut inside an event)."""

    def feed(self, chunk: bytes) -> list[E]: ...

    def close(self) -> list[E]: ...


Framing = Callable[[], Decoder[E]]
"""Makes the decoder of one body (SSE; the AWS event stream for Bedrock)."""

sse: Framing[ServerSentEvent] = SseDecoder


async def read_stream(
    provider: str,
    response: httpx.Response,
    parser: WireStream[E],
    framing: Framing[E],
    idle_timeout: float | None = None,
) -> AsyncGenerator[StreamPart, None]:
    """The parser's parts for ``response``; any failure is raised as a StreamError (retryable
    when the stream broke off or ended early: the caller retries if no part was yielded)."""
    decoder = framing()
    # httpx makes it an async generator (its annotation says iterator): closed below
    chunks = cast(AsyncGenerator[bytes, None], response.aiter_bytes())
    feed = parser.feed
    try:
        async for chunk in chunks:
            for event in decoder.feed(chunk):
                for part in feed(event):
                    yield part
                if parser.done:
                    break
            if parser.done:
                await _drain(chunks)
                break
        else:
            for event in decoder.close():
                for part in feed(event):
                    yield part
                if parser.done:
                    break
    except httpx.ReadTimeout:
        idle = "" if idle_timeout is None else f" for {idle_timeout:g} s"
        raise StreamError(
            f"{provider}: the stream went silent{idle} (idle timeout)",
            provider=provider,
            retryable=True,
        ) from None
    except httpx.HTTPError as exc:
        raise StreamError(
            f"{provider}: the stream broke off: {describe_transport_error(exc)}",
            provider=provider,
            retryable=True,
        ) from None
    except ProviderError:
        raise
    except Exception as exc:  # a parser meeting a shape it does not know: say so, typed
        raise StreamError(
            f"{provider}: unreadable stream event ({type(exc).__name__}: {exc})",
            provider=provider,
        ) from exc
    finally:  # closed now, not left to a finaliser task of its own
        await chunks.aclose()
    if not parser.done:
        kind = response.headers.get("content-type", "")
        got = "" if kind.startswith("text/event-stream") else f" (content-type {kind!r})"
        raise StreamError(
            f"{provider}: the stream ended before {parser.terminal}{got}",
            provider=provider,
            retryable=True,
        )
    for part in parser.finish():
        yield part


async def _drain(events: AsyncIterator[object]) -> None:
    """Reads what follows the terminal event (normally only the body's end), so the
    connection can serve the next request instead of being dropped. The answer is complete
    already: a failure here changes nothing but the connection's reuse."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in events:
                pass


def describe_transport_error(exc: httpx.HTTPError) -> str:
    """What failed, also when httpx says nothing (a reset is a ReadError with no message)."""
    text = str(exc)
    if text:
        return text
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"the connection was reset or dropped ({type(exc).__name__})"
    return type(exc).__name__
