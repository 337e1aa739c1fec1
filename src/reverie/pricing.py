"""What model calls cost, in US dollars: the provider's own figure, else an estimate.

A response's ``usage.cost`` is the provider's own figure when it reports one (OpenRouter
does, in its ``usage``; ``usage.cost_source == "provider"``). Otherwise reverie estimates it
(``cost_source == "estimate"``) from a price per million tokens, looked up first for the model
id the response names and then, when that has no price, for the id that was requested:

1. a price given with :func:`set_price` (for one provider, or for any);
2. the ``genai-prices`` table (Pydantic's maintained price list: ``pip install
   'reverie[prices]'``), read under the provider's own name in the table: OpenAI (chat and
   Responses), Azure, Anthropic, Google's Gemini API, Vertex AI (Gemini, and Claude at
   Anthropic's prices), Bedrock, OpenRouter, and the Vercel AI Gateway (a ``creator/model``
   id at its creator's price). It is imported the first time a cost is estimated, never by
   ``import reverie``.

An OpenAI-compatible server (``openai-compat``) and the in-process ``local`` model are priced
only by :func:`set_price`: a self-hosted model named ``gpt-4o`` does not cost what OpenAI
charges. Without a price the cost is ``None``, never 0. Cache reads and writes and reasoning
tokens are priced at the table's own rates for them (a :class:`Price` without them prices
them as input and output).

The table's prices may depend on the date (a price that changed, an off-peak discount): an
estimate uses the prices in force when the response arrives. The price found for a model is
kept for the process, so estimating costs a dictionary lookup and a few multiplications.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reverie.errors import ConfigurationError
from reverie.usage import Usage

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Price", "clear_prices", "estimate", "price_of", "remove_price", "set_price"]

_MTOK = 1_000_000

TABLE_PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "openai-responses": "openai",
    "azure": "azure",
    "anthropic": "anthropic",
    "google": "google",
    "vertex": "google",
    "bedrock": "aws",
    "openrouter": "openrouter",
    "vercel": "",  # a "creator/model" id: the creator's own entry
}
"""reverie's provider names → the provider ids of the ``genai-prices`` table. A provider not
here (``openai-compat``, ``local``, one registered by an application) is priced only by
:func:`set_price`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Price:
    """A model's price in US dollars per million tokens.

    ``input_per_mtok`` prices the prompt tokens not read from or written to the cache,
    ``output_per_mtok`` the generated ones not spent on reasoning; a rate left ``None``
    (cache reads, cache writes, reasoning) is the input's (cache) or the output's
    (reasoning) rate.
    """

    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float | None = None
    cache_write_per_mtok: float | None = None
    reasoning_per_mtok: float | None = None

    def __post_init__(self) -> None:
        for name in _RATES:
            value = getattr(self, name)
            if value is None and name in ("input_per_mtok", "output_per_mtok"):
                raise ConfigurationError(f"Price: {name} is required")
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(f"Price: {name} must be a number")
            if not math.isfinite(value) or value < 0:
                raise ConfigurationError(f"Price: {name} must be a finite number, 0 or more")

    def cost(self, usage: Usage) -> float:
        """What ``usage`` costs at this price, in US dollars."""
        read, write = usage.cache_read_tokens, usage.cache_write_tokens
        reasoning = usage.reasoning_tokens
        plain_input = max(usage.input_tokens - read - write, 0)
        plain_output = max(usage.output_tokens - reasoning, 0)
        input_rate, output_rate = self.input_per_mtok, self.output_per_mtok
        total = (
            plain_input * input_rate
            + read * _or(self.cache_read_per_mtok, input_rate)
            + write * _or(self.cache_write_per_mtok, input_rate)
            + plain_output * output_rate
            + reasoning * _or(self.reasoning_per_mtok, output_rate)
        )
        return total / _MTOK


_RATES = (
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "reasoning_per_mtok",
)


def _or(rate: float | None, default: float) -> float:
    return default if rate is None else rate


