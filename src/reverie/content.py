"""What a model produced in one call: text, reasoning, files, sources, tool calls and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from reverie.messages import Metadata, ToolOutput


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    text: str
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["text"] = "text"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reasoning:
    """The model's reasoning; ``provider_metadata`` holds what must be replayed with it."""

    text: str
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["reasoning"] = "reasoning"


@dataclass(frozen=True, slots=True, kw_only=True)
class File:
    data: bytes
    media_type: str
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["file"] = "file"


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A citation: a URL or a document the answer relied on."""

    id: str
    source_type: Literal["url", "document"] = "url"
    url: str | None = None
    title: str | None = None
    media_type: str | None = None
    filename: str | None = None
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["source"] = "source"


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCall:
    """A tool call. ``input`` is JSON text; ``invalid`` is set, with ``error``, when the tool
    is unknown or the input failed to parse or validate."""

    tool_call_id: str
    tool_name: str
    input: str
    provider_executed: bool = False
    invalid: bool = False
    error: str | None = None
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["tool-call"] = "tool-call"


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolResult:
    """A tool's result. ``metadata`` is for the application only and never sent to the model."""

    tool_call_id: str
    tool_name: str
    output: ToolOutput
    input: str = ""
    provider_executed: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)
    provider_metadata: Metadata = field(default_factory=dict)
    type: Literal["tool-result"] = "tool-result"


Content = Text | Reasoning | File | Source | ToolCall | ToolResult


def text_of(content: list[Content] | tuple[Content, ...]) -> str:
    """All text items joined, in order."""
    return "".join(c.text for c in content if isinstance(c, Text))
