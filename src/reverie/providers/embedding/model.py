"""What every HTTP embedding model shares (the contract itself is :mod:`.contract`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.providers.embedding.contract import EmbedBatch, EmbeddingModel, EmbedOptions
from reverie.providers.provider import HttpModel

if TYPE_CHECKING:
    from reverie.http.client import HttpClient

__all__ = ["EmbedBatch", "EmbedOptions", "EmbeddingModel", "HttpEmbeddingModel"]


class HttpEmbeddingModel(HttpModel):
    """What every HTTP embedding model shares beyond :class:`HttpModel` (the
    ``provider``/``model_id`` pair and the client's lifetime): the URL it posts to, the options
    namespace it reads and its batch limit."""

    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        http: HttpClient,
        url: str,
        namespace: str,
        max_batch: int,
    ) -> None:
        super().__init__(model_id, provider=provider, http=http)
        self._url = url
        self._namespace = namespace
        self._max_batch = max_batch

    @property
    def max_batch(self) -> int:
        return self._max_batch
