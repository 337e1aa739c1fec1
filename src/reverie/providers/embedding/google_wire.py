"""Gemini embeddings: the Gemini API's ``batchEmbedContents`` and Vertex AI's ``predict``.

Gemini API: ``POST …/models/{id}:batchEmbedContents`` with ``{"requests": [{"model",
"content": {"parts": [{"text"}]}, "outputDimensionality"?}]}`` (at most 100 requests), answer
``{"embeddings": [{"values"}]}`` in request order. Vertex AI: ``POST
…/publishers/google/models/{id}:predict`` with ``{"instances": [{"content"}], "parameters":
{"outputDimensionality"?}}``, answer ``{"predictions": [{"embeddings": {"values",
"statistics": {"token_count"}}}]}``; 250 instances a request for the text-embedding models,
one for the Gemini embedding models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.providers.embedding.model import EmbedBatch, EmbedOptions, HttpEmbeddingModel
from reverie.providers.embedding.wire import as_list, count, extra, get, vector
from reverie.usage import Usage

GEMINI_MAX_BATCH = 100
VERTEX_MAX_BATCH = 250


class GeminiEmbeddingModel(HttpEmbeddingModel):
    async def embed_batch(self, texts: Sequence[str], options: EmbedOptions) -> EmbedBatch:
        name = self._model_id if "/" in self._model_id else f"models/{self._model_id}"
        fields = extra(options, self._namespace)
        requests: list[dict[str, Any]] = []
        for text in texts:
            request: dict[str, Any] = {"model": name, "content": {"parts": [{"text": text}]}}
            if options.dimensions is not None:
                request["outputDimensionality"] = options.dimensions
            request.update(fields)
            requests.append(request)
        data = await self.http.post_json(
            self._url, {"requests": requests}, headers=options.headers, retry=options.retry
        )
        items = as_list(get(data, "embeddings", "", self._provider), "embeddings", self._provider)
        vectors = [
            vector(
                get(item, "values", f"embeddings[{i}]", self._provider),
                f"embeddings[{i}].values",
                self._provider,
            )
            for i, item in enumerate(items)
        ]
        return EmbedBatch(vectors, Usage())


class VertexEmbeddingModel(HttpEmbeddingModel):
    async def embed_batch(self, texts: Sequence[str], options: EmbedOptions) -> EmbedBatch:
        fields = extra(options, self._namespace)
        per_instance = {k: fields.pop(k) for k in ("task_type", "title") if k in fields}
        parameters: dict[str, Any] = dict(fields)
        if options.dimensions is not None:
            parameters["outputDimensionality"] = options.dimensions
        body: dict[str, Any] = {"instances": [{"content": t, **per_instance} for t in texts]}
        if parameters:
            body["parameters"] = parameters
        data = await self.http.post_json(
            self._url, body, headers=options.headers, retry=options.retry
        )
        p = self._provider
        items = as_list(get(data, "predictions", "", p), "predictions", p)
        vectors: list[list[float]] = []
        tokens = 0
        for i, item in enumerate(items):
            where = f"predictions[{i}].embeddings"
            embeddings = get(item, "embeddings", f"predictions[{i}]", p)
            vectors.append(vector(get(embeddings, "values", where, p), f"{where}.values", p))
            stats = embeddings.get("statistics") if isinstance(embeddings, dict) else None
            tokens += count(stats, "token_count", f"{where}.statistics", p)
        return EmbedBatch(vectors, Usage(input_tokens=tokens, total_tokens=tokens))
