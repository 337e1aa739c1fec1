"""Which embedding wire each provider speaks, and where: one place, read by
``HttpProvider.embedding_model`` and ``Local.embedding_model``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reverie.providers.embedding.model import EmbeddingModel, EmbeddingNotSupported


def embedding_model_for(provider: Any, model_id: str) -> EmbeddingModel:
    """``provider``'s embedding model ``model_id``, or EmbeddingNotSupported."""
    from reverie.providers.bedrock import Bedrock
    from reverie.providers.google import Google
    from reverie.providers.openai import OpenAI
    from reverie.providers.openai_chat.model import ChatProvider
    from reverie.providers.vertex import Vertex

    spec = provider.spec
    common = {"provider": spec.name, "http": provider.http, "namespace": spec.name}
    if isinstance(provider, OpenAI):  # OpenAI and Azure (its endpoint adds the api-version)
        from reverie.providers.embedding.openai_wire import OpenAIEmbeddingModel

        return OpenAIEmbeddingModel(model_id, url=provider.endpoint("/embeddings"), **common)
    if isinstance(provider, ChatProvider):  # OpenRouter, Vercel, OpenAI-compatible servers
        from reverie.providers.embedding.openai_wire import OpenAIEmbeddingModel

        return OpenAIEmbeddingModel(model_id, url=provider.base_url + "/embeddings", **common)
    if isinstance(provider, Google):
        from reverie.providers.embedding.google_wire import GEMINI_MAX_BATCH, GeminiEmbeddingModel

        name = model_id if "/" in model_id else f"models/{quote(model_id, safe='@.-_')}"
        return GeminiEmbeddingModel(
            model_id,
            url=f"{provider.base_url}/{name}:batchEmbedContents",
            max_batch=GEMINI_MAX_BATCH,
            **common,
        )
    if isinstance(provider, Vertex):
        from reverie.providers.embedding.google_wire import VERTEX_MAX_BATCH, VertexEmbeddingModel

        url = (
            f"{provider.base_url}/v1/projects/{provider.project}/locations/{provider.location}"
            f"/publishers/google/models/{quote(model_id, safe='@.-_')}:predict"
        )
        one = model_id.startswith("gemini-embedding")  # one text a request for these
        return VertexEmbeddingModel(
            model_id, url=url, max_batch=1 if one else VERTEX_MAX_BATCH, **common
        )
    if isinstance(provider, Bedrock):
        from reverie.providers.embedding.bedrock_wire import BedrockEmbeddingModel

        url = f"{provider.base_url}/model/{quote(model_id, safe='')}/invoke"
        return BedrockEmbeddingModel(model_id, url=url, **common)
    raise EmbeddingNotSupported(
        f"{spec.name} has no embedding models reverie speaks; use openai, azure, google, "
        "vertex, bedrock, openrouter, vercel, openai-compat or local"
    )
