"""Embeddings from the local GGUF model (llama.cpp): the model loaded once more with
``embedding=True`` and mean pooling, vectors normalised to length 1, run in a worker thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reverie.errors import ConfigurationError
from reverie.providers.embedding.model import EmbedBatch, EmbedOptions
from reverie.usage import Usage


class LocalEmbeddingModel:
    provider = "local"

    def __init__(self, model_id: str, *, path: Path, n_threads: int | None, n_ctx: int) -> None:
        self._model_id = model_id
        self._path = path
        self._n_threads = n_threads
        self._n_ctx = n_ctx
        self._llama: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def max_batch(self) -> int:
        return 64

    def __repr__(self) -> str:
        return f"LocalEmbeddingModel(local:{self._model_id})"

    def _load(self) -> Any:
        if self._llama is None:
            import llama_cpp

            from reverie.providers.local.weights import free_cores

            threads = self._n_threads or free_cores()
            self._llama = llama_cpp.Llama(
                model_path=str(self._path),
                embedding=True,
                pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                n_threads=threads,
                n_threads_batch=threads,
                n_ctx=self._n_ctx,
                verbose=False,
            )
        return self._llama

    def _embed(self, texts: list[str], dimensions: int | None) -> EmbedBatch:
        with self._lock:  # one llama.cpp context: one caller at a time
            llama = self._load()
            vectors = [list(map(float, llama.embed(text, normalize=True))) for text in texts]
            tokens = sum(len(llama.tokenize(text.encode(), add_bos=True)) for text in texts)
        return EmbedBatch(vectors, Usage(input_tokens=tokens, total_tokens=tokens))

    async def embed_batch(self, texts: Sequence[str], options: EmbedOptions) -> EmbedBatch:
        if options.dimensions is not None:
            raise ConfigurationError(
                "local: the model's vectors have one size; dimensions is not supported"
            )
        return await asyncio.to_thread(self._embed, list(texts), None)

    async def aclose(self) -> None:
        self._llama = None
