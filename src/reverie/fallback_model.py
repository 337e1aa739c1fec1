"""A model that hands a call to the next model when one fails for a passing reason.

``reverie.fallback("anthropic:claude-sonnet-4-5", "openai:gpt-4o")`` tries Claude; when that
call ends in a retryable :class:`~reverie.ProviderError` (overloaded, rate limited, a dropped
connection) after Anthropic's own retries, the same call goes to GPT-4o. History needs no
conversion: each provider replays only the metadata it produced and makes the rest into what
it accepts (``providers/portable.py``; a Claude thinking block is left out for OpenAI, with a
warning), so the model that continues gets a valid request, mid tool loop included.

Bad answers, not only failed calls, can move on too, when ``on=`` names them:

- :class:`~reverie.EmptyAnswer` (no text, no tool call, no file) is judged here, on every
  answer but the last model's, which is returned as it is;
- :class:`~reverie.NoObjectGenerated` is judged where the answer is read: ``generate_object``
  asks through :func:`generate_checked` (the next model gets the same call once the caller's
  ``repair`` hook gave up), and an agent with ``output=`` asks :func:`after_failure` once a
  model's output retries are spent (the next model takes over the run, the failed answer
  and its error in the conversation).

A model gets its own corrections first (the provider's retries, ``repair``,
``output_retries``), then the next model is asked. An answer passed over still counts: its
usage is added to that of the answer returned (or of the error raised).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeAlias, TypeVar

from reverie.content import File, Text, ToolCall
from reverie.errors import ConfigurationError, EmptyAnswer, ProviderError
from reverie.model import (
    Call,
    ErrorPart,
    Finish,
    LanguageModel,
    Response,
    StreamPart,
    TextDelta,
    ToolInputStart,
)
from reverie.usage import Usage
from reverie.warning import CallWarning

T = TypeVar("T")
Answer = TypeVar("Answer", Response, Finish)


def _stamped(
    answer: Answer, model: LanguageModel, failed: list[str], spent: Usage | None
) -> Answer:
    """A plain answer or a stream's ``Finish`` as the chain gives it back: who answered, the
    models that failed before it, and the usage of the answers passed over added in."""
    return replace(
        answer,
        model_id=answer.model_id or model.model_id,
        usage=_plus(spent, answer.usage) or answer.usage,
        provider_metadata=_mark(answer.provider_metadata, model, failed),
        warnings=[*answer.warnings, *_warnings(model, failed)],
    )


FallbackOn: TypeAlias = (
    type[Exception] | tuple[type[Exception], ...] | Callable[[Exception], bool] | None
)
"""More errors to fall back on, besides retryable provider errors: exception types, or a
function of the error saying whether the next model should try. Output failures count:
:class:`~reverie.NoObjectGenerated`, :class:`~reverie.EmptyAnswer`."""

Check = Callable[[Response], Awaitable[T]]
"""Reads an answer (the object it holds); raising says the answer is bad."""


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
    model with a larger window. ``on=(NoObjectGenerated, EmptyAnswer)`` moves on from bad
    answers too (see the module's docstring).
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
        self._given_on = on
        self._on = _check_on(on)
        self._may_refuse_empty = _may_name(on, EmptyAnswer)

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
        response, _ = await self.generate_checked(call, None)
        return response

    async def generate_checked(
        self, call: Call, check: Check[T] | None
    ) -> tuple[Response, T | None]:
        """The first answer that passes (not empty, if ``on`` names :class:`EmptyAnswer`;
        ``check`` raising no error ``on`` names), with what ``check`` read from it."""
        failed: list[str] = []
        spent: Usage | None = None  # the usage of answers passed over
        for index, model in enumerate(self.models):
            last = index + 1 == len(self.models)
            try:
                response, value = await self._attempt(model, call, check, last)
            except Exception as error:
                if not last and self.falls_back_on(error):
                    failed.append(_failure(model, error))
                    spent = _plus(spent, getattr(error, "usage", None))
                    continue
                _note(error, failed)
                _charge(error, spent)
                raise
            return self._answered(response, model, failed, spent), value
        raise AssertionError("unreachable: the last model returns or raises")

    async def _attempt(
        self, model: LanguageModel, call: Call, check: Check[T] | None, last: bool
    ) -> tuple[Response, T | None]:
        nested = isinstance(model, FallbackModel)  # a chain in a chain checks its answers
        if isinstance(model, FallbackModel):
            response, value = await model.generate_checked(call, check)
        else:
            response, value = await model.generate(call), None
        if not last and self._may_refuse_empty and is_empty(response.content):
            error = _empty(response.usage, str(response.finish_reason))
            if self.falls_back_on(error):
                raise error
        if check is not None and not nested:
            value = await check(response)
        return response, value

    def _answered(
        self, response: Response, model: LanguageModel, failed: list[str], spent: Usage | None
    ) -> Response:
        return _stamped(response, model, failed, spent)

    async def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        failed: list[str] = []
        spent: Usage | None = None
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
                held = [first]
                if not last and self._may_refuse_empty and not isinstance(first, ErrorPart):
                    held = await _until_answer(first, parts)  # reasoning waits for the answer
                refusal = _refused(held)
                if refusal is not None:
                    if not last and self.falls_back_on(refusal):
                        failed.append(_failure(model, refusal))
                        spent = _plus(spent, getattr(refusal, "usage", None))
                        continue
                    _note(refusal, failed)
                # From here the caller has parts of this model: it finishes the stream.
                for part in held:
                    yield self._finish(part, model, failed, spent)
                async for part in parts:
                    yield self._finish(part, model, failed, spent)
                return
            finally:
                aclose = getattr(parts, "aclose", None)
                if aclose is not None:
                    await aclose()

    def after(self, metadata: Mapping[str, Any]) -> FallbackModel | None:
        """The models after the one that gave the answer whose ``provider_metadata`` this
        is (the chain of them, with the same ``on``), or ``None`` if it was the last."""
        record = metadata.get("fallback")
        if not isinstance(record, Mapping) or not isinstance(record.get("failed"), list):
            return None
        index = len(record["failed"])  # each model before the one that answered failed
        if index >= len(self.models) or _name(self.models[index]) != record.get("model"):
            return None
        rest = self.models[index + 1 :]
        return FallbackModel(rest, on=self._given_on) if rest else None

    def _finish(
        self, part: StreamPart, model: LanguageModel, failed: list[str], spent: Usage | None
    ) -> StreamPart:
        if not isinstance(part, Finish):
            return part
        return _stamped(part, model, failed, spent)

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


async def generate_checked(model: LanguageModel, call: Call, check: Check[T]) -> tuple[Response, T]:
    """``model``'s answer to ``call`` and what ``check`` read from it; a fallback model
    asks its next model when ``check`` raises an error its ``on`` names."""
    if isinstance(model, FallbackModel):
        response, value = await model.generate_checked(call, check)
        return response, value  # type: ignore[return-value]  # check was given: it ran
    response = await model.generate(call)
    return response, await check(response)


def after_failure(
    model: object, metadata: Mapping[str, Any], error: Exception
) -> FallbackModel | None:
    """The rest of ``model``'s chain after the model whose answer (``metadata``: its
    response's) failed with ``error``, if ``model`` is a fallback whose ``on`` names it."""
    if not isinstance(model, FallbackModel) or not model.falls_back_on(error):
        return None
    return model.after(metadata)


