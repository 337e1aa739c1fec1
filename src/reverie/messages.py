"""Conversation messages: what goes into a model call.

Messages are plain frozen data. Each part may carry ``provider_options``: a mapping of
provider namespace (``"openai"``, ``"openrouter"``, ``"anthropic"`` …) to JSON-able options.
Metadata a provider returned on a response part comes back here unchanged, so the next
request can replay it (reasoning signatures, encrypted reasoning, item ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reverie.errors import ConfigurationError

Metadata = dict[str, dict[str, Any]]
"""Provider namespace → JSON-able values."""

Role = Literal["system", "user", "assistant", "tool"]
ROLES: tuple[Role, ...] = ("system", "user", "assistant", "tool")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextPart:
    text: str
    provider_options: Metadata = field(default_factory=dict)
    type: Literal["text"] = "text"


@dataclass(frozen=True, slots=True, kw_only=True)
class FilePart:
    """A file given to the model: its bytes, or a ``url`` the provider fetches itself."""

    media_type: str
    data: bytes = b""
    url: str | None = None
    filename: str | None = None
    provider_options: Metadata = field(default_factory=dict)
    type: Literal["file"] = "file"


def file_url(part: FilePart) -> str:
    """Where a provider reads the file: its ``url``, else its bytes as a ``data:`` URL."""
    if part.url is not None:
        return part.url
    import base64

    return f"data:{part.media_type};base64,{base64.b64encode(part.data).decode('ascii')}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasoningPart:
    text: str
    provider_options: Metadata = field(default_factory=dict)
    type: Literal["reasoning"] = "reasoning"


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCallPart:
    """A tool call the assistant made; ``input`` is the JSON text the model produced."""

    tool_call_id: str
    tool_name: str
    input: str
    provider_executed: bool = False
    provider_options: Metadata = field(default_factory=dict)
    type: Literal["tool-call"] = "tool-call"


@dataclass(frozen=True, slots=True, kw_only=True)
class TextOutput:
    text: str
    type: Literal["text"] = "text"


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorOutput:
    """The tool failed; ``message`` is what the model is told."""

    message: str
    type: Literal["error"] = "error"


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaOutput:
    """Binary output such as a screenshot, base64-encoded as most wire formats want it."""

    data: str
    media_type: str
    text: str | None = None
    type: Literal["media"] = "media"


ToolOutput = TextOutput | ErrorOutput | MediaOutput


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolResultPart:
    tool_call_id: str
    tool_name: str
    output: ToolOutput
    provider_executed: bool = False
    provider_options: Metadata = field(default_factory=dict)
    type: Literal["tool-result"] = "tool-result"


Part = TextPart | FilePart | ReasoningPart | ToolCallPart | ToolResultPart
_PARTS = (TextPart, FilePart, ReasoningPart, ToolCallPart, ToolResultPart)
_PART_TYPES = frozenset(_PARTS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    role: Role
    content: tuple[Part, ...]
    provider_options: Metadata = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A typo'd role would be dropped by providers without a word; a str content read
        # letter by letter. Cheap on the common path: a tuple of our own part types.
        if self.role not in ROLES:
            raise ConfigurationError(
                f"message role {self.role!r} is not one of: {', '.join(ROLES)}"
            )
        content = self.content
        if type(content) is not tuple:
            if isinstance(content, str | bytes) or not isinstance(content, Sequence):
                raise TypeError(
                    f"Message content must be a tuple of parts such as (TextPart(text=...),), "
                    f"not {type(content).__name__}; user_message(text) makes one"
                )
            content = tuple(content)
            object.__setattr__(self, "content", content)
        for part in content:
            if type(part) not in _PART_TYPES and not isinstance(part, _PARTS):
                raise TypeError(
                    f"Message content holds parts (TextPart, FilePart…), not {type(part).__name__}"
                )

    @property
    def text(self) -> str:
        """The text parts joined, for display and simple checks."""
        return "".join(p.text for p in self.content if isinstance(p, TextPart))


def system_message(text: str) -> Message:
    return Message(role="system", content=(TextPart(text=text),))


def user_message(text: str, files: Sequence[FilePart] = ()) -> Message:
    """A user turn: the text first, then any attached files, as providers expect."""
    return Message(role="user", content=(TextPart(text=text), *files))


def assistant_message(text: str) -> Message:
    return Message(role="assistant", content=(TextPart(text=text),))
