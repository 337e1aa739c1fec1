"""The ``genai-prices`` table behind reverie's cost estimates (the ``prices`` extra).

Imported by :mod:`reverie.pricing` the first time a cost is estimated from the table. A
model's price is usually linear in the token counts: it is then read once, as a rate per
token for each count reverie reports (found by asking the table for the cost of a million
tokens of each kind), and an estimate is a few multiplications. A price that is not (tiers
by prompt size) is asked of the table for every response.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import cache
from typing import Any

from reverie.usage import Usage

_M = 1_000_000
_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_reasoning_tokens",
)
"""The table's usage keys for what reverie counts (its units nest as ours do: cache reads
and writes are part of the input, reasoning part of the output)."""


@cache
def load() -> Any:
    """The table (genai-prices' snapshot), or ``None`` when the extra is not installed."""
    try:
        from genai_prices import data_snapshot
    except ImportError:
        return None
    return data_snapshot.get_snapshot()


def pricer(provider_id: str, model_id: str) -> TablePrice | None:
    """How to price ``model_id`` at ``provider_id`` in the table, or ``None`` if it has no
    entry for it (or the table is not installed)."""
    snapshot = load()
    if snapshot is None:
        return None
    try:
        provider, model = snapshot.find_provider_model(model_id, None, provider_id, None)
    except LookupError:
        return None
    return TablePrice(provider, model)


class TablePrice:
    """One model's entry in the table; calling it prices a usage (``None``: it cannot)."""

    __slots__ = ("_linear", "_model", "_provider")

    def __init__(self, provider: Any, model: Any) -> None:
        self._provider = provider
        self._model = model
        self._linear: dict[int, tuple[Any, tuple[float, ...] | None]] = {}

    def __call__(self, usage: Usage) -> float | None:
        prices = self._model.get_prices(datetime.now(tz=UTC))  # the prices in force now
        known = self._linear.get(id(prices))
        if known is None or known[0] is not prices:
            known = (prices, _rates(prices))
            self._linear[id(prices)] = known
        rates = known[1]
        if rates is None:
            return _calc(prices, _counts(usage))
        base, plain_in, read, write, plain_out, reasoning = rates
        plain_input = usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens
        return (
            base
            + max(plain_input, 0) * plain_in
            + usage.cache_read_tokens * read
            + usage.cache_write_tokens * write
            + max(usage.output_tokens - usage.reasoning_tokens, 0) * plain_out
            + usage.reasoning_tokens * reasoning
        )


def _counts(usage: Usage) -> tuple[int, ...]:
    return (
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        usage.reasoning_tokens,
    )


def _calc(prices: Any, counts: tuple[int, ...]) -> float | None:
    """The table's own calculation, or ``None`` where it refuses the counts."""
    from genai_prices import Usage as TableUsage

    try:
        total = prices.calc_price(TableUsage(**dict(zip(_KEYS, counts, strict=True))))
    except ValueError:
        return None
    return float(total["total_price"])


def _rates(prices: Any) -> tuple[float, ...] | None:
    """(per request, then per token: input not cached, cache read, cache write, output not
    reasoning, reasoning), or ``None`` when the price is not linear in the counts."""
    base = _calc(prices, (0, 0, 0, 0, 0))
    probes = (
        (_M, 0, 0, 0, 0),
        (_M, 0, _M, 0, 0),
        (_M, 0, 0, _M, 0),
        (0, _M, 0, 0, 0),
        (0, _M, 0, 0, _M),
    )
    costs = [_calc(prices, probe) for probe in probes]
    if base is None or None in costs:
        return None
    rates = (base, *(((cost or 0.0) - base) / _M for cost in costs))
    # the same rates must give the table's figure for a mix of every kind, or it is not linear
    mixed = (3 * _M, 2 * _M, _M, _M // 2, _M // 3)
    table = _calc(prices, mixed)
    ours = base + (
        (mixed[0] - mixed[2] - mixed[3]) * rates[1]
        + mixed[2] * rates[2]
        + mixed[3] * rates[3]
        + (mixed[1] - mixed[4]) * rates[4]
        + mixed[4] * rates[5]
    )
    if table is None or not math.isclose(table, ours, rel_tol=1e-9, abs_tol=1e-12):
        return None
    return rates