def is_empty(content: Sequence[object]) -> bool:
    """No text but whitespace, no tool call, no file: reasoning alone is an empty answer."""
    for item in content:
        if isinstance(item, ToolCall | File) or (isinstance(item, Text) and item.text.strip()):
            return False
    return True


def _answers(part: StreamPart) -> bool:
    """Whether a stream part begins an answer (``is_empty``'s measure, part by part)."""
    if isinstance(part, TextDelta):
        return bool(part.delta.strip())
    return isinstance(part, ToolInputStart | ToolCall | File)


async def _until_answer(first: StreamPart, parts: AsyncIterator[StreamPart]) -> list[StreamPart]:
    """The stream's parts up to the one that begins its answer, its end, or an error."""
    held = [first]
    part = first
    while not (_answers(part) or isinstance(part, Finish | ErrorPart)):
        try:
            part = await anext(parts)
        except StopAsyncIteration:
            break
        held.append(part)
    return held


def _refused(held: Sequence[StreamPart]) -> Exception | None:
    """Why the parts held back from a stream are not an answer to pass on, if they are not:
    an error before the answer began, or an answer that ended empty."""
    last = held[-1]
    if isinstance(last, ErrorPart):
        return last.error
    if isinstance(last, Finish) and not any(_answers(p) for p in held):
        return _empty(last.usage, str(last.finish_reason))
    return None


def _empty(usage: Usage, finish_reason: str) -> EmptyAnswer:
    return EmptyAnswer(
        f"the model answered with nothing (finish reason {finish_reason})",
        usage=usage,
        finish_reason=finish_reason,
    )


def _plus(spent: Usage | None, usage: object) -> Usage | None:
    if not isinstance(usage, Usage):
        return spent
    return usage if spent is None else spent + usage


def _charge(error: Exception, spent: Usage | None) -> None:
    """Add the usage of answers passed over to the last model's error, where it has one."""
    usage = getattr(error, "usage", None)
    if spent is not None and isinstance(usage, Usage):
        error.usage = spent + usage  # type: ignore[attr-defined]


def _may_name(on: object, kind: type[Exception]) -> bool:
    """Whether ``on`` may name errors of ``kind`` (a function might: it is asked later)."""
    if isinstance(on, type):
        return issubclass(kind, on)
    if isinstance(on, tuple):
        return any(isinstance(k, type) and issubclass(kind, k) for k in on)
    return callable(on)


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
