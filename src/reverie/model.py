"""The provider contract: one call in, a response or a stream of typed parts out.

Every provider implements :class:`LanguageModel`. Nothing above this line sees a wire
format; nothing below it knows that agents exist.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from reverie.content import Content, File, Source, ToolCall, ToolResult
from reverie.errors import ConfigurationError
from reverie.finish_reason import FinishReason
from reverie.messages import Message, Metadata
from reverie.retry import RetryPolicy
from reverie.usage import Usage
from reverie.warning import CallWarning

ToolChoice = str
"""``"auto"``, ``"none"``, ``"required"``, or the name of the one tool the model must call."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Sampling settings. ``None`` means "not set": the provider's default applies.

    ``foreign_reasoning`` says what happens to reasoning in the history that the provider
    receiving the call cannot replay (another provider's, or another host's): ``"drop"`` (when
    not set; one warning says how many parts were left out) or ``"text"`` (sent as assistant
    text in ``<reasoning>`` tags). ``agent.run(..., settings=Settings(foreign_reasoning=
    "text"))`` sets it for a run. See docs/switching.md.
    """

    max_output_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stop_sequences: tuple[str, ...] = ()
    seed: int | None = None
    foreign_reasoning: Literal["drop", "text"] | None = None

    def __post_init__(self) -> None:
        # Wrong types would reach the wire misread: "END" sent as ["E", "N", "D"].
        stops = self.stop_sequences
        if isinstance(stops, str | bytes):  # a value we could misread, not only a wrong type
            raise ConfigurationError(
                f"stop_sequences must be a list of str, not {type(stops).__name__}: use ['END']"
            )
        if not isinstance(stops, Sequence):
            raise TypeError(
                f"stop_sequences must be a list of str, not {type(stops).__name__}: use ['END']"
            )
        if not isinstance(stops, tuple):
            object.__setattr__(self, "stop_sequences", tuple(stops))
        if not all(isinstance(s, str) for s in self.stop_sequences):
            raise TypeError("stop_sequences must hold str only")
        for name in _NUMBERS:
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise TypeError(f"{name} must be a number, not {type(value).__name__}")
        for name in _INTS:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if self.foreign_reasoning not in (None, "drop", "text"):
            raise ConfigurationError(
                f"foreign_reasoning must be 'drop' or 'text', not {self.foreign_reasoning!r}"
            )
        if self.max_output_tokens is not None and self.max_output_tokens < 1:
            raise ConfigurationError(
                f"max_output_tokens must be at least 1, not {self.max_output_tokens}"
            )
        # NaN or an infinity would be sent as the bare tokens NaN/Infinity, which are not JSON.
        for name in _NUMBERS:
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ConfigurationError(f"{name} must be a finite number, not {value}")
        if self.temperature is not None and self.temperature < 0:
            raise ConfigurationError(f"temperature must be 0 or more, not {self.temperature}")
        if self.top_p is not None and not 0 <= self.top_p <= 1:
            raise ConfigurationError(f"top_p must be between 0 and 1, not {self.top_p}")
        if self.top_k is not None and self.top_k < 0:
            raise ConfigurationError(f"top_k must be 0 or more, not {self.top_k}")


_NUMBERS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
_INTS = ("max_output_tokens", "top_k", "seed")


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionTool:
    """A tool as the model sees it: a name, a description and a JSON schema for its input."""

    name: str
    description: str
    input_schema: Mapping[str, Any]
    strict: bool = False
    provider_options: Metadata = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderTool:
    """A tool the provider defines and usually runs itself (web search, computer use).

    ``id`` is ``"<provider>.<tool type>"``, for example ``"anthropic.web_search_20250305"``.
    """

    id: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


ObjectMode = Literal["json_schema", "tool", "text"]
"""How an object is asked for: the provider's JSON-schema output, one forced tool whose input
is the object, or the schema in the prompt. A model may say which it prefers with an
``object_mode`` attribute (``reverie.generate_object`` reads it; absent: ``"json_schema"``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseFormat:
    """Ask for JSON output matching ``schema`` (structured output)."""

    schema: Mapping[str, Any]
    name: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """Everything one model request needs. ``prompt`` includes system messages."""

    prompt: Sequence[Message]
    tools: Sequence[FunctionTool | ProviderTool] = ()
    tool_choice: ToolChoice | None = None
    settings: Settings = field(default_factory=Settings)
    response_format: ResponseFormat | None = None
    provider_options: Metadata = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy | None = None
    """For this request, instead of the provider's own policy (an agent's or a run's
    ``retry=``); ``None`` keeps the provider's."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    content: list[Content]
    finish_reason: FinishReason
    usage: Usage = field(default_factory=Usage)
    provider_metadata: Metadata = field(default_factory=dict)
    warnings: list[CallWarning] = field(default_factory=list)
    model_id: str = ""
    attempts: int = 1
    """Requests it took: more than 1 when passing failures were retried."""

    @property
    def text(self) -> str:
        from reverie.content import text_of

        return text_of(self.content)


# Stream parts. Text, reasoning and tool input are framed start/delta/end by ``id``; complete
# tool calls, sources, files and provider-executed tool results arrive whole; a stream ends
# with exactly one Finish or ErrorPart.


@dataclass(frozen=True, slots=True)
class TextStart:
    id: str
    type: Literal["text-start"] = "text-start"


@dataclass(frozen=True, slots=True)
class TextDelta:
    id: str
    delta: str
    type: Literal["text-delta"] = "text-delta"


@dataclass(frozen=True, slots=True)
class TextEnd:
    id: str
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["text-end"] = "text-end"


@dataclass(frozen=True, slots=True)
class ReasoningStart:
    id: str
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["reasoning-start"] = "reasoning-start"


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    id: str
    delta: str
    type: Literal["reasoning-delta"] = "reasoning-delta"


@dataclass(frozen=True, slots=True)
class ReasoningEnd:
    """Closes a reasoning block; its metadata (signatures arrive last) replaces the start's."""

    id: str
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["reasoning-end"] = "reasoning-end"


@dataclass(frozen=True, slots=True)
class ToolInputStart:
    id: str
    tool_name: str
    provider_executed: bool = False
    type: Literal["tool-input-start"] = "tool-input-start"


@dataclass(frozen=True, slots=True)
class ToolInputDelta:
    id: str
    delta: str
    type: Literal["tool-input-delta"] = "tool-input-delta"


@dataclass(frozen=True, slots=True)
class ToolInputEnd:
    id: str
    type: Literal["tool-input-end"] = "tool-input-end"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finish:
    finish_reason: FinishReason
    usage: Usage = field(default_factory=Usage)
    provider_metadata: Metadata = field(default_factory=dict)
    warnings: list[CallWarning] = field(default_factory=list)
    model_id: str = ""
    attempts: int = 1
    """Requests the stream took: more than 1 when it was retried before its first part."""
    type: Literal["finish"] = "finish"


@dataclass(frozen=True, slots=True)
class ErrorPart:
    error: Exception
    type: Literal["error"] = "error"


StreamPart = (
    TextStart
    | TextDelta
    | TextEnd
    | ReasoningStart
    | ReasoningDelta
    | ReasoningEnd
    | ToolInputStart
    | ToolInputDelta
    | ToolInputEnd
    | ToolCall
    | Source
    | File
    | ToolResult
    | Finish
    | ErrorPart
)


@runtime_checkable
class LanguageModel(Protocol):
    """A model of some provider. Implementations are cheap to create and safe to share."""

    @property
    def provider(self) -> str: ...

    @property
    def model_id(self) -> str: ...

    async def generate(self, call: Call) -> Response: ...

    def stream(self, call: Call) -> AsyncIterator[StreamPart]:
        """Stream the answer. Closing the iterator early closes the HTTP response."""
        ...


def stream_parts(model: LanguageModel, call: Call) -> AsyncGenerator[StreamPart, None]:
    """``model.stream(call)`` as an async generator that closes the model's stream (and its
    HTTP response) when it is closed, whatever kind of iterator the model returned. A model
    that returns an async generator already (every built-in one) gets no wrapper: a layer of
    async iteration costs about a microsecond per part."""
    stream = model.stream(call)
    if isinstance(stream, AsyncGenerator):
        return stream
    return _closing_parts(stream)


async def _closing_parts(stream: AsyncIterator[StreamPart]) -> AsyncGenerator[StreamPart, None]:
    try:
        async for part in stream:
            yield part
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()
