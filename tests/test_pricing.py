"""Cost: the provider's own figure, else an estimate from a price (``set_price`` or the
genai-prices table), ``None`` when no price is known; sums with an unknown part unknown."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import reverie
from reverie import pricing
from reverie.errors import ConfigurationError
from reverie.messages import user_message
from reverie.model import Call, Finish, LanguageModel, Response
from reverie.pricing import Price, clear_prices, estimate, priced, remove_price, set_price
from reverie.usage import Usage

genai_prices = pytest.importorskip("genai_prices")

CALL = Call(prompt=[user_message("hi")])
USAGE = Usage(
    input_tokens=12_000,
    output_tokens=3_000,
    total_tokens=15_000,
    cache_read_tokens=1_024,
    cache_write_tokens=500,
    reasoning_tokens=256,
)


@pytest.fixture(autouse=True)
def no_prices_set() -> Iterator[None]:
    clear_prices()
    yield
    clear_prices()


def table_cost(usage: Usage, model_id: str, provider_id: str) -> float:
    """genai-prices' own figure for ``usage`` (its keys nest as ours do)."""
    counts = genai_prices.Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        output_reasoning_tokens=usage.reasoning_tokens,
    )
    return float(genai_prices.calc_price(counts, model_id, provider_id=provider_id).total_price)


def chat_body(model: str | None, usage: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "c",
        "choices": [{"index": 0, "message": {"content": "hi"}, "finish_reason": "stop"}],
    }
    if model is not None:
        body["model"] = model
    if usage is not None:
        body["usage"] = usage
    return body


CHAT_USAGE = {
    "prompt_tokens": 12_000,
    "completion_tokens": 3_000,
    "total_tokens": 15_000,
    "prompt_tokens_details": {"cached_tokens": 1_024},
    "completion_tokens_details": {"reasoning_tokens": 256},
}


