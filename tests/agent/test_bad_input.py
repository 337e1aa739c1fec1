"""Bad input is refused when it is given, with a message naming the argument (and never a
value that could be a secret), instead of being misread on the wire or failing later."""

from __future__ import annotations

from typing import Any

import pytest

from reverie import (
    Agent,
    ConfigurationError,
    Message,
    ProviderTool,
    Settings,
    StepPlan,
    TextPart,
    Tool,
    tool,
    user_message,
)
from reverie.testing.fake import ScriptedModel, reply


def weather(city: str) -> str:
    """The weather"""
    return "sunny"


def model() -> ScriptedModel:
    return ScriptedModel([reply("ok")])


def test_stop_sequences_as_a_str_is_refused() -> None:
    with pytest.raises(
        ConfigurationError, match=r"stop_sequences must be a list of str.*\['END'\]"
    ):
        Agent(model(), stop_sequences="END")
    with pytest.raises(ConfigurationError, match="stop_sequences"):
        Settings(stop_sequences="END")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="stop_sequences must hold str"):
        Settings(stop_sequences=("END", 3))  # type: ignore[arg-type]
    assert Settings(stop_sequences=["END"]).stop_sequences == ("END",)  # type: ignore[arg-type]


def test_settings_of_the_wrong_type_are_refused() -> None:
    with pytest.raises(TypeError, match="temperature must be a number, not str"):
        Agent(model(), temperature="0.2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_output_tokens must be an int"):
        Settings(max_output_tokens=1.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_output_tokens must be at least 1"):
        Agent(model(), max_output_tokens=0)


def test_a_message_with_an_unknown_role_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="role 'sytem' is not one of: system, user"):
        Message(role="sytem", content=(TextPart(text="Be brief"),))  # type: ignore[arg-type]


def test_a_message_with_str_content_is_refused_and_a_list_is_kept_as_a_tuple() -> None:
    with pytest.raises(TypeError, match="content must be a tuple of parts"):
        Message(role="user", content="hi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not dict"):
        Message(role="user", content=({"type": "text", "text": "hi"},))  # type: ignore[arg-type]
    message = Message(role="user", content=[TextPart(text="hi")])  # type: ignore[arg-type]
    assert message.content == (TextPart(text="hi"),)


async def test_a_prompt_that_is_not_a_str_is_refused_at_the_call() -> None:
    agent = Agent(model())
    with pytest.raises(TypeError, match="prompt must be a str, not int"):
        await agent.run(123)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="prompt must be a str"):
        agent.stream(123)  # type: ignore[arg-type]  # refused before any iteration


def test_a_prompt_that_is_not_a_str_is_refused_by_the_sync_calls() -> None:
    agent = Agent(model())
    with pytest.raises(TypeError, match="prompt must be a str"):
        agent.run_sync(["hi"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="prompt must be a str"):
        next(agent.stream_sync(b"hi"))  # type: ignore[arg-type]


async def test_run_options_of_the_wrong_type_are_refused() -> None:
    agent = Agent(model())
    with pytest.raises(TypeError, match=r"messages\[0\] must be a reverie.Message.*load_messages"):
        await agent.run(messages=[{"role": "user", "content": "hi"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="messages must be a list of Message, not str"):
        await agent.run(messages="hi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"settings must be reverie.Settings\(...\), not dict"):
        await agent.run("hi", settings={"temperature": 0})  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match="unknown run option 'temprature'"):
        await agent.run("hi", temprature=0)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"files\[0\] must be a reverie.FilePart"):
        await agent.run("hi", files=[b"\x89PNG"])  # type: ignore[list-item]


@pytest.mark.parametrize("bad", [None, 42, object()])
def test_an_agent_without_a_model_is_refused_at_construction(bad: Any) -> None:
    with pytest.raises(TypeError, match="model must be a 'provider:model' string"):
        Agent(bad)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ConfigurationError, "max_steps must be at least 1, not 0"),
        (-3, ConfigurationError, "max_steps must be at least 1, not -3"),
        ("5", TypeError, "max_steps must be an int, not str"),
        (True, TypeError, "max_steps must be an int, not bool"),
    ],
)
def test_bad_max_steps_is_refused(value: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Agent(model(), max_steps=value)


@pytest.mark.parametrize("value", [0, -1])
def test_max_parallel_tools_below_one_is_refused(value: int) -> None:
    with pytest.raises(ConfigurationError, match="max_parallel_tools must be at least 1"):
        Agent(model(), max_parallel_tools=value)


def test_tool_choice_must_name_an_offered_tool() -> None:
    with pytest.raises(ConfigurationError, match="tool_choice 'wether' names no offered tool"):
        Agent(model(), tools=[weather], tool_choice="wether")
    with pytest.raises(ConfigurationError, match="names no offered tool"):
        Agent(model(), tools=[weather], active_tools=[], tool_choice="weather")
    Agent(model(), tools=[weather], tool_choice="weather")
    search = ProviderTool(id="openai.web_search", name="web_search")
    Agent(model(), tools=[search], tool_choice="web_search")


async def test_a_step_plan_that_makes_the_tool_choice_unoffered_is_refused() -> None:
    def only_weather(context: object) -> StepPlan:
        return StepPlan(tool_choice="time")

    agent = Agent(model(), tools=[weather], prepare_step=only_weather)
    with pytest.raises(ConfigurationError, match="this step's tool_choice 'time'"):
        await agent.run("hi")


def test_active_tools_must_name_known_tools() -> None:
    with pytest.raises(ConfigurationError, match="active_tools names unknown tools: 'time'"):
        Agent(model(), tools=[weather], active_tools=["weather", "time"])
    with pytest.raises(TypeError, match="active_tools must be a list of tool names, not str"):
        Agent(model(), tools=[weather], active_tools="weather")


async def test_step_plan_active_tools_and_settings_are_checked() -> None:
    agent = Agent(model(), tools=[weather], prepare_step=lambda c: StepPlan(active_tools=["x"]))
    with pytest.raises(ConfigurationError, match=r"StepPlan\.active_tools names unknown tools"):
        await agent.run("hi")
    bare = StepPlan(active_tools="weather")  # type: ignore[arg-type]
    agent = Agent(model(), tools=[weather], prepare_step=lambda c: bare)
    with pytest.raises(TypeError, match=r"^StepPlan\.active_tools must be a list of tool names"):
        await agent.run("hi")
    plan = StepPlan(settings={"temperature": 0})  # type: ignore[arg-type]
    agent = Agent(model(), prepare_step=lambda c: plan)
    with pytest.raises(TypeError, match=r"StepPlan\.settings must be reverie\.Settings"):
        await agent.run("hi")


@pytest.mark.parametrize("name", ["get weather", "x" * 65, "", "wetter.heute", "météo"])
def test_tool_names_providers_reject_are_refused_when_the_tool_is_built(name: str) -> None:
    if name:  # name="" on @tool means "the function's name"
        with pytest.raises(ConfigurationError, match="is not accepted by providers"):
            tool(name=name)(weather)
    with pytest.raises(ConfigurationError, match="is not accepted by providers"):
        Tool.from_schema(name, "", {"type": "object"}, lambda args: "")


def test_a_64_character_tool_name_is_accepted() -> None:
    assert tool(name="a-" + "b" * 62)(weather).name == "a-" + "b" * 62


def test_other_wrong_arguments_name_themselves() -> None:
    with pytest.raises(TypeError, match="tools must be a list of tools"):
        Agent(model(), tools=weather)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="system must be a str"):
        Agent(model(), system=["Be brief"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="provider_options must be a dict"):
        Agent(model(), provider_options=[("openai", {})])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="stop_when must hold conditions"):
        Agent(model(), stop_when=[3])  # type: ignore[list-item]


