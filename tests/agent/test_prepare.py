"""The prepare-step hook: what it sees, and what it may change for one step."""

from reverie import (
    Agent,
    Message,
    Settings,
    StepContext,
    StepPlan,
    StopReason,
    TextPart,
    assistant_message,
    system_message,
    user_message,
)
from reverie.testing.fake import ScriptedModel, reply


def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two numbers"""
    return a * b


def weather(location: str) -> str:
    """Get weather information for a location"""
    return "40 C"


def two_steps() -> list:  # type: ignore[type-arg]
    return [reply(tool_calls=[("c1", "add", '{"a": 1, "b": 2}')]), reply("3")]


async def test_context_shows_what_will_be_sent() -> None:
    contexts: list[StepContext] = []

    def prepare(context: StepContext) -> None:
        contexts.append(context)

    model = ScriptedModel(two_steps())
    agent = Agent(
        model,
        system="sys",
        tools=[add, weather],
        tool_choice="auto",
        temperature=0.5,
        prepare_step=prepare,
    )
    result = await agent.run("1+2?")

    assert [c.number for c in contexts] == [1, 2]
    first, second = contexts
    assert list(first.messages) == [system_message("sys"), user_message("1+2?")]
    assert list(first.steps) == []
    assert list(second.messages) == [system_message("sys"), *result.messages[:3]]
    assert list(second.steps) == [result.steps[0]]
    for context, call in zip(contexts, model.calls, strict=True):
        assert list(context.messages) == list(call.prompt)
        assert context.model is model
        assert [t.name for t in context.tools] == ["add", "weather"]
        assert context.tool_choice == "auto"
        assert context.settings == Settings(temperature=0.5)


async def test_returning_none_changes_nothing() -> None:
    plain = ScriptedModel(two_steps())
    hooked = ScriptedModel(two_steps())
    await Agent(plain, system="s", tools=[add], tool_choice="auto", seed=3).run("x")
    await Agent(
        hooked, system="s", tools=[add], tool_choice="auto", seed=3, prepare_step=lambda c: None
    ).run("x")
    assert hooked.calls == plain.calls


async def test_empty_plan_changes_nothing() -> None:
    plain = ScriptedModel(two_steps())
    hooked = ScriptedModel(two_steps())
    await Agent(plain, system="s", tools=[add], tool_choice="auto").run("x")
    await Agent(
        hooked, system="s", tools=[add], tool_choice="auto", prepare_step=lambda c: StepPlan()
    ).run("x")
    assert hooked.calls == plain.calls


async def test_swap_the_model_for_one_step() -> None:
    main = ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 1, "b": 2}')]), reply("main")])
    other = ScriptedModel([reply("other says 3")], provider="other", model_id="big")

    def prepare(context: StepContext) -> StepPlan | None:
        return StepPlan(model=other) if context.number == 2 else None

    result = await Agent(main, tools=[add], prepare_step=prepare).run("1+2?")
    assert len(main.calls) == 1
    assert len(other.calls) == 1
    assert [m.role for m in other.calls[0].prompt] == ["user", "assistant", "tool"]
    assert result.text == "other says 3"
    assert [s.model for s in result.steps] == ["scripted:script", "other:big"]
    assert main.responses == [reply("main")]  # untouched


async def test_replace_messages_for_one_step_only() -> None:
    model = ScriptedModel(two_steps())
    short = [user_message("summarised")]

    def prepare(context: StepContext) -> StepPlan | None:
        return StepPlan(messages=short) if context.number == 2 else None

    agent = Agent(model, system="sys", tools=[add], prepare_step=prepare)
    result = await agent.run("1+2?")

    assert list(model.calls[1].prompt) == short
    # The history is what actually happened, not the replacement.
    assert [m.role for m in result.messages] == ["user", "assistant", "tool", "assistant"]
    assert result.messages[0] == user_message("1+2?")
    assert result.messages[-1] == assistant_message("3")

    # Continuing the conversation uses the full history.
    model.responses.append(reply("more"))
    agent.prepare_step = None
    await agent.run("more?", messages=result.messages)
    assert list(model.calls[2].prompt) == [
        system_message("sys"),
        *result.messages,
        user_message("more?"),
    ]


async def test_replace_system() -> None:
    seen: list[list[Message]] = []

    def prepare(context: StepContext) -> StepPlan:
        seen.append(list(context.messages))
        return StepPlan(system=f"step {context.number}")

    model = ScriptedModel(two_steps())
    result = await Agent(model, system="orig", tools=[add], prepare_step=prepare).run("1+2?")
    assert list(model.calls[0].prompt) == [system_message("step 1"), user_message("1+2?")]
    assert list(model.calls[1].prompt) == [system_message("step 2"), *result.messages[:3]]
    # The replacement does not leak into the next step's context.
    assert seen[1][0] == system_message("orig")
    assert len([m for m in model.calls[1].prompt if m.role == "system"]) == 1


async def test_system_for_an_agent_without_one() -> None:
    model = ScriptedModel([reply("ok")])
    await Agent(model, prepare_step=lambda c: StepPlan(system="new")).run("hi")
    assert list(model.calls[0].prompt) == [system_message("new"), user_message("hi")]


async def test_restrict_active_tools() -> None:
    def prepare(context: StepContext) -> StepPlan:
        return StepPlan(active_tools=["add"] if context.number == 1 else ["multiply", "weather"])

    model = ScriptedModel(two_steps())
    await Agent(model, tools=[add, multiply, weather], prepare_step=prepare).run("1+2?")
    assert [t.name for t in model.calls[0].tools] == ["add"]
    assert [t.name for t in model.calls[1].tools] == ["multiply", "weather"]


async def test_inactive_tool_is_not_run() -> None:
    model = ScriptedModel(two_steps())
    result = await Agent(
        model, tools=[add, weather], prepare_step=lambda c: StepPlan(active_tools=["weather"])
    ).run("1+2?")
    [call] = result.steps[0].tool_calls
    assert call.invalid
    assert result.steps[0].tool_results[0].output.type == "error"


async def test_replace_tools() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "multiply", '{"a": 2, "b": 3}')]), reply("")])
    result = await Agent(model, tools=[add], prepare_step=lambda c: StepPlan(tools=[multiply])).run(
        "2*3"
    )
    assert [t.name for t in model.calls[0].tools] == ["multiply"]
    assert result.steps[0].tool_results[0].output.text == "6"  # type: ignore[union-attr]


async def test_change_tool_choice() -> None:
    def prepare(context: StepContext) -> StepPlan | None:
        return StepPlan(tool_choice="add") if context.number == 1 else None

    model = ScriptedModel(two_steps())
    await Agent(model, tools=[add], tool_choice="auto", prepare_step=prepare).run("1+2?")
    assert [c.tool_choice for c in model.calls] == ["add", "auto"]


async def test_change_settings_and_options() -> None:
    def prepare(context: StepContext) -> StepPlan | None:
        if context.number == 1:
            return StepPlan(
                settings=Settings(temperature=0.0, max_output_tokens=10),
                provider_options={"openai": {"b": 2}},
            )
        return None

    model = ScriptedModel(two_steps())
    agent = Agent(
        model,
        tools=[add],
        temperature=0.7,
        seed=1,
        provider_options={"openai": {"a": 1}},
        prepare_step=prepare,
    )
    await agent.run("1+2?")
    assert model.calls[0].settings == Settings(temperature=0.0, max_output_tokens=10, seed=1)
    assert model.calls[1].settings == Settings(temperature=0.7, seed=1)
    assert model.calls[0].provider_options == {"openai": {"a": 1, "b": 2}}
    assert model.calls[1].provider_options == {"openai": {"a": 1}}


async def test_async_prepare_step() -> None:
    numbers: list[int] = []

    async def prepare(context: StepContext) -> StepPlan:
        numbers.append(context.number)
        return StepPlan(system="async", active_tools=["add"])

    model = ScriptedModel(two_steps())
    result = await Agent(model, tools=[add, weather], prepare_step=prepare).run("1+2?")
    assert numbers == [1, 2]
    assert result.stop_reason is StopReason.DONE
    for call in model.calls:
        assert call.prompt[0] == Message(role="system", content=(TextPart(text="async"),))
        assert [t.name for t in call.tools] == ["add"]


async def test_async_prepare_step_returning_none() -> None:
    async def prepare(context: StepContext) -> None:
        return None

    model = ScriptedModel(two_steps())
    result = await Agent(model, system="s", tools=[add], prepare_step=prepare).run("1+2?")
    assert result.text == "3"
    assert model.calls[0].prompt[0] == system_message("s")
