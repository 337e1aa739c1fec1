"""Stop conditions: checked after every step that ran tools; any true one ends the run."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal

from reverie.agent.result import Step
from reverie.errors import ConfigurationError, UnknownCostError
from reverie.finish_reason import FinishReason

StopCondition = Callable[[Sequence[Step]], bool]


def step_count_is(count: int) -> StopCondition:
    """Stop once ``count`` model steps have run (as ``max_steps`` counts: a resumed run's
    step 0, the decided calls' results, is none)."""
    return lambda steps: bool(steps) and steps[-1].number >= count


def has_tool_call(name: str) -> StopCondition:
    """Stop after a step in which the model called tool ``name``."""
    return lambda steps: bool(steps) and any(c.tool_name == name for c in steps[-1].tool_calls)


def finish_reason_is(reason: FinishReason | str) -> StopCondition:
    """Stop after a step that finished for ``reason``."""
    wanted = FinishReason(reason)
    return lambda steps: bool(steps) and steps[-1].finish_reason == wanted


def token_budget(total_tokens: int) -> StopCondition:
    """Stop once the run has used ``total_tokens`` tokens or more."""
    return lambda steps: sum(s.usage.total_tokens for s in steps) >= total_tokens


def cost_limit(
    usd: float, *, unknown: Literal["raise", "stop", "ignore"] = "raise"
) -> StopCondition:
    """Stop once the run has cost ``usd`` US dollars or more (``usage.cost``: the provider's
    figure or reverie's estimate, see :mod:`reverie.pricing`). Like :func:`token_budget`, it
    is checked after each step, so the run stops after the step that reaches it.

    A step whose model call has no known cost (no price for its model, or no usage
    reported) cannot be counted. ``unknown`` says what happens then: ``"raise"`` (the
    default) raises :class:`~reverie.UnknownCostError` after that step, so a budget is never
    silently not enforced; ``"stop"`` ends the run there as if the limit were reached;
    ``"ignore"`` counts only the costs that are known. A step without a model call (a
    resumed run's step 0) costs nothing.
    """
    if isinstance(usd, bool) or not isinstance(usd, int | float):
        raise ConfigurationError("cost_limit: usd must be a number of US dollars")
    if not math.isfinite(usd) or usd <= 0:
        raise ConfigurationError("cost_limit: usd must be a finite number above 0")
    if unknown not in ("raise", "stop", "ignore"):
        raise ConfigurationError("cost_limit: unknown must be 'raise', 'stop' or 'ignore'")

    def reached(steps: Sequence[Step]) -> bool:
        spent = 0.0
        for step in steps:
            usage = step.usage
            if usage.cost is not None:
                spent += usage.cost
            elif usage.empty or unknown == "ignore":
                continue
            elif unknown == "stop":
                return True
            else:
                raise UnknownCostError(_unknown(step))
        return spent >= usd

    return reached


def _unknown(step: Step) -> str:
    """Why step ``step`` has no cost, and what to do."""
    from reverie.pricing import table_available

    model = step.model + (f" (answered as {step.model_id!r})" if step.model_id else "")
    if not step.usage.reported:
        why = "its provider reported no usage"
    else:
        why = "no price is known for it: give one with reverie.pricing.set_price(...)"
        if not table_available():
            why += " or install the price table (pip install 'reverie[prices]')"
    return (
        f"cost_limit: the cost of step {step.number}, {model}, is unknown: {why}; "
        "or use cost_limit(..., unknown='stop' or 'ignore')"
    )
