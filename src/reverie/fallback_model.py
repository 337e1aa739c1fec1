"""A model that hands a call to the next model when one fails for a passing reason.

``reverie.fallback("anthropic:claude-sonnet-4-5", "openai:gpt-4o")`` tries Claude; when that
call ends in a retryable :class:`~reverie.ProviderError` (overloaded, rate limited, a dropped
connection) after Anthropic's own retries, the same call goes to GPT-4o. History needs no
conversion: each provider replays only the metadata it produced and makes the rest into what
it accepts (``providers/portable.py``; a Claude thinking block is left out for OpenAI, with a
warning), so the model that continues gets a valid request, mid tool loop included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from typing import Any, TypeAlias

from reverie.errors import ConfigurationError, ProviderError
from reverie.model import Call, ErrorPart, Finish, LanguageModel, Response, StreamPart
from reverie.warning import CallWarning

FallbackOn: TypeAlias = (
    type[Exception] | tuple[type[Exception], ...] | Callable[[Exception], bool] | None
)
"""More errors to fall back on, besides retryable provider errors: exception types, or a
function of the error saying whether the next model should try."""


def fallback(*models: str | LanguageModel, on: FallbackOn = None) -> FallbackModel:
    """A model that tries ``models`` in order, moving on when one fails with a retryable
    :class:`~reverie.ProviderError` (after its provider's own retries) or an error ``on``
    names; the last model's error is raised, with the earlier ones in its notes.

    >>> model = reverie.fallback("anthropic:claude-sonnet-4-5", "openai:gpt-4o")
    >>> result = await Agent(model).run("Hello")
    >>> result.steps[-1].provider_metadata["fallback"]["model"]
    'openai:gpt-4o'    # when Claude was overloaded

    A stream moves on only before its first part reached the caller; after that an error is
    the stream's own. ``on=ContextOverflowError`` sends a prompt too long for one model to a
    model with a larger window.
    """
    resolved: list[LanguageModel] = []
    for index, model in enumerate(models):
        if isinstance(model, str):
            from reverie.providers.registry import resolve_model

            model = resolve_model(model)
        if not isinstance(model, LanguageModel):
            raise TypeError(
                f"fallback model {index + 1} must be a 'provider:model' string or a model "
                f"object, not {type(model).__name__}"
            )
        resolved.append(model)
    return FallbackModel(resolved, on=on)


class FallbackModel:
    """Models tried in order; see :func:`reverie.fallback`.

    ``provider`` is ``"fallback"`` and ``model_id`` lists the models, so an agent step's
    ``model`` reads ``"fallback:anthropic:claude-sonnet-4-5,openai:gpt-4o"``. Which model
    answered is on the response (and so on the step): ``model_id`` is the id that model
    reported (its own id if it reported none), ``provider_metadata["fallback"]`` holds
    ``{"model": "openai:gpt-4o", "failed": ["anthropic:claude-sonnet-4-5: <error>"]}``, and a
    warning says which models failed first.
    """

    def __init__(self, models: Sequence[LanguageModel], *, on: FallbackOn = None) -> None:
        if isinstance(models, LanguageModel) or not isinstance(models, Sequence):
            raise TypeError("models must be a list of models")
        if len(models) < 1:
            raise ConfigurationError("fallback needs at least one model")
        self.models: tuple[LanguageModel, ...] = tuple(models)
        self._on = _check_on(on)

    @property
    def provider(self) -> str:
        return "fallback"

    @property
    def model_id(self) -> str:
        return ",".join(_name(m) for m in self.models)

    def __repr__(self) -> str:
        return f"FallbackModel({self.model_id})"

    def falls_back_on(self, error: Exception) -> bool:
        """Whether ``error`` sends the call to the next model."""
        if isinstance(error, ProviderError) and error.retryable:
            return True
        return self._on(error)

    async def generate(self, call: Call) -> Response:
        failed: list[str] = []
        for index, model in enumerate(self.models):
            try:
                response = await model.generate(call)
            except Exception as error:
                if index + 1 < len(self.models) and self.falls_back_on(error):
                    failed.append(_failure(model, error))
                    continue
                _note(error, failed)
                raise
            return replace(
                response,
                model_id=response.model_id or model.model_id,
                provider_metadata=_mark(response.provider_metadata, model, failed),
                warnings=[*response.warnings, *_warnings(model, failed)],
            )
        raise AssertionError("unreachable: the last model returns or raises")

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        failed: list[str] = []
        for index, model in enumerate(self.models):
            last = index + 1 == len(self.models)
            parts = model.stream(call)
            try:
                try:
                    first = await anext(parts)
                except StopAsyncIteration:
                    return
                except Exception as error:
                    if not last and self.falls_back_on(error):
                        failed.append(_failure(model, error))
                        continue
                    _note(error, failed)
                    raise
                if isinstance(first, ErrorPart):
                    if not last and self.falls_back_on(first.error):
                        failed.append(_failure(model, first.error))
                        continue
                    _note(first.error, failed)
                # From here the caller has parts of this model: it finishes the stream.
                yield self._finish(first, model, failed)
                async for part in parts:
                    yield self._finish(part, model, failed)
                return
            finally:
                aclose = getattr(parts, "aclose", None)
                if aclose is not None:
                    await aclose()

    def _finish(self, part: StreamPart, model: LanguageModel, failed: list[str]) -> StreamPart:
        if not isinstance(part, Finish):
            return part
        return replace(
            part,
            model_id=part.model_id or model.model_id,
            provider_metadata=_mark(part.provider_metadata, model, failed),
            warnings=[*part.warnings, *_warnings(model, failed)],
        )

    async def aclose(self) -> None:
        """Close the models (their HTTP clients, where the library made them)."""
        for model in self.models:
            aclose = getattr(model, "aclose", None)
            if aclose is not None:
                await aclose()

    async def __aenter__(self) -> FallbackModel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _check_on(on: object) -> Callable[[Exception], bool]:
    if on is None:
        return lambda error: False
    if isinstance(on, type) and issubclass(on, BaseException):
        kinds: tuple[type[BaseException], ...] = (on,)
    elif isinstance(on, tuple) and all(
        isinstance(kind, type) and issubclass(kind, BaseException) for kind in on
    ):
        kinds = on
    elif callable(on):
        return on
    else:
        raise TypeError(
            "on must be an exception type, a tuple of them, or a function of the error, "
            f"not {type(on).__name__}"
        )
    return lambda error: isinstance(error, kinds)


def _name(model: LanguageModel) -> str:
    return f"{model.provider}:{model.model_id}"


def _failure(model: LanguageModel, error: Exception) -> str:
    # ProviderError messages carry no credentials (see errors.py); neither does the name.
    return f"{_name(model)}: {type(error).__name__}: {error}"


def _mark(metadata: Any, model: LanguageModel, failed: list[str]) -> Any:
    return {**metadata, "fallback": {"model": _name(model), "failed": list(failed)}}


def _warnings(model: LanguageModel, failed: list[str]) -> list[CallWarning]:
    if not failed:
        return []
    return [
        CallWarning(
            kind="other",
            message=f"answered by {_name(model)} after: " + "; ".join(failed),
        )
    ]


def _note(error: BaseException, failed: list[str]) -> None:
    for failure in failed:
        error.add_note(f"reverie.fallback: tried first {failure}")
