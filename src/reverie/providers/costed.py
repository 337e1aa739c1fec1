"""A model's answer priced on its way out: what every family's model does to a plain answer
and to its stream's ``Finish`` part (see :mod:`reverie.pricing`)."""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

from reverie.http.reading import WireStream
from reverie.model import Finish, Response, StreamPart
from reverie.pricing import priced
from reverie.providers.wire import counted

E = TypeVar("E")


def settled(response: Response, attempts: int, provider: str, requested: str) -> Response:
    """A plain answer as a model returns it: its usage priced (``requested``, the model id
    asked for, when the response names no model with a price) and its count of attempts."""
    usage = priced(response.usage, provider, response.model_id, requested)
    if usage is not response.usage:
        response = dataclasses.replace(response, usage=usage)
    return counted(response, attempts)


class PricedStream(Generic[E]):
    """A family's stream parser whose ``Finish`` part comes out priced. Events go to the
    parser as they are (``feed`` is the parser's own, bound once): only the closing parts
    pass through here."""

    __slots__ = ("_inner", "_provider", "_requested", "feed")

    def __init__(self, inner: WireStream[E], provider: str, requested: str) -> None:
        self._inner = inner
        self._provider = provider
        self._requested = requested
        self.feed = inner.feed

    @property
    def done(self) -> bool:
        return self._inner.done

    @property
    def terminal(self) -> str:
        return self._inner.terminal

    def finish(self) -> list[StreamPart]:
        parts = self._inner.finish()
        for index, part in enumerate(parts):
            if isinstance(part, Finish):
                usage = priced(part.usage, self._provider, part.model_id, self._requested)
                if usage is not part.usage:
                    parts[index] = dataclasses.replace(part, usage=usage)
        return parts
