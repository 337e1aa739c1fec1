"""Token usage and cost of one model call, or summed over a run."""

from __future__ import annotations

from dataclasses import dataclass


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
    - ``cost``: the provider's own figure (for example OpenRouter's, in US dollars), never
      an estimate of ours; ``None`` when no provider reported one.

    A count the provider does not report is 0.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost: float | None = None

    def __add__(self, other: Usage) -> Usage:
        if self.cost is None and other.cost is None:
            cost = None
        else:
            cost = (self.cost or 0.0) + (other.cost or 0.0)
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            cost=cost,
        )
