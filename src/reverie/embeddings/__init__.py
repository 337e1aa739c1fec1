"""Embeddings: ``reverie.embed(model, text)`` and ``reverie.embed_many(model, texts)``.

``model`` is a ``"provider:model"`` string (``"openai:text-embedding-3-small"``) or an
embedding model from a provider object (``reverie.provider("openai", api_key=...)
.embedding_model("text-embedding-3-small")``), which carries the key and ``client=`` as chat
models do. Texts are sent in batches of the provider's documented limit, several batches at
once, retried as chat requests are; vectors come back in input order with the usage summed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.lazy import lazy

_EXPORTS = {
    "embed": "reverie.embeddings.api",
    "embed_many": "reverie.embeddings.api",
    "embed_sync": "reverie.embeddings.api",
    "embed_many_sync": "reverie.embeddings.api",
    "Embedding": "reverie.embeddings.result",
    "Embeddings": "reverie.embeddings.result",
    "EmbeddingModel": "reverie.providers.embedding.contract",
    "EmbeddingNotSupported": "reverie.errors",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy(__name__, _EXPORTS)


if TYPE_CHECKING:
    from reverie.embeddings.api import (
        embed as embed,
        embed_many as embed_many,
        embed_many_sync as embed_many_sync,
        embed_sync as embed_sync,
    )
    from reverie.embeddings.result import Embedding as Embedding, Embeddings as Embeddings
    from reverie.errors import EmbeddingNotSupported as EmbeddingNotSupported
    from reverie.providers.embedding.contract import EmbeddingModel as EmbeddingModel
