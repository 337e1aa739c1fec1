"""An agent's or a run's ``retry=`` travels on each Call, for the provider's HTTP client to
prefer over its own policy."""

from __future__ import annotations

import pytest

from reverie import Agent, RetryPolicy
from reverie.testing.fake import ScriptedModel, reply


def add(a: int, b: int) -> int:
    """Add"""
    return a + b


def script() -> ScriptedModel:
    return ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 1, "b": 2}')]), reply("3")])


async def test_the_agent_retry_policy_is_on_every_call() -> None:
    policy = RetryPolicy(max_retries=5)
    model = script()
    await Agent(model, tools=[add], retry=policy).run("go")
    assert [c.retry for c in model.calls] == [policy, policy]


async def test_a_run_retry_policy_wins_over_the_agent_one() -> None:
    agent_policy, run_policy = RetryPolicy(max_retries=5), RetryPolicy(max_retries=0)
    model = script()
    await Agent(model, tools=[add], retry=agent_policy).stream("go", retry=run_policy).collect()
    assert [c.retry for c in model.calls] == [run_policy, run_policy]


async def test_without_retry_the_provider_keeps_its_own() -> None:
    model = script()
    await Agent(model, tools=[add]).run("go")
    assert [c.retry for c in model.calls] == [None, None]


async def test_a_retry_that_is_not_a_policy_is_refused() -> None:
    with pytest.raises(TypeError, match=r"retry must be reverie\.RetryPolicy"):
        Agent(script(), retry=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"retry must be reverie\.RetryPolicy"):
        await Agent(script()).run("go", retry={"max_retries": 1})  # type: ignore[typeddict-item]