def client_answering(*bodies: dict[str, Any] | str) -> httpx.AsyncClient:
    """A client whose server gives ``bodies`` in turn (a str: an event stream)."""
    answers = list(bodies)

    def handler(request: httpx.Request) -> httpx.Response:
        body = answers.pop(0)
        if isinstance(body, str):
            headers = {"content-type": "text/event-stream"}
            return httpx.Response(200, content=body.encode(), headers=headers)
        return httpx.Response(200, json=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def chat_model(provider: str, model_id: str, *bodies: dict[str, Any] | str) -> LanguageModel:
    settings: dict[str, Any] = {"api_key": "k", "client": client_answering(*bodies)}
    if provider == "openai-compat":
        settings["base_url"] = "http://127.0.0.1:9/v1"
    model: LanguageModel = reverie.provider(provider, **settings).model(model_id)
    return model


def sse(*chunks: dict[str, Any]) -> str:
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"


# estimates from the table


async def test_an_openai_answer_is_priced_as_the_table_prices_it() -> None:
    body = chat_body("gpt-4o-2024-08-06", CHAT_USAGE)
    response = await chat_model("openai", "gpt-4o", body).generate(CALL)
    usage = response.usage
    assert usage.cost_source == "estimate"
    assert usage.cost == pytest.approx(table_cost(usage, "gpt-4o-2024-08-06", "openai"), rel=1e-12)
    # cached tokens are cheaper than the rest of the prompt: the table's cache rate is used
    uncached = Usage(input_tokens=12_000, output_tokens=3_000)
    full_price = estimate(uncached, provider="openai", model_id="gpt-4o")
    assert full_price is not None and usage.cost is not None and usage.cost < full_price


async def test_a_streamed_answer_is_priced_on_its_finish_part() -> None:
    chunks = [
        {"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "hi"}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": CHAT_USAGE},
    ]
    model = chat_model("openai", "gpt-4o-mini", sse(*chunks))
    finish = [part async for part in model.stream(CALL)][-1]
    assert isinstance(finish, Finish)
    assert finish.usage.cost_source == "estimate"
    expected = table_cost(finish.usage, "gpt-4o-mini", "openai")
    assert finish.usage.cost == pytest.approx(expected, rel=1e-12)


async def test_a_claude_answer_with_cache_writes_is_priced_at_its_tiered_price() -> None:
    body = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "hi"}],
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": 100,
            "output_tokens": 20,
            "cache_read_input_tokens": 50,
            "cache_creation_input_tokens": 10,
        },
    }
    model = reverie.provider("anthropic", api_key="k", client=client_answering(body))
    response = await model.model("claude-sonnet-4-5").generate(CALL)
    usage = response.usage
    assert (usage.input_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (160, 50, 10)
    expected = table_cost(usage, "claude-sonnet-4-5-20250929", "anthropic")
    assert usage.cost == pytest.approx(expected, rel=1e-12)
    # the same tokens past the first price tier cost more per token (the table's own tiers)
    big = Usage(input_tokens=300_000, output_tokens=20)
    per_token = estimate(big, provider="anthropic", model_id="claude-sonnet-4-5")
    assert per_token == pytest.approx(table_cost(big, "claude-sonnet-4-5", "anthropic"))


async def test_a_gemini_stream_with_thoughts_is_priced_with_them_as_output() -> None:
    event = {
        "candidates": [
            {"content": {"parts": [{"text": "hi"}], "role": "model"}, "finishReason": "STOP"}
        ],
        "usageMetadata": {
            "promptTokenCount": 100,
            "candidatesTokenCount": 20,
            "thoughtsTokenCount": 5,
            "cachedContentTokenCount": 40,
            "totalTokenCount": 125,
        },
        "modelVersion": "gemini-2.5-flash",
    }
    body = f"data: {json.dumps(event)}\n\n"
    google = reverie.provider("google", api_key="k", client=client_answering(body))
    finish = [part async for part in google.model("gemini-2.5-flash").stream(CALL)][-1]
    assert isinstance(finish, Finish)
    assert finish.usage.output_tokens == 25 and finish.usage.reasoning_tokens == 5
    expected = table_cost(finish.usage, "gemini-2.5-flash", "google")
    assert finish.usage.cost == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("provider", "model_id", "table_provider", "table_model"),
    [
        ("openai", "gpt-4o", "openai", "gpt-4o"),
        ("openai-responses", "o3", "openai", "o3"),
        ("azure", "gpt-4o-2024-08-06", "azure", "gpt-4o-2024-08-06"),
        ("anthropic", "claude-3-5-haiku-20241022", "anthropic", "claude-3-5-haiku-20241022"),
        ("google", "gemini-2.0-flash", "google", "gemini-2.0-flash"),
        ("vertex", "gemini-2.0-flash", "google", "gemini-2.0-flash"),
        ("vertex", "claude-sonnet-4@20250514", "google", "claude-sonnet-4@20250514"),
        (
            "bedrock",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "aws",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
        ),
        ("openrouter", "moonshotai/kimi-k2-0905", "openrouter", "moonshotai/kimi-k2-0905"),
        ("vercel", "openai/gpt-4o", "openai", "gpt-4o"),
        ("vercel", "xai/grok-4", "x-ai", "grok-4"),
    ],
)
def test_each_provider_reads_its_own_entry_of_the_table(
    provider: str, model_id: str, table_provider: str, table_model: str
) -> None:
    cost = estimate(USAGE, provider=provider, model_id=model_id)
    assert cost is not None and cost > 0
    assert cost == pytest.approx(table_cost(USAGE, table_model, table_provider), rel=1e-12)


def test_a_cloud_does_not_price_a_model_it_does_not_serve() -> None:
    # Vertex and Bedrock read their own entries (Claude included), never OpenAI's
    assert estimate(USAGE, provider="vertex", model_id="gpt-4o") is None
    assert estimate(USAGE, provider="bedrock", model_id="gpt-4o") is None


@pytest.mark.parametrize("model_id", ["gpt-4o", "no-slash", "/gpt-4o", "nobody/gpt-4o"])
def test_a_vercel_id_without_a_known_creator_has_no_estimate(model_id: str) -> None:
    assert estimate(USAGE, provider="vercel", model_id=model_id) is None


# the provider's own figure


