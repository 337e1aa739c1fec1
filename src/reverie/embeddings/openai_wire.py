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

from reverie.embeddings.model import EmbedBatch, EmbedOptions
from reverie.embeddings.wire import as_list, bad, count, extra, get, vector
from reverie.http.client import HttpClient
from reverie.usage import Usage

MAX_INPUTS = 2048
"""OpenAI's documented limit of inputs per request."""


class OpenAIEmbeddingModel:
    def __init__(
        self,
        model_id: str,
        *,
        provider: str,
        http: HttpClient,
        url: str,
        namespace: str,
        max_batch: int = MAX_INPUTS,
    ) -> None:
        self._model_id = model_id
        self._provider = provider
        self.http = http
        self._url = url
        self._namespace = namespace
        self._max_batch = max_batch

    @property
    def provider(self) -> str:
        return self._provider

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def max_batch(self) -> int:
        return self._max_batch

    def __repr__(self) -> str:
        return f"OpenAIEmbeddingModel({self._provider}:{self._model_id})"

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
