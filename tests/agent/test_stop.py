"""Stop conditions and the step limit: they end the run, they never raise."""

from collections.abc import Sequence

import pytest

from reverie import (
    Agent,
    ConfigurationError,
    FinishReason,
    Step,
    StopReason,
    UnknownCostError,
    Usage,
    cost_limit,
    finish_reason_is,
    has_tool_call,
    step_count_is,
    token_budget,
)
from reverie.agent import DEFAULT_MAX_STEPS
from reverie.testing.fake import ScriptedModel, reply


def ping(n: int) -> str:
    """Ping"""
    return f"pong {n}"


def other(n: int) -> str:
    """Other"""
    return f"other {n}"


def looping(count: int, name: str = "ping", **kwargs: object) -> ScriptedModel:
    """A model that calls ``name`` ``count`` times, each step a new call."""
    return ScriptedModel(
        [reply(tool_calls=[(f"c{i}", name, f'{{"n": {i}}}')], **kwargs) for i in range(count)]  # type: ignore[arg-type]
    )


def assert_complete(result: object, model: ScriptedModel, steps: int) -> None:
    """Every step and message so far is in the result."""
    from reverie import RunResult

    assert isinstance(result, RunResult)
    assert len(result.steps) == steps
    assert len(model.calls) == steps
    assert [s.number for s in result.steps] == list(range(1, steps + 1))
    # user, then assistant + tool per step
    assert len(result.messages) == 1 + 2 * steps
    assert result.messages[1:] == [m for s in result.steps for m in s.messages]
    assert result.usage == sum((s.usage for s in result.steps), Usage())
    last = result.steps[-1]
    assert f"pong {steps - 1}" in [r.output.text for r in last.tool_results]  # type: ignore[union-attr]


def test_default_max_steps_value() -> None:
    assert DEFAULT_MAX_STEPS == 20
    assert Agent(ScriptedModel([])).max_steps == DEFAULT_MAX_STEPS


async def test_default_step_limit_ends_the_run() -> None:
    model = looping(DEFAULT_MAX_STEPS + 5)
    result = await Agent(model, tools=[ping]).run("go")
    assert result.stop_reason is StopReason.STEP_LIMIT
    assert_complete(result, model, DEFAULT_MAX_STEPS)
    assert len(model.responses) == 5  # nothing more was asked of the model


@pytest.mark.parametrize("max_steps", [1, 3, DEFAULT_MAX_STEPS + 7])
async def test_max_steps_can_be_raised_or_lowered(max_steps: int) -> None:
    model = looping(max_steps + 2)
    result = await Agent(model, tools=[ping], max_steps=max_steps).run("go")
    assert result.stop_reason is StopReason.STEP_LIMIT
    assert_complete(result, model, max_steps)


async def test_answer_at_the_last_allowed_step_is_done() -> None:
    model = ScriptedModel([*looping(2).responses, reply("finished")])
    result = await Agent(model, tools=[ping], max_steps=3).run("go")
    assert result.stop_reason is StopReason.DONE
    assert result.text == "finished"
    assert len(result.steps) == 3


async def test_step_count_is() -> None:
    model = looping(10)
    result = await Agent(model, tools=[ping], stop_when=step_count_is(3)).run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 3)


async def test_has_tool_call() -> None:
    model = ScriptedModel(
        [
            reply(tool_calls=[("c0", "ping", '{"n": 0}')]),
            reply(tool_calls=[("x", "other", '{"n": 9}'), ("c1", "ping", '{"n": 1}')]),
            reply(tool_calls=[("c2", "ping", '{"n": 2}')]),
        ]
    )
    agent = Agent(model, tools=[ping, other], stop_when=has_tool_call("other"))
    result = await agent.run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 2)
    # The tools of the stopping step still ran and their results are kept.
    assert [r.tool_name for r in result.steps[-1].tool_results] == ["other", "ping"]


async def test_has_tool_call_that_never_happens() -> None:
    model = ScriptedModel([*looping(3).responses, reply("done")])
    result = await Agent(model, tools=[ping, other], stop_when=has_tool_call("other")).run("go")
    assert result.stop_reason is StopReason.DONE
    assert len(result.steps) == 4


async def test_finish_reason_is() -> None:
    model = ScriptedModel(
        [
            reply(tool_calls=[("c0", "ping", '{"n": 0}')]),
            reply(tool_calls=[("c1", "ping", '{"n": 1}')], finish_reason=FinishReason.LENGTH),
            reply(tool_calls=[("c2", "ping", '{"n": 2}')]),
        ]
    )
    agent = Agent(model, tools=[ping], stop_when=finish_reason_is("length"))
    result = await agent.run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 2)
    assert result.steps[-1].finish_reason is FinishReason.LENGTH


def test_finish_reason_is_rejects_unknown_reasons() -> None:
    with pytest.raises(ValueError):
        finish_reason_is("nonsense")


async def test_token_budget() -> None:
    usage = Usage(input_tokens=60, output_tokens=40, total_tokens=100)
    model = looping(10, usage=usage)
    result = await Agent(model, tools=[ping], stop_when=token_budget(250)).run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 3)
    assert result.usage.total_tokens == 300


