"""A run takes the agent's flat sampling keywords; the public names say what they are."""

from __future__ import annotations

import pytest

import reverie
from reverie import Agent, ConfigurationError, Settings
from reverie.testing import ScriptedModel, reply


async def test_a_run_takes_the_sampling_keywords_flat_and_they_win() -> None:
    model = ScriptedModel([reply("a"), reply("b"), reply("c")])
    agent = Agent(model, temperature=0.5, seed=3, max_output_tokens=100)

    await agent.run("hi", temperature=0.9, stop_sequences=["END"])
    sent = model.calls[0].settings
    assert (sent.temperature, sent.seed, sent.max_output_tokens) == (0.9, 3, 100)
    assert sent.stop_sequences == ("END",)

    # settings= still works (older code); a flat keyword wins over it.
    await agent.run("hi", settings=Settings(temperature=0.7, top_p=0.5), temperature=0.1)
    sent = model.calls[1].settings
    assert (sent.temperature, sent.top_p, sent.seed) == (0.1, 0.5, 3)

    await agent.run("hi")  # nothing carried over from the runs before
    assert model.calls[2].settings == agent.settings


async def test_flat_run_keywords_are_checked_like_the_agents() -> None:
    agent = Agent(ScriptedModel([]))
    with pytest.raises(ConfigurationError, match="stop_sequences must be a list of str"):
        await agent.run("hi", stop_sequences="END")  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match="unknown run option 'temprature'"):
        await agent.run("hi", temprature=0.2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unknown run option"):
        agent.stream("hi", max_concurrency=2)  # type: ignore[call-arg]


def test_parallel_tool_calls_are_bounded_by_max_parallel_tools() -> None:
    assert (
        Agent(ScriptedModel([])).max_parallel_tools == reverie.agent.DEFAULT_MAX_PARALLEL_TOOLS == 8
    )
    assert Agent(ScriptedModel([]), max_parallel_tools=2).max_parallel_tools == 2
    with pytest.raises(TypeError, match="max_concurrency"):
        Agent(ScriptedModel([]), max_concurrency=2)  # type: ignore[call-arg]


def test_the_context_types_say_who_gets_them_and_the_old_names_are_gone() -> None:
    assert reverie.ToolRunContext.__name__ == "ToolRunContext"  # given to a running tool
    assert reverie.ToolHookContext.__name__ == "ToolHookContext"  # given to hooks, policies
    for old in ("ToolContext", "ToolCallContext"):
        assert old not in reverie.__all__
        assert not hasattr(reverie, old)


def test_the_callback_types_are_public() -> None:
    for name in (
        "StopCondition",
        "PrepareStep",
        "BeforeTool",
        "AfterTool",
        "RepairToolCall",
        "ApprovalDecision",
        "ApprovalPolicy",
        "RunOptions",
    ):
        assert name in reverie.__all__
        assert getattr(reverie, name) is getattr(reverie.agent, name)


def test_help_on_the_agent_lists_every_run_option() -> None:
    import pydoc

    from reverie.agent.options import RunOptions

    for page in (pydoc.render_doc(Agent), pydoc.render_doc(Agent.run)):
        text = pydoc.plain(page)
        for option in RunOptions.__annotations__:
            assert f"``{option}``" in text, option
        assert "Run options" in text
