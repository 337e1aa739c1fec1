"""Raw text → the validated object: JSON, else JSON repair, then validation; the caller's
repair hook gets one try on failure; then :class:`NoObjectGenerated`."""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from reverie.errors import NoObjectGenerated
from reverie.finish_reason import FinishReason
from reverie.structured.schema import ObjectSchema
from reverie.usage import Usage

T = TypeVar("T")

RepairText = Callable[[str, Exception], "str | Awaitable[str | None] | None"]
"""``repair(text, error)`` → a corrected text to try once more, or ``None`` to give up.
May be a coroutine function."""


class ParseError(ValueError):
    """The text is not JSON, even after repair."""


async def read_object(
    text: str,
    schema: ObjectSchema[T],
    *,
    repair: RepairText | None,
    usage: Usage,
    finish_reason: FinishReason,
) -> tuple[T, str]:
    """The object and the text it was read from (the repaired one if the hook was used)."""
    try:
        return _parse(text, schema), text
    except Exception as exc:  # parse or validation: both go to the hook, then to the caller
        error = exc
    if repair is not None:
        fixed = repair(text, error)
        if inspect.isawaitable(fixed):
            fixed = await fixed
        if fixed is not None:
            try:
                return _parse(fixed, schema), fixed
            except Exception as exc:
                text, error = fixed, exc
    raise _failure(text, error, usage, finish_reason) from error


def _parse(text: str, schema: ObjectSchema[T]) -> T:
    return schema.validate(parse_json(text))


def parse_json(text: str) -> Any:
    """Strict JSON first; else what json-repair makes of it (fences, prose around the
    value, a cut-off end), as long as that is an object or an array."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    except RecursionError:
        raise ParseError(
            f"the JSON is nested too deeply to read ({len(text)} characters)"
        ) from None
    import json_repair

    try:
        value = json_repair.repair_json(text, return_objects=True)
    except (RecursionError, ValueError):  # json-repair says "nesting exceeds…" as ValueError
        raise ParseError(
            f"the JSON is nested too deeply to read ({len(text)} characters)"
        ) from None
    if not isinstance(value, dict | list):
        raise ParseError(f"no JSON value in the text: {text[:200]!r}")
    return value


def _failure(
    text: str, error: Exception, usage: Usage, finish_reason: FinishReason
) -> NoObjectGenerated:
    what = "could not be parsed" if isinstance(error, ParseError) else "did not validate"
    if not text.strip():
        what = "was empty"
    message = f"no object generated: the answer {what}"
    if finish_reason == FinishReason.LENGTH:
        message += " (it was cut off at the output limit)"
    if what == "did not validate":
        message += f": {error}"
    return NoObjectGenerated(
        message, text=text, cause=error, usage=usage, finish_reason=str(finish_reason)
    )