async def test_plain_callable_condition_sees_all_steps() -> None:
    seen: list[list[int]] = []

    def condition(steps: Sequence[Step]) -> bool:
        seen.append([s.number for s in steps])
        return sum(len(s.tool_calls) for s in steps) >= 2

    model = looping(10)
    result = await Agent(model, tools=[ping], stop_when=condition).run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 2)
    assert seen == [[1], [1, 2]]


async def test_any_of_several_conditions_stops() -> None:
    model = looping(10)
    agent = Agent(model, tools=[ping], stop_when=[step_count_is(5), lambda steps: len(steps) == 2])
    result = await agent.run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 2)


async def test_conditions_are_not_checked_after_an_answer() -> None:
    calls: list[int] = []

    def condition(steps: Sequence[Step]) -> bool:
        calls.append(len(steps))
        return True

    model = ScriptedModel([reply("just text")])
    result = await Agent(model, stop_when=condition).run("go")
    assert result.stop_reason is StopReason.DONE
    assert calls == []


async def test_stop_condition_wins_over_step_limit() -> None:
    model = looping(10)
    result = await Agent(model, tools=[ping], max_steps=2, stop_when=step_count_is(2)).run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert len(result.steps) == 2


def costing(cost: float | None) -> Usage:
    source = None if cost is None else "provider"
    return Usage(input_tokens=10, output_tokens=5, total_tokens=15, cost=cost, cost_source=source)


async def test_cost_limit_stops_after_the_step_that_reaches_it() -> None:
    model = looping(10, usage=costing(0.01))
    result = await Agent(model, tools=[ping], stop_when=cost_limit(0.025)).run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert_complete(result, model, 3)
    assert result.usage.cost == pytest.approx(0.03)


async def test_cost_limit_counts_estimates_from_a_price_set() -> None:
    from reverie.pricing import clear_prices, priced, set_price

    set_price("script", input_per_mtok=1.0, output_per_mtok=1.0, provider="scripted")
    try:  # what a provider does to each answer, done here to the scripted ones
        usage = priced(Usage(input_tokens=1_000_000), "scripted", "script")
    finally:
        clear_prices()
    model = looping(10, usage=usage)
    result = await Agent(model, tools=[ping], stop_when=cost_limit(2.5)).run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION
    assert len(result.steps) == 3 and result.usage.cost == pytest.approx(3.0)
    assert result.usage.cost_source == "estimate"


async def test_cost_limit_raises_at_a_step_whose_cost_is_unknown() -> None:
    model = looping(10, usage=costing(None))
    agent = Agent(model, tools=[ping], stop_when=cost_limit(1.0))
    with pytest.raises(UnknownCostError, match="step 1, scripted:script, is unknown") as caught:
        await agent.run("go")
    assert "set_price" in str(caught.value)
    assert len(caught.value.partial.steps) == 1  # type: ignore[attr-defined]
    assert isinstance(caught.value, ConfigurationError)


async def test_cost_limit_can_stop_at_or_ignore_an_unknown_cost() -> None:
    stopping = looping(10, usage=costing(None))
    agent = Agent(stopping, tools=[ping], stop_when=cost_limit(1.0, unknown="stop"))
    result = await agent.run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION and len(result.steps) == 1
    script = [costing(None), costing(0.4), costing(None), costing(0.4), costing(0.4)]
    ignoring = ScriptedModel(
        [
            reply(tool_calls=[(f"c{i}", "ping", f'{{"n": {i}}}')], usage=u)
            for i, u in enumerate(script)
        ]
    )
    agent = Agent(ignoring, tools=[ping], stop_when=cost_limit(1.0, unknown="ignore"))
    result = await agent.run("go")
    assert result.stop_reason is StopReason.STOP_CONDITION and len(result.steps) == 5
    assert result.usage.cost is None  # the total is unknown; the limit counted what is known


def test_cost_limit_counts_a_step_without_a_model_call_as_free() -> None:
    condition = cost_limit(0.5)
    resumed = Step(number=0, content=[], messages=[], finish_reason=FinishReason.TOOL_CALLS)
    priced = Step(
        number=1, content=[], messages=[], finish_reason=FinishReason.STOP, usage=costing(0.4)
    )
    assert condition([resumed, priced]) is False
    unreported = Step(
        number=2,
        content=[],
        messages=[],
        finish_reason=FinishReason.STOP,
        usage=Usage(reported=False),
    )
    with pytest.raises(UnknownCostError, match="reported no usage"):
        condition([resumed, priced, unreported])


@pytest.mark.parametrize(
    ("usd", "options"),
    [(0, {}), (-1, {}), (float("nan"), {}), (float("inf"), {}), (True, {}), ("1", {}),
     (1.0, {"unknown": "skip"})],
)  # fmt: skip
def test_cost_limit_refuses_a_limit_that_is_not_a_positive_amount(
    usd: object, options: dict[str, object]
) -> None:
    with pytest.raises(ConfigurationError):
        cost_limit(usd, **options)  # type: ignore[arg-type]
