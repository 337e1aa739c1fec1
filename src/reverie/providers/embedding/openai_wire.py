"""OpenAI's embeddings endpoint (``POST …/embeddings``), spoken by OpenAI, Azure, OpenRouter,
the Vercel AI Gateway and OpenAI-compatible servers.

Request: ``{"model", "input": [texts], "encoding_format": "float", "dimensions"?}``; answer:
``{"data": [{"index", "embedding"}], "usage": {"prompt_tokens", "total_tokens"}}``. The items
are placed by their ``index`` (a server may list them in any order); a missing, repeated or
out-of-range index is an error, never a shifted vector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reverie.http.client import HttpClient
from reverie.providers.embedding.model import EmbedBatch, EmbedOptions, HttpEmbeddingModel
from reverie.providers.embedding.wire import as_list, bad, count, extra, get, vector
from reverie.usage import Usage

MAX_INPUTS = 2048
"""OpenAI's documented limit of inputs per request."""


class OpenAIEmbeddingModel(HttpEmbeddingModel):
    def __init__(
        self, model_id: str, *, provider: str, http: HttpClient, url: str, namespace: str
    ) -> None:
        super().__init__(
            model_id, provider=provider, http=http, url=url, namespace=namespace,
            max_batch=MAX_INPUTS,
        )  # fmt: skip

    async def embed_batch(self, texts: Sequence[str], options: EmbedOptions) -> EmbedBatch:
        body: dict[str, Any] = {
            "model": self._model_id,
            "input": list(texts),
            "encoding_format": "float",
        }
        if options.dimensions is not None:
            body["dimensions"] = options.dimensions
        body.update(extra(options, self._namespace))
        data = await self.http.post_json(
            self._url, body, headers=options.headers, retry=options.retry
        )
        return parse(data, len(texts), self._provider)


def parse(data: Any, expected: int, provider: str) -> EmbedBatch:
    items = as_list(get(data, "data", "", provider), "data", provider)
    vectors: list[list[float] | None] = [None] * expected
    for number, item in enumerate(items):
        where = f"data[{number}]"
        index = get(item, "index", where, provider)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < expected:
            raise bad(provider, f"{where}.index", f"is not an index below {expected}")
        if vectors[index] is not None:
            raise bad(provider, f"{where}.index", f"repeats {index}")
        vectors[index] = vector(
            get(item, "embedding", where, provider), f"{where}.embedding", provider
        )
    missing = [i for i, v in enumerate(vectors) if v is None]
    if missing:
        raise bad(provider, "data", f"has no vector for input {missing[0]}")
    usage_data = data.get("usage")
    prompt = count(usage_data, "prompt_tokens", "usage", provider)
    total = count(usage_data, "total_tokens", "usage", provider) or prompt
    cost = usage_data.get("cost") if isinstance(usage_data, dict) else None
    usage = Usage(
        input_tokens=prompt,
        total_tokens=total,
        cost=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
    )
    return EmbedBatch([v for v in vectors if v is not None], usage)
