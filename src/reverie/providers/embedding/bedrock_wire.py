"""Embeddings on Amazon Bedrock (``InvokeModel``): Titan Text Embeddings and Cohere Embed.

Titan (``amazon.titan-embed-text-v2:0``): one text a request, ``{"inputText", "dimensions"?,
"normalize": true}`` → ``{"embedding", "inputTextTokenCount"}``; ``dimensions`` is 256, 512
or 1024 on v2. Cohere (``cohere.embed-*``): up to 96 texts, ``{"texts", "input_type"}`` (which
Cohere requires; ``"search_document"`` unless ``provider_options={"bedrock": {"input_type":
…}}`` says otherwise) → ``{"embeddings": [[...]]}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.errors import EmbeddingNotSupported
from reverie.http.client import HttpClient
from reverie.providers.embedding.model import (
    EmbedBatch,
    EmbedOptions,
    HttpEmbeddingModel,
)
from reverie.providers.embedding.wire import as_list, count, extra, get, vector
from reverie.usage import Usage

COHERE_MAX_BATCH = 96


class BedrockEmbeddingModel(HttpEmbeddingModel):
    def __init__(
        self, model_id: str, *, provider: str, http: HttpClient, url: str, namespace: str
    ) -> None:
        base = model_id.split(".", 1)[-1] if model_id.count(".") > 1 else model_id  # us.cohere…
        if base.startswith("amazon.titan-embed"):
            self._kind = "titan"
        elif base.startswith("cohere.embed"):
            self._kind = "cohere"
        else:
            raise EmbeddingNotSupported(
                f"{provider}: {model_id!r} is not an embedding model reverie speaks on Bedrock "
                "(amazon.titan-embed-* or cohere.embed-*)"
            )
        super().__init__(
            model_id, provider=provider, http=http, url=url, namespace=namespace,
            max_batch=1 if self._kind == "titan" else COHERE_MAX_BATCH,
        )  # fmt: skip

    async def embed_batch(self, texts: Sequence[str], options: EmbedOptions) -> EmbedBatch:
        fields = extra(options, self._namespace)
        p = self._provider
        if self._kind == "titan":
            (text,) = texts
            body: dict[str, Any] = {"inputText": text, "normalize": True}
            if options.dimensions is not None:
                body["dimensions"] = options.dimensions
            body.update(fields)
            data = await self.http.post_json(
                self._url, body, headers=options.headers, retry=options.retry
            )
            tokens = count(data, "inputTextTokenCount", "", p)
            return EmbedBatch(
                [vector(get(data, "embedding", "", p), "embedding", p)],
                Usage(input_tokens=tokens, total_tokens=tokens),
            )
        body = {"texts": list(texts), "input_type": "search_document"}
        if options.dimensions is not None:
            body["output_dimension"] = options.dimensions
        body.update(fields)
        data = await self.http.post_json(
            self._url, body, headers=options.headers, retry=options.retry
        )
        embeddings = get(data, "embeddings", "", p)
        if isinstance(embeddings, dict):  # asked with embedding_types: the float ones
            embeddings = get(embeddings, "float", "embeddings", p)
        items = as_list(embeddings, "embeddings", p)
        return EmbedBatch([vector(v, f"embeddings[{i}]", p) for i, v in enumerate(items)], Usage())
