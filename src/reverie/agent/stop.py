"""Stop conditions: checked after every step that ran tools; any true one ends the run."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reverie.agent.result import Step
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