async def test_the_gateways_own_cost_wins_over_any_price() -> None:
    set_price("moonshotai/kimi-k2-0905", input_per_mtok=100, output_per_mtok=100)
    body = chat_body("moonshotai/kimi-k2-0905", {**CHAT_USAGE, "cost": 0.0042})
    model = chat_model("openrouter", "moonshotai/kimi-k2-0905", body)
    usage = (await model.generate(CALL)).usage
    assert (usage.cost, usage.cost_source) == (0.0042, "provider")


async def test_a_reported_cost_of_zero_is_a_figure_not_an_unknown() -> None:
    body = chat_body("some/free-model", {**CHAT_USAGE, "cost": 0})
    usage = (await chat_model("openrouter", "some/free-model", body).generate(CALL)).usage
    assert (usage.cost, usage.cost_source) == (0.0, "provider")


# no price


async def test_a_model_without_a_price_has_no_cost_never_zero() -> None:
    body = chat_body("my-finetune-7", CHAT_USAGE)
    usage = (await chat_model("openai", "my-finetune-7", body).generate(CALL)).usage
    assert usage.cost is None and usage.cost_source is None
    assert usage.input_tokens == 12_000


async def test_the_requested_id_prices_an_answer_naming_a_model_without_one() -> None:
    # an Azure deployment answers with a name the table does not know; the id asked for does
    named = chat_body("my-deployment-3", CHAT_USAGE)
    usage = (await chat_model("openai", "gpt-4o", named).generate(CALL)).usage
    assert usage.cost == pytest.approx(table_cost(usage, "gpt-4o", "openai"))
    unnamed = chat_body(None, CHAT_USAGE)
    usage = (await chat_model("openai", "gpt-4o", unnamed).generate(CALL)).usage
    assert usage.cost == pytest.approx(table_cost(usage, "gpt-4o", "openai"))


async def test_the_model_the_answer_names_comes_before_the_requested_one() -> None:
    body = chat_body("gpt-4o-mini", CHAT_USAGE)
    usage = (await chat_model("openai", "gpt-4o", body).generate(CALL)).usage
    assert usage.cost == pytest.approx(table_cost(usage, "gpt-4o-mini", "openai"))
    assert usage.cost != pytest.approx(table_cost(usage, "gpt-4o", "openai"))