_lock = threading.Lock()
_overrides: dict[tuple[str | None, str], Price] = {}
_found: dict[tuple[str, str], Callable[[Usage], float | None] | None] = {}
"""(provider, model id) → how to price it (or ``None``: no price), kept for the process."""


def set_price(
    model_id: str,
    *,
    input_per_mtok: float,
    output_per_mtok: float,
    cache_read_per_mtok: float | None = None,
    cache_write_per_mtok: float | None = None,
    reasoning_per_mtok: float | None = None,
    provider: str | None = None,
) -> Price:
    """Price ``model_id`` (US dollars per million tokens) for ``provider`` (a provider name
    such as ``"openai-compat"``), or for every provider when ``provider`` is ``None``.

    A price set here wins over the ``genai-prices`` table, never over a cost the provider
    reports itself. For a provider, its own price wins over one set for every provider.
    """
    if not isinstance(model_id, str) or not model_id:
        raise ConfigurationError("set_price: model_id must be a non-empty str")
    if provider is not None and (not isinstance(provider, str) or not provider):
        raise ConfigurationError("set_price: provider must be a non-empty str or None")
    price = Price(
        input_per_mtok=input_per_mtok,
        output_per_mtok=output_per_mtok,
        cache_read_per_mtok=cache_read_per_mtok,
        cache_write_per_mtok=cache_write_per_mtok,
        reasoning_per_mtok=reasoning_per_mtok,
    )
    with _lock:
        _overrides[(provider, model_id)] = price
        _found.clear()
    return price


def remove_price(model_id: str, *, provider: str | None = None) -> None:
    """Forget a price given with :func:`set_price` (nothing happens if there is none)."""
    with _lock:
        _overrides.pop((provider, model_id), None)
        _found.clear()


def clear_prices() -> None:
    """Forget every price given with :func:`set_price`."""
    with _lock:
        _overrides.clear()
        _found.clear()


def price_of(provider: str, model_id: str) -> Price | None:
    """The price given with :func:`set_price` that applies to ``model_id`` on ``provider``."""
    return _overrides.get((provider, model_id)) or _overrides.get((None, model_id))


def estimate(usage: Usage, *, provider: str, model_id: str) -> float | None:
    """What reverie estimates ``usage`` cost on ``provider``'s ``model_id``, in US dollars,
    or ``None`` with no price for it (see the module's documentation for where prices come
    from). The provider's own figure, if ``usage`` holds one, is not looked at."""
    key = (provider, model_id)
    try:
        pricer = _found[key]
    except KeyError:
        pricer = _find(provider, model_id)
        with _lock:
            _found[key] = pricer
    return None if pricer is None else pricer(usage)


def priced(usage: Usage, provider: str, model_id: str, requested: str = "") -> Usage:
    """``usage`` with its cost: the provider's own figure when it has one, else the
    estimate for ``model_id`` (the response's) or, with no price for it, for ``requested``.
    Usage the provider did not report, or with no token counted, is left unpriced."""
    if usage.cost is not None:
        return usage if usage.cost_source is not None else replace(usage, cost_source="provider")
    if not usage.reported or not (usage.input_tokens or usage.output_tokens):
        return usage
    cost = estimate(usage, provider=provider, model_id=model_id) if model_id else None
    if cost is None and requested and requested != model_id:
        cost = estimate(usage, provider=provider, model_id=requested)
    if cost is None:
        return usage
    return replace(usage, cost=cost, cost_source="estimate")


def _find(provider: str, model_id: str) -> Callable[[Usage], float | None] | None:
    price = price_of(provider, model_id)
    if price is not None:
        return price.cost
    table_id = TABLE_PROVIDERS.get(provider)
    if table_id is None:
        return None
    if not table_id:  # a gateway's "creator/model"
        creator, slash, model_id = model_id.partition("/")
        if not slash or not creator or not model_id:
            return None
        table_id = creator
    from reverie import _price_table

    return _price_table.pricer(table_id, model_id)


def table_available() -> bool:
    """Whether the ``genai-prices`` table can be read (the ``prices`` extra is installed)."""
    from reverie import _price_table

    return _price_table.load() is not None
