"""Reading a streamed body: the family's framing turns bytes into events, the family's parser
turns events into parts, both fed synchronously from the one loop over the body's bytes.
Written once for live streams (:class:`~reverie.http.client.HttpClient`) and recorded ones
(``reverie replay``), so both fail the same way on the same bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Protocol, TypeVar

import httpx2

from reverie.errors import ProviderError, StreamError
from reverie.http.sse import ServerSentEvent, SseDecoder
from reverie.http.timeouts import Deadline
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


class NotAStream(StreamError):
    """A body that opens with a JSON document rather than events (a provider's error sent
    whole, under the stream's content type or none): ``body`` holds its start
    (:data:`JSON_HEAD_BYTES` at most), for the caller to read the error it holds."""


JSON_HEAD_BYTES = 64 * 1024
"""The most of a JSON document read where a stream was expected (an error is far shorter)."""
_JSON_OPENERS = (b"{", b"[")


class MalformedEvent(StreamError):
    """A stream event whose text is not the JSON it should be. Read from the body's
    unterminated end, it was cut off there: a truncated body, retried like any other."""


async def read_stream(
    provider: str,
    response: httpx2.Response,
    parser: WireStream[E],
    framing: Framing[E],
    idle_timeout: float | None = None,
    deadline: Deadline | None = None,
) -> AsyncGenerator[StreamPart, None]:
    """The parser's parts for ``response``; any failure is raised as a StreamError (retryable
    when the stream broke off or ended early: the caller retries if no part was yielded).

    ``deadline`` is the attempt's total timeout, kept here rather than by a wrapper around
    the body (which would cost every chunk another generator): the timer may cancel only
    while this task waits for a read, and past it the stream ends with ``deadline.error()``.
    """
    decoder = framing()
    chunks = _body(response)
    feed = parser.feed
    if deadline is None:
        deadline = Deadline(None)
    current_task = asyncio.current_task
    task = current_task()
    head = b""  # the body's first bytes, to say what came when it was not a stream
    try:
        deadline.reader = task
        async for chunk in chunks:
            deadline.reader = None
            if deadline.expired:  # it passed while this task was busy with a chunk
                raise deadline.error()
            if not head:  # only the first chunk is looked at: no cost per chunk
                head = chunk[:200]
                if chunk.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in _JSON_OPENERS:
                    deadline.reader = task = current_task()
                    raise await _not_a_stream(provider, chunk, chunks)
            for event in decoder.feed(chunk):
                for part in feed(event):
                    yield part
                if parser.done:
                    break
            if parser.done:
                await _drain(chunks)
                break
            # the task resuming us may not be the last one: never cancel a stranger
            deadline.reader = task = current_task()
        else:
            deadline.reader = None
            try:
                for event in decoder.close():
                    for part in feed(event):
                        yield part
                    if parser.done:
                        break
            except MalformedEvent:
                # The body ended inside its last event: cut off, as a body cut between
                # events is (retried when nothing reached the caller yet).
                raise StreamError(
                    f"{provider}: the stream ended inside an event, before {parser.terminal}",
                    provider=provider,
                    retryable=True,
                ) from None
    except asyncio.CancelledError:
        if task is not None and deadline.interrupted(task):
            raise deadline.error() from None
        raise
    except httpx2.ReadTimeout:
        idle = "" if idle_timeout is None else f" for {idle_timeout:g} s"
        raise StreamError(
            f"{provider}: the stream went silent{idle} (idle timeout)",
            provider=provider,
            retryable=True,
        ) from None
    except httpx2.HTTPError as exc:
        raise StreamError(
            f"{provider}: the stream broke off: {describe_transport_error(exc)}",
            provider=provider,
            retryable=True,
        ) from None
    except ProviderError as exc:
        if not exc.provider:  # a framing's error (the AWS event stream): name the provider
            exc.provider = provider
            exc.args = (f"{provider}: {exc}",)
        raise
    except Exception as exc:  # a parser meeting a shape it does not know: say so, typed
        raise StreamError(
            f"{provider}: unreadable stream event ({type(exc).__name__}: {exc})",
            provider=provider,
        ) from exc
    finally:  # closed now, not left to a finaliser task of its own
        deadline.reader = None
        close = getattr(chunks, "aclose", None)  # a stream of ours may be a plain iterator
        if close is not None:
            await close()
    if not parser.done:
        kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        expected = getattr(framing, "media_type", None)
        if head and expected is not None and kind != expected:
            # Not a stream cut short but something else: say what came back.
            raise StreamError(
                f"{provider}: expected a stream ({expected}), got {kind or 'no content type'}: "
                f"{head.decode('utf-8', 'replace')!r}",
                provider=provider,
                body=head.decode("utf-8", "replace"),
            )
        raise StreamError(
            f"{provider}: the stream ended before {parser.terminal}",
            provider=provider,
            retryable=True,
        )
    for part in parser.finish():
        yield part


def _body(response: httpx2.Response) -> AsyncIterator[bytes]:
    """The body's bytes. Straight from the transport when they need no decoding: httpx2's
    ``aiter_bytes`` would add two generator layers per chunk to do nothing. A compressed
    body goes through httpx2, which decodes it."""
    stream = response.stream
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity") and isinstance(stream, httpx2.AsyncByteStream):
        response.is_stream_consumed = True  # as httpx2 marks it: a second read is refused
        return stream.__aiter__()
    return response.aiter_bytes()


async def _not_a_stream(provider: str, chunk: bytes, chunks: AsyncIterator[bytes]) -> NotAStream:
    """A body whose first bytes are a JSON document, not events: no framing reads it, and
    whatever it says (an error, mostly) would be lost as "ended before its terminal event".
    Read to its end or :data:`JSON_HEAD_BYTES`, for the caller to classify."""
    data = chunk
    async for more in chunks:
        data += more
        if len(data) >= JSON_HEAD_BYTES:
            break
    text = data[:JSON_HEAD_BYTES].decode("utf-8-sig", "replace")  # no byte order mark
    return NotAStream(
        f"{provider}: expected a stream, got a JSON document: {text[:200]!r}",
        provider=provider,
        body=text,
    )


async def _drain(events: AsyncIterator[object]) -> None:
    """Reads what follows the terminal event (normally only the body's end), so the
    connection can serve the next request instead of being dropped. The answer is complete
    already: a failure here changes nothing but the connection's reuse."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for _ in events:
                pass


def describe_transport_error(exc: httpx2.HTTPError) -> str:
    """What failed, also when httpx2 says nothing (a reset is a ReadError with no message)."""
    text = str(exc)
    if text:
        return text
    if isinstance(exc, httpx2.ReadError | httpx2.WriteError):
        return f"the connection was reset or dropped ({type(exc).__name__})"
    return type(exc).__name__