def test_a_bad_header_value_is_refused_without_showing_it() -> None:
    secret = "sk-very-secret-0123456789"
    with pytest.raises(TypeError) as info:
        Agent(model(), headers={"Authorization": secret.encode()})  # type: ignore[dict-item]
    assert "Authorization" in str(info.value) and "bytes" in str(info.value)
    assert secret not in str(info.value)


async def test_good_input_still_runs() -> None:
    agent = Agent(
        model(),
        tools=[weather],
        stop_sequences=["END"],
        tool_choice="auto",
        active_tools=("weather",),
        max_steps=3,
        max_parallel_tools=1,
    )
    result = await agent.run(messages=[user_message("hi")])
    assert result.text == "ok"


async def test_a_run_without_prompt_or_messages_says_what_to_give() -> None:
    with pytest.raises(
        ValueError, match=r"^give the agent a prompt, or messages ending in a user turn$"
    ):
        await Agent(model()).run()


@pytest.mark.parametrize("field", ["prepare_step", "repair_tool_call"])
def test_a_hook_that_is_not_a_function_is_named(field: str) -> None:
    with pytest.raises(TypeError, match=rf"^{field} must be a function, not "):
        Agent(model(), **{field: 5})


def test_a_bare_string_of_stop_sequences_is_refused_with_the_fix() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"^stop_sequences must be a list of str, not a str: use \['END'\]$",
    ):
        Agent(model(), stop_sequences="END")


def test_a_tool_choice_without_tools_warns_that_it_has_no_effect() -> None:
    # Not checked here: that it points at the caller's line (mutation testing adds a frame).
    with pytest.warns(UserWarning, match=r"^tool_choice='required' has no effect"):
        Agent(model(), tool_choice="required")


@pytest.mark.parametrize("choice", ["auto", "none", None])
def test_a_tool_choice_that_asks_nothing_of_tools_does_not_warn(choice: Any) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Agent(model(), tool_choice=choice)


def test_a_tool_choice_with_tools_does_not_warn() -> None:
    import warnings

    def weather_now(city: str) -> str:
        return city

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Agent(model(), tools=[weather_now], tool_choice="required")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"output_retries": "2"}, TypeError, "output_retries must be an int, not '2'"),
        ({"output_retries": True}, TypeError, "output_retries must be an int, not True"),
        ({"output_retries": -1}, ConfigurationError, "output_retries must be 0 or more, not -1"),
        ({"name": 5}, TypeError, "name must be a str, not int"),
        ({"trace_content": "yes"}, TypeError, "trace_content must be a bool, not str"),
        (
            {"tracer_provider": object()},
            TypeError,
            "tracer_provider must be an OpenTelemetry TracerProvider, not object",
        ),
    ],
)
def test_wrong_agent_options_are_refused_naming_option_and_value(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        Agent(model(), **options)
    assert str(caught.value) == message


def test_zero_output_retries_is_allowed() -> None:
    agent = Agent(model(), output={"type": "object"}, output_retries=0)
    assert agent.output is not None and agent.output.retries == 0
