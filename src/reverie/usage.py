"""Token usage and cost of one model call, or summed over a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

CostSource: TypeAlias = Literal["provider", "estimate"]
"""Where a cost comes from: the provider's own figure, or reverie's estimate from a price (the
``genai-prices`` table, or one given with ``reverie.pricing.set_price``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    """Tokens a call consumed, with one meaning whatever the provider family.

    Every provider maps its own report onto these meanings, so figures from different
    providers can be compared and summed:

    - ``input_tokens``: every prompt token, including those read from the cache and those
      written to it (where a provider reports those apart, as Anthropic does, they are
      added in).
    - ``cache_read_tokens``: the part of ``input_tokens`` served from the provider's cache.
    - ``cache_write_tokens``: the part of ``input_tokens`` written to the provider's cache.
    - ``output_tokens``: every generated token, reasoning included (where a provider
      reports reasoning apart, as Gemini does, it is added in).
    - ``reasoning_tokens``: the part of ``output_tokens`` spent on reasoning.
    - ``total_tokens``: the provider's own total when it reports one, else
      ``input_tokens + output_tokens``.
    - ``cost``: US dollars, or ``None`` when unknown (never 0 for "unknown"). It is the
      provider's own figure when it reports one (OpenRouter does), else an estimate from
      the price of the model the response names (see :mod:`reverie.pricing`).
    - ``cost_source``: ``"provider"`` or ``"estimate"`` saying which; ``None`` with no cost.
    - ``reported``: ``False`` when the provider reported no usage at all for the call (a
      stream that ended without it): its counts read 0 but are not known, and its cost is
      ``None``.

    A count the provider does not report is 0.

    Summing (``a + b``): counts add. The cost of a sum is known only when the cost of every
    part is: ``None`` plus a figure is ``None``, since a total that leaves a call out would
    read as real. An *empty* usage (no token counted, no cost, not unreported: a step that
    made no model call, or the start of a sum) adds nothing and leaves the cost as it is. A
    sum's ``cost_source`` is ``"provider"`` only when every priced part's is; with one
    estimated part it is ``"estimate"``. It is ``reported`` when every part is.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float | None = None
    cost_source: CostSource | None = None
    reported: bool = True

    @property
    def empty(self) -> bool:
        """No token counted, no cost and nothing unreported: what a step without a model
        call has. An empty usage is the neutral element of ``+``."""
        return (
            self.cost is None
            and self.reported
            and not (
                self.input_tokens
                or self.output_tokens
                or self.total_tokens
                or self.reasoning_tokens
                or self.cache_read_tokens
                or self.cache_write_tokens
            )
        )

    def __add__(self, other: Usage) -> Usage:
        if other.empty:
            return self
        if self.empty:
            return other
        cost: float | None = None
        source: CostSource | None = None
        if self.cost is not None and other.cost is not None:
            cost = self.cost + other.cost
            source = self.cost_source if self.cost_source == other.cost_source else "estimate"
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cost=cost,
            cost_source=source,
            reported=self.reported and other.reported,
        )
