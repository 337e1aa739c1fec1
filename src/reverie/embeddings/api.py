"""``embed`` and ``embed_many``, async and sync."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reverie.embeddings.result import Embedding, Embeddings
from reverie.errors import ConfigurationError
from reverie.pricing import priced
from reverie.providers.embedding.contract import EmbedBatch, EmbeddingModel, EmbedOptions
from reverie.retry import RetryPolicy
from reverie.usage import Usage

DEFAULT_PARALLEL = 4
"""Batches in flight at once for one ``embed_many`` call."""


def resolve_embedding_model(model: str | EmbeddingModel) -> EmbeddingModel:
    """A ``"provider:model"`` string → that provider's embedding model; a model as is."""
    if not isinstance(model, str):
        if not hasattr(model, "embed_batch"):
            raise TypeError(
                f"model must be a 'provider:model' string or an embedding model, "
                f"not {type(model).__name__}"
            )
        return model
    from reverie.providers.registry import provider

    name, sep, model_id = model.partition(":")
    if not sep or not model_id:
        raise ConfigurationError(
            f"model {model!r} must look like 'provider:model', e.g. 'openai:text-embedding-3-small'"
        )
    make: Callable[..., Any] = provider  # the name is known at run time only
    embedding: EmbeddingModel = make(name).embedding_model(model_id)
    return embedding


def _check_texts(texts: object) -> list[str]:
    if isinstance(texts, str | bytes) or not isinstance(texts, Sequence):
        raise TypeError("texts must be a list of str; use embed(model, text) for one")
    checked = []
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{index}] must be a str, not {type(text).__name__}")
        if not text:
            raise ConfigurationError(f"texts[{index}] is empty: providers refuse empty input")
        checked.append(text)
    return checked


def _options(
    dimensions: int | None,
    provider_options: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    retry: RetryPolicy | None,
) -> EmbedOptions:
    if dimensions is not None and (
        isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1
    ):
        raise ConfigurationError(
            f"dimensions must be a whole number of 1 or more, not {dimensions!r}"
        )
    return EmbedOptions(
        dimensions=dimensions,
        provider_options=dict(provider_options or {}),
        headers=dict(headers or {}),
        retry=retry,
    )


async def embed_many(
    model: str | EmbeddingModel,
    texts: Sequence[str],
    *,
    dimensions: int | None = None,
    provider_options: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
    max_parallel: int = DEFAULT_PARALLEL,
) -> Embeddings:
    """Every text's vector, in input order: batches of the provider's limit, at most
    ``max_parallel`` requests at once; the usage summed over every request."""
    checked = _check_texts(texts)
    options = _options(dimensions, provider_options, headers, retry)
    if isinstance(max_parallel, bool) or not isinstance(max_parallel, int) or max_parallel < 1:
        raise ConfigurationError(f"max_parallel must be 1 or more, not {max_parallel!r}")
    resolved = resolve_embedding_model(model)
    size = max(1, resolved.max_batch)
    batches = [checked[i : i + size] for i in range(0, len(checked), size)]
    gate = asyncio.Semaphore(max_parallel)

    async def one(batch: list[str]) -> EmbedBatch:
        async with gate:
            got = await resolved.embed_batch(batch, options)
        if len(got.vectors) != len(batch):
            from reverie.errors import ProviderError

            raise ProviderError(
                f"{resolved.provider}: {len(got.vectors)} vectors for {len(batch)} texts",
                provider=resolved.provider,
            )
        return got

    done = await asyncio.gather(*(one(batch) for batch in batches))
    usage = Usage()
    vectors: list[list[float]] = []
    for got in done:
        vectors += got.vectors
        usage = usage + priced(got.usage, resolved.provider, "", resolved.model_id)
    return Embeddings(vectors, usage, f"{resolved.provider}:{resolved.model_id}")


async def embed(
    model: str | EmbeddingModel,
    text: str,
    *,
    dimensions: int | None = None,
    provider_options: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
) -> Embedding:
    """One text's vector."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}; embed_many takes a list")
    many = await embed_many(
        model,
        [text],
        dimensions=dimensions,
        provider_options=provider_options,
        headers=headers,
        retry=retry,
    )
    return Embedding(many.vectors[0], many.usage, many.model)


def _sync_run(make: Callable[[EmbeddingModel], Any], model: str | EmbeddingModel, name: str) -> Any:
    """Runs the coroutine ``make(model)`` on the thread's loop, which closes the model's
    connections at exit."""
    from reverie.sync import refuse_running_loop, run_sync

    instead = f"await reverie.{name.removesuffix('_sync')}(...)"
    refuse_running_loop(name, instead)  # before the model is made
    resolved = resolve_embedding_model(model)
    return run_sync(make(resolved), resolved, name, instead)


def embed_many_sync(
    model: str | EmbeddingModel,
    texts: Sequence[str],
    *,
    dimensions: int | None = None,
    provider_options: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
    max_parallel: int = DEFAULT_PARALLEL,
) -> Embeddings:
    """:func:`embed_many` for scripts, on the thread's event loop."""
    _check_texts(texts)  # refused before the model is made
    _options(dimensions, provider_options, headers, retry)
    result: Embeddings = _sync_run(
        lambda resolved: embed_many(
            resolved,
            texts,
            dimensions=dimensions,
            provider_options=provider_options,
            headers=headers,
            retry=retry,
            max_parallel=max_parallel,
        ),
        model,
        "embed_many_sync",
    )
    return result


def embed_sync(
    model: str | EmbeddingModel,
    text: str,
    *,
    dimensions: int | None = None,
    provider_options: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    retry: RetryPolicy | None = None,
) -> Embedding:
    """:func:`embed` for scripts, on the thread's event loop."""
    _check_texts([text] if isinstance(text, str) else text)
    _options(dimensions, provider_options, headers, retry)
    result: Embedding = _sync_run(
        lambda resolved: embed(
            resolved,
            text,
            dimensions=dimensions,
            provider_options=provider_options,
            headers=headers,
            retry=retry,
        ),
        model,
        "embed_sync",
    )
    return result
