"""Embeddings through each provider's documented endpoint, against hand-made answers: the
request bodies, batching to each limit, order by index, usage, retries and bad answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

import reverie
from reverie.embeddings import EmbeddingNotSupported, embed, embed_many, embed_many_sync, embed_sync

Handler = Callable[[httpx2.Request], httpx2.Response]


async def no_sleep(seconds: float) -> None:
    return None


def client(handler: Handler, seen: list[httpx2.Request]) -> httpx2.AsyncClient:
    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return handler(request)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(record))


def vec(i: int, n: int = 3) -> list[float]:
    return [float(i)] + [0.5] * (n - 1)


def openai_answer(request: httpx2.Request, *, reverse: bool = False) -> httpx2.Response:
    body = json.loads(request.content)
    data = [
        {"object": "embedding", "index": i, "embedding": vec(int(t[1:]))}
        for i, t in enumerate(body["input"])
    ]
    if reverse:
        data.reverse()  # a server may list them in any order
    return httpx2.Response(
        200,
        json={
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": 2 * len(data), "total_tokens": 2 * len(data)},
        },
    )


async def test_openai_sends_the_documented_body_and_places_vectors_by_index() -> None:
    seen: list[httpx2.Request] = []
    provider = reverie.provider(
        "openai", api_key="sk-test", client=client(lambda r: openai_answer(r, reverse=True), seen)
    )
    model = provider.embedding_model("text-embedding-3-small")
    result = await embed_many(model, ["t0", "t1", "t2"], dimensions=256)
    assert [v[0] for v in result.vectors] == [0.0, 1.0, 2.0]
    (request,) = seen
    assert request.url == "https://api.openai.com/v1/embeddings"
    assert json.loads(request.content) == {
        "model": "text-embedding-3-small",
        "input": ["t0", "t1", "t2"],
        "encoding_format": "float",
        "dimensions": 256,
    }
    assert request.headers["authorization"] == "Bearer sk-test"
    assert result.usage.input_tokens == 6 and result.model == "openai:text-embedding-3-small"
    assert result.dimensions == 3


async def test_batches_follow_the_limit_and_keep_input_order() -> None:
    seen: list[httpx2.Request] = []
    provider = reverie.provider("openai", api_key="k", client=client(openai_answer, seen))
    texts = [f"t{i}" for i in range(5000)]
    result = await embed_many(provider.embedding_model("m"), texts, max_parallel=2)
    assert [len(json.loads(r.content)["input"]) for r in seen] == [2048, 2048, 904]
    assert [v[0] for v in result.vectors] == [float(i) for i in range(5000)]
    assert result.usage.input_tokens == 10000


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [2.0]}], "repeats 0"),
        ([{"index": 0, "embedding": [1.0]}, {"index": 5, "embedding": [2.0]}], "index below 2"),
        ([{"index": 0, "embedding": [1.0]}], "no vector for input 1"),
        ([{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": "AAAA"}], "not a list"),
        ([{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": [None]}], "finite"),
        ([{"index": True, "embedding": [1.0]}, {"index": 1, "embedding": [1.0]}], "index"),
    ],
)
async def test_a_malformed_answer_is_a_provider_error_naming_the_field(
    data: list[dict[str, Any]], words: str
) -> None:
    provider = reverie.provider(
        "openai",
        api_key="k",
        client=client(lambda r: httpx2.Response(200, json={"data": data}), []),
    )
    with pytest.raises(reverie.ProviderError, match=words):
        await embed_many(provider.embedding_model("m"), ["a", "b"])


async def test_a_rate_limit_is_retried_like_a_chat_request() -> None:
    seen: list[httpx2.Request] = []
    answers = iter([httpx2.Response(429, json={"error": {"message": "slow down"}})])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return next(answers, None) or openai_answer(request)

    provider = reverie.provider(
        "openai",
        api_key="k",
        client=client(handler, seen),
        retry=reverie.RetryPolicy(sleep=no_sleep),
    )
    result = await embed(provider.embedding_model("m"), "t7")
    assert result.vector[0] == 7.0 and len(seen) == 2


@pytest.mark.parametrize(
    ("name", "settings", "url"),
    [
        ("azure", {"resource_name": "acme"}, "https://acme.openai.azure.com/openai/v1/embeddings"),
        ("openrouter", {}, "https://openrouter.ai/api/v1/embeddings"),
        ("vercel", {}, "https://ai-gateway.vercel.sh/v1/embeddings"),
        (
            "openai-compat",
            {"base_url": "http://127.0.0.1:9/v1"},
            "http://127.0.0.1:9/v1/embeddings",
        ),
    ],
)
async def test_the_openai_wire_hosts(name: str, settings: dict[str, str], url: str) -> None:
    seen: list[httpx2.Request] = []
    make: Callable[..., Any] = reverie.provider
    provider = make(name, api_key="k", client=client(openai_answer, seen), **settings)
    await embed(provider.embedding_model("emb"), "t1")
    assert str(seen[0].url).split("?")[0] == url


async def test_gemini_batch_embed_contents() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        return httpx2.Response(
            200,
            json={
                "embeddings": [
                    {"values": vec(int(r["content"]["parts"][0]["text"][1:]))}
                    for r in body["requests"]
                ]
            },
        )

    provider = reverie.provider("google", api_key="g-key", client=client(handler, seen))
    texts = [f"t{i}" for i in range(150)]
    result = await embed_many(
        provider.embedding_model("gemini-embedding-001"),
        texts,
        dimensions=768,
        provider_options={"google": {"taskType": "RETRIEVAL_DOCUMENT"}},
    )
    assert [len(json.loads(r.content)["requests"]) for r in seen] == [100, 50]
    first = json.loads(seen[0].content)["requests"][0]
    assert first == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "t0"}]},
        "outputDimensionality": 768,
        "taskType": "RETRIEVAL_DOCUMENT",
    }
    assert str(seen[0].url) == (
        "https://generativelanguage.googleapis.com/v1beta/models/"
        "gemini-embedding-001:batchEmbedContents"
    )
    assert seen[0].headers["x-goog-api-key"] == "g-key"
    assert [v[0] for v in result.vectors] == [float(i) for i in range(150)]


async def test_vertex_predict_counts_tokens() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        return httpx2.Response(
            200,
            json={
                "predictions": [
                    {
                        "embeddings": {
                            "values": vec(i),
                            "statistics": {"token_count": 4, "truncated": False},
                        }
                    }
                    for i, _ in enumerate(body["instances"])
                ]
            },
        )

    provider = reverie.provider(
        "vertex",
        project="proj-1",
        location="us-central1",
        skip_auth=True,
        client=client(handler, seen),
    )
    result = await embed_many(
        provider.embedding_model("text-embedding-005"),
        ["a", "b"],
        dimensions=128,
        provider_options={"vertex": {"task_type": "QUESTION_ANSWERING"}},
    )
    assert json.loads(seen[0].content) == {
        "instances": [
            {"content": "a", "task_type": "QUESTION_ANSWERING"},
            {"content": "b", "task_type": "QUESTION_ANSWERING"},
        ],
        "parameters": {"outputDimensionality": 128},
    }
    assert str(seen[0].url) == (
        "https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/"
        "locations/us-central1/publishers/google/models/"
        "text-embedding-005:predict"
    )
    assert result.usage.input_tokens == 8
    one = provider.embedding_model("gemini-embedding-001")
    assert one.max_batch == 1


async def test_bedrock_titan_one_text_a_request_and_cohere_in_batches() -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        if "inputText" in body:
            return httpx2.Response(
                200, json={"embedding": vec(int(body["inputText"][1:])), "inputTextTokenCount": 3}
            )
        return httpx2.Response(
            200,
            json={
                "id": "x",
                "response_type": "embeddings_floats",
                "texts": body["texts"],
                "embeddings": [vec(int(t[1:])) for t in body["texts"]],
            },
        )

    provider = reverie.provider(
        "bedrock", region="us-east-1", api_key="br-key", client=client(handler, seen)
    )
    titan = await embed_many(
        provider.embedding_model("amazon.titan-embed-text-v2:0"), ["t0", "t1", "t2"], dimensions=256
    )
    assert [v[0] for v in titan.vectors] == [0.0, 1.0, 2.0] and titan.usage.input_tokens == 9
    assert json.loads(seen[0].content) == {"inputText": "t0", "normalize": True, "dimensions": 256}
    assert str(seen[0].url) == (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
        "amazon.titan-embed-text-v2%3A0/invoke"
    )
    seen.clear()
    cohere = await embed_many(
        provider.embedding_model("cohere.embed-english-v3"),
        [f"t{i}" for i in range(100)],
        provider_options={"bedrock": {"input_type": "search_query"}},
    )
    assert [len(json.loads(r.content)["texts"]) for r in seen] == [96, 4]
    assert json.loads(seen[0].content)["input_type"] == "search_query"
    assert [v[0] for v in cohere.vectors] == [float(i) for i in range(100)]
    with pytest.raises(EmbeddingNotSupported):
        provider.embedding_model("anthropic.claude-3-haiku")


def test_a_provider_without_embeddings_says_so() -> None:
    with pytest.raises(EmbeddingNotSupported, match="anthropic"):
        reverie.provider("anthropic", api_key="k").embedding_model("claude")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: embed_many_sync("openai:m", "one string"), TypeError),
        (lambda: embed_many_sync("openai:m", ["ok", ""]), reverie.ConfigurationError),
        (lambda: embed_many_sync("openai:m", ["ok", 3]), TypeError),  # type: ignore[list-item]
        (lambda: embed_sync("openai:m", "x", dimensions=0), reverie.ConfigurationError),
        (lambda: embed_sync("no-colon", "x"), reverie.ConfigurationError),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    call: Callable[[], object], error: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with pytest.raises(error):
        call()


def test_the_sync_twin_with_a_provider_objects_model() -> None:
    seen: list[httpx2.Request] = []
    provider = reverie.provider(
        "openai-compat", base_url="http://127.0.0.1:9/v1", client=client(openai_answer, seen)
    )
    result = embed_many_sync(provider.embedding_model("emb"), ["t4", "t5"])
    assert [v[0] for v in result.vectors] == [4.0, 5.0]
    assert embed_sync(provider.embedding_model("emb"), "t6").vector[0] == 6.0


@pytest.mark.local_model
def test_the_local_model_embeds_in_process() -> None:
    import math

    pytest.importorskip("llama_cpp")
    model = reverie.provider("local").embedding_model("smollm2")
    texts = [
        "The weather in Florence is hot.",
        "A recipe for bread.",
        "The weather in Florence is hot.",
    ]
    result = embed_many_sync(model, texts)
    assert len(result.vectors) == 3 and result.dimensions > 100
    for vector in result.vectors:
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, rel_tol=1e-3)
    assert result.vectors[0] == result.vectors[2]  # the same text, the same vector, in place
    assert result.vectors[0] != result.vectors[1]
    assert result.usage.input_tokens > 10 and result.model == "local:smollm2"


async def test_the_sync_twins_refuse_a_running_loop_and_name_the_async_spelling() -> None:
    with pytest.raises(RuntimeError, match=r"await reverie\.embed_many\(\.\.\.\)"):
        embed_many_sync("openai:m", ["a"])
    with pytest.raises(RuntimeError, match=r"await reverie\.embed\(\.\.\.\)"):
        embed_sync("openai:m", "a")