async def test_a_stream_that_reports_no_usage_has_no_cost_and_says_so() -> None:
    chunks = [
        {"model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": "hi"}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    model = chat_model("openai", "gpt-4o", sse(*chunks))
    finish = [part async for part in model.stream(CALL)][-1]
    assert isinstance(finish, Finish)
    assert finish.usage.reported is False and finish.usage.cost is None
    assert not finish.usage.empty  # it adds an unknown to any sum
    known = Usage(input_tokens=1, output_tokens=1, cost=0.5, cost_source="estimate")
    assert (known + finish.usage).cost is None
    assert (known + finish.usage).reported is False


# prices given by the application


async def test_a_compatible_server_is_priced_only_by_a_price_set_for_it() -> None:
    body = chat_body("gpt-4o", CHAT_USAGE)  # a self-hosted model named like OpenAI's
    usage = (await chat_model("openai-compat", "gpt-4o", body).generate(CALL)).usage
    assert usage.cost is None
    price = set_price("gpt-4o", input_per_mtok=0.5, output_per_mtok=1.0, provider="openai-compat")
    usage = (await chat_model("openai-compat", "gpt-4o", body).generate(CALL)).usage
    assert usage.cost_source == "estimate"
    assert usage.cost == pytest.approx((12_000 * 0.5 + 3_000 * 1.0) / 1e6)
    assert usage.cost == price.cost(usage)
    # OpenAI's own gpt-4o keeps the table's price: the price was set for the compat server
    assert estimate(USAGE, provider="openai", model_id="gpt-4o") == pytest.approx(
        table_cost(USAGE, "gpt-4o", "openai")
    )


def test_a_compatible_server_uses_a_price_set_for_every_provider() -> None:
    assert estimate(USAGE, provider="openai-compat", model_id="llama-3-8b") is None
    # neither a compatible server nor the in-process model reads the table
    assert estimate(USAGE, provider="openai-compat", model_id="gpt-4o-mini") is None
    assert estimate(USAGE, provider="local", model_id="gpt-4o-mini") is None
    set_price("llama-3-8b", input_per_mtok=0.1, output_per_mtok=0.2)
    assert estimate(USAGE, provider="openai-compat", model_id="llama-3-8b") == pytest.approx(
        (12_000 * 0.1 + 3_000 * 0.2) / 1e6
    )
    assert estimate(USAGE, provider="local", model_id="llama-3-8b") is not None


def test_a_price_set_wins_over_the_table_and_one_for_the_provider_over_one_for_all() -> None:
    table = estimate(USAGE, provider="openai", model_id="gpt-4o")
    set_price("gpt-4o", input_per_mtok=1.0, output_per_mtok=1.0)
    for_all = estimate(USAGE, provider="openai", model_id="gpt-4o")
    assert for_all == pytest.approx(15_000 / 1e6)
    set_price("gpt-4o", input_per_mtok=2.0, output_per_mtok=2.0, provider="openai")
    assert estimate(USAGE, provider="openai", model_id="gpt-4o") == pytest.approx(2 * for_all)
    assert estimate(USAGE, provider="azure", model_id="gpt-4o") == pytest.approx(for_all)
    remove_price("gpt-4o", provider="openai")
    remove_price("gpt-4o")
    assert estimate(USAGE, provider="openai", model_id="gpt-4o") == table
    remove_price("gpt-4o")  # nothing to remove: nothing happens


def test_a_price_prices_cache_and_reasoning_at_their_rates_or_input_and_output() -> None:
    plain = Price(input_per_mtok=2.0, output_per_mtok=8.0)
    # 12000 input of which 1024 read and 500 written; 3000 output of which 256 reasoning
    assert plain.cost(USAGE) == pytest.approx((12_000 * 2.0 + 3_000 * 8.0) / 1e6)
    detailed = Price(
        input_per_mtok=2.0,
        output_per_mtok=8.0,
        cache_read_per_mtok=0.5,
        cache_write_per_mtok=2.5,
        reasoning_per_mtok=10.0,
    )
    expected = (10_476 * 2.0 + 1_024 * 0.5 + 500 * 2.5 + 2_744 * 8.0 + 256 * 10.0) / 1e6
    assert detailed.cost(USAGE) == pytest.approx(expected)


@pytest.mark.parametrize(
    "rates",
    [
        {"input_per_mtok": -1.0, "output_per_mtok": 1.0},
        {"input_per_mtok": math.nan, "output_per_mtok": 1.0},
        {"input_per_mtok": 1.0, "output_per_mtok": math.inf},
        {"input_per_mtok": True, "output_per_mtok": 1.0},
        {"input_per_mtok": "1", "output_per_mtok": 1.0},
        {"input_per_mtok": 1.0, "output_per_mtok": 1.0, "cache_read_per_mtok": -0.1},
    ],
)
def test_a_price_that_is_not_a_finite_rate_is_refused(rates: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        set_price("m", **rates)
    assert pricing.price_of("openai", "m") is None


@pytest.mark.parametrize(("model_id", "provider"), [("", None), ("m", ""), (3, None)])
def test_set_price_refuses_an_empty_or_wrong_name(model_id: Any, provider: Any) -> None:
    with pytest.raises(ConfigurationError):
        set_price(model_id, input_per_mtok=1, output_per_mtok=1, provider=provider)


def test_without_the_table_only_prices_set_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    from reverie import _price_table

    monkeypatch.setattr(_price_table, "load", lambda: None)
    clear_prices()  # forget what was found with the table
    assert estimate(USAGE, provider="openai", model_id="gpt-4o") is None
    assert pricing.table_available() is False
    set_price("gpt-4o", input_per_mtok=1, output_per_mtok=1)
    assert estimate(USAGE, provider="openai", model_id="gpt-4o") == pytest.approx(0.015)


def test_a_models_price_is_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[tuple[str, str]] = []
    find = pricing._find

    def counting(provider: str, model_id: str) -> Any:
        looked.append((provider, model_id))
        return find(provider, model_id)

    monkeypatch.setattr(pricing, "_find", counting)
    for _ in range(3):
        estimate(USAGE, provider="openai", model_id="gpt-4o")
        estimate(USAGE, provider="openai", model_id="weather")
    assert looked == [("openai", "gpt-4o"), ("openai", "weather")]


# what a usage adds up to


def test_an_empty_usage_adds_nothing_and_leaves_a_cost_known() -> None:
    known = Usage(input_tokens=3, output_tokens=2, cost=0.25, cost_source="provider")
    assert Usage().empty and not known.empty
    assert Usage() + known == known and known + Usage() == known
    assert sum([Usage(), known, Usage()], Usage()) == known


def test_a_sum_with_an_unknown_part_is_unknown() -> None:
    known = Usage(input_tokens=3, output_tokens=2, cost=0.25, cost_source="provider")
    unknown = Usage(input_tokens=3, output_tokens=2)
    assert (known + unknown).cost is None and (known + unknown).cost_source is None
    assert (unknown + known).cost is None
    assert (unknown + unknown).cost is None
    assert (known + unknown).input_tokens == 6


def test_a_sum_is_the_providers_figure_only_when_every_part_is() -> None:
    reported = Usage(input_tokens=3, cost=0.25, cost_source="provider")
    estimated = Usage(input_tokens=3, cost=0.5, cost_source="estimate")
    assert (reported + reported).cost_source == "provider"
    assert (reported + estimated).cost == 0.75
    assert (reported + estimated).cost_source == "estimate"
    assert (estimated + reported).cost_source == "estimate"


def test_priced_leaves_unknown_what_cannot_be_priced() -> None:
    assert priced(Usage(), "openai", "gpt-4o") == Usage()  # no tokens: nothing to price
    unreported = Usage(reported=False)
    assert priced(unreported, "openai", "gpt-4o") == unreported
    figure = Usage(input_tokens=1, cost=0.1)
    assert priced(figure, "openai", "gpt-4o").cost_source == "provider"


# runs, retries, embeddings


async def test_a_run_costs_the_sum_of_its_steps_including_output_retries() -> None:
    from reverie.testing.fake import ScriptedModel, reply

    def costing(cost: float) -> Usage:
        return Usage(input_tokens=10, output_tokens=5, cost=cost, cost_source="provider")

    model = ScriptedModel(
        [
            reply(tool_calls=[("f1", "final_answer", '{"n": "four"}')], usage=costing(0.25)),
            reply(tool_calls=[("f2", "final_answer", '{"n": 4}')], usage=costing(0.5)),
        ]
    )
    from pydantic import BaseModel

    class Answer(BaseModel):
        n: int

    result = await reverie.Agent(model, output=Answer).run("go")
    assert result.output == Answer(n=4)
    assert len(result.steps) == 2  # the repair turn is a step of its own, counted
    assert result.usage.cost == 0.75
    unknown = ScriptedModel([reply("hi", usage=Usage(input_tokens=1, output_tokens=1))])
    assert (await reverie.Agent(unknown).run("go")).usage.cost is None


async def test_a_retried_request_is_priced_on_the_answer_that_came() -> None:
    answers = [httpx.Response(500, json={"error": {"message": "busy"}})]

    def handler(request: httpx.Request) -> httpx.Response:
        if answers:
            return answers.pop(0)
        return httpx.Response(200, json=chat_body("gpt-4o", CHAT_USAGE))

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    retry = reverie.RetryPolicy(max_retries=1, initial_delay=0)
    model = reverie.provider("openai", api_key="k", client=client, retry=retry).model("gpt-4o")
    response: Response = await model.generate(CALL)
    assert response.attempts == 2
    assert response.usage.cost == pytest.approx(table_cost(response.usage, "gpt-4o", "openai"))


async def test_embeddings_are_priced_from_the_table() -> None:
    body = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 8000, "total_tokens": 8000},
    }
    openai = reverie.provider("openai", api_key="k", client=client_answering(body))
    result = await reverie.embed(openai.embedding_model("text-embedding-3-small"), "hello")
    expected = table_cost(Usage(input_tokens=8000), "text-embedding-3-small", "openai")
    assert result.usage.cost == pytest.approx(expected) and expected > 0
    assert result.usage.cost_source == "estimate"
