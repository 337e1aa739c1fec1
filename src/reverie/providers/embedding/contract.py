"""The embedding-model contract every provider's embedding wire implements: plain data and a
protocol, importing nothing of the providers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reverie.usage import Usage

if TYPE_CHECKING:
    from reverie.retry import RetryPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbedOptions:
    dimensions: int | None = None
    """Shorter vectors, where the model supports it (OpenAI's text-embedding-3, Gemini,
    Titan v2: 256, 512 or 1024)."""
    provider_options: Mapping[str, Any] = field(default_factory=dict)
    """Fields for the provider's request body, under the provider's name (e.g. ``{"google":
    {"taskType": "RETRIEVAL_DOCUMENT"}}``, ``{"bedrock": {"input_type": "search_query"}}``)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy | None = None


@dataclass(frozen=True, slots=True)
class EmbedBatch:
    """One request's vectors, in the order of its texts, and what it spent."""

    vectors: list[list[float]]
    usage: Usage


class EmbeddingModel(Protocol):
    """An embedding model of some provider; ``max_batch`` is its documented limit of texts
    per request."""

    @property
    def provider(self) -> str: ...

    @property
    def model_id(self) -> str: ...

    @property
    def max_batch(self) -> int: ...

    async def embed_batch(self, texts: Sequence[str], options: EmbedOptions) -> EmbedBatch: ...
