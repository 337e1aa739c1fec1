"""What object generation gives back: the result, and the parts of an object stream."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from reverie.finish_reason import FinishReason
from reverie.messages import Metadata
from reverie.usage import Usage
from reverie.warning import CallWarning

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectResult(Generic[T]):
    """A validated object and the call that produced it.

    ``text`` is the raw JSON the object was read from (in tool mode, the tool call's input).
    In tool mode the forced tool call is the answer, so its finish reason is ``"stop"``.
    """

    object: T
    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: FinishReason = FinishReason.UNKNOWN
    warnings: list[CallWarning] = field(default_factory=list)
    provider_metadata: Metadata = field(default_factory=dict)
    model_id: str = ""


@dataclass(frozen=True, slots=True)
class PartialObject:
    """The object so far, as plain JSON values (dicts and lists): objects and arrays appear
    as they open; strings, numbers and keys only once complete. Never changed afterwards."""

    object: Any
    type: Literal["object"] = "object"


@dataclass(frozen=True, slots=True)
class ObjectTextDelta:
    """A piece of the raw JSON text (in tool mode, of the tool call's input)."""

    delta: str
    type: Literal["text-delta"] = "text-delta"


@dataclass(frozen=True, slots=True)
class ObjectFinish(Generic[T]):
    """The last part: the validated object, usage and finish reason."""

    result: ObjectResult[T]
    type: Literal["finish"] = "finish"


ObjectPart = PartialObject | ObjectTextDelta | ObjectFinish[Any]
