"""A streamed run as the caller holds it: its events, its result, and closing it early."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, Generic

from reverie.agent.events import AgentEvent, RunFinish
from reverie.agent.result import OutputT, RunResult


class AgentStream(Generic[OutputT]):
    """The events of a streamed run; ``result`` is set once the last event has been read.

    Leaving early closes the model's HTTP stream. Say when you leave:

    - ``async with agent.stream(...) as stream: async for event in stream: ... break``
      closes it as the ``async with`` block ends, before the next line runs;
    - ``await stream.aclose()`` closes it at once;
    - a plain ``break`` out of ``async for event in (stream := agent.stream(...))`` closes
      it within a turn or two of the event loop: each ``async for`` gets its own iterator,
      which Python finalizes (and the event loop closes) as soon as the loop is left, even
      while ``stream`` is still referenced. A later ``async for`` over it yields nothing.
    """

    def __init__(self, events: AsyncGenerator[AgentEvent, None]) -> None:
        self._events = events
        self._result: RunResult[OutputT] | None = None
        self._closing: Any = None  # an asyncio.Event once a close has begun

    def __aiter__(self) -> AsyncIterator[AgentEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncGenerator[AgentEvent, None]:
        # The iterator of one ``async for``. Only the loop holds it, so leaving the loop
        # (break, an error in its body) finalizes it and the event loop runs this ``finally``.
        # It reads the run's generator itself rather than through ``__anext__``: one
        # coroutine call fewer per event.
        try:
            async for event in self._events:
                if isinstance(event, RunFinish):
                    self._result = event.result
                yield event
        finally:
            await self.aclose()

    async def __anext__(self) -> AgentEvent:
        event = await self._events.__anext__()
        if isinstance(event, RunFinish):
            self._result = event.result
        return event

    async def aclose(self) -> None:
        """Close the run's model stream (and with it the HTTP response); safe to repeat."""
        import asyncio

        if self._closing is not None:  # already closing (the iterator's finalizer, say)
            await self._closing.wait()
            return
        self._closing = asyncio.Event()
        try:
            await self._events.aclose()
        finally:
            self._closing.set()

    async def __aenter__(self) -> AgentStream[OutputT]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def result(self) -> RunResult[OutputT]:
        if self._result is None:
            raise RuntimeError("the stream has not finished: read all its events first")
        return self._result

    async def collect(self) -> RunResult[OutputT]:
        """Read the remaining events and return the result."""
        async for _ in self:
            pass
        return self.result
