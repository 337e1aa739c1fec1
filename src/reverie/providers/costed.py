"""A model's answer priced on its way out (see :mod:`reverie.pricing`): every family's model
prices a plain answer with :func:`settled`, and its stream parser, given the requested id,
prices the usage of its ``Finish`` part with :func:`finish_usage` (in the parser, so that
the events of a stream pass through no extra layer)."""

from __future__ import annotations

import dataclasses

from reverie.model import Response
from reverie.pricing import priced
from reverie.providers.wire import counted
from reverie.usage import Usage


def settled(response: Response, attempts: int, provider: str, requested: str) -> Response:
    """A plain answer as a model returns it: its usage priced (``requested``, the model id
    asked for, when the response names no model with a price) and its count of attempts."""
    usage = priced(response.usage, provider, response.model_id, requested)
    if usage is not response.usage:
        response = dataclasses.replace(response, usage=usage)
    return counted(response, attempts)


def finish_usage(usage: Usage, provider: str, model_id: str, requested: str | None) -> Usage:
    """A stream's closing usage, priced when the parser was given the requested id (a model
    streaming; a recording read back is left as the provider sent it, as a plain answer
    read back is)."""
    return usage if requested is None else priced(usage, provider, model_id, requested)
