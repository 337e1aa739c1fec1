"""One input's run, and an agent whose requests go through a rate limiter: what both engines
(the local one and each Ray worker) do with an agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reverie.batch.items import BatchItem, Input

if TYPE_CHECKING:
    from reverie.agent import Agent
    from reverie.batch.limits import LimitedModel


async def run_one(agent: Agent, index: int, value: Input) -> BatchItem:
    """One input's run; any failure is the item's ``error``, never raised."""
    try:
        if isinstance(value, str):
            result = await agent.run(value)
        else:
            result = await agent.run(messages=value)
    except Exception as error:  # isolated: one bad input never ends the batch
        return BatchItem(index, value, error=error)
    return BatchItem(index, value, result=result)


def limited(agent: Agent, model: LimitedModel) -> Agent:
    """A copy of ``agent`` whose requests go through ``model`` (the caller's is unchanged)."""
    import copy

    twin = copy.copy(agent)
    twin.model = model
    return twin
