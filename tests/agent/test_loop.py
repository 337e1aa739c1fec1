"""The agent loop over a scripted model: history, results, usage, settings and options."""

import threading
from dataclasses import replace
from typing import Annotated

import pytest

import reverie
from reverie import (
    Agent,
    FinishReason,
    Message,
    Settings,
    StopReason,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    Usage,
    tool,
)
from reverie.content import Reasoning, Text, ToolCall, ToolResult
from reverie.providers.kit import FunctionTool
from reverie.testing.fake import ScriptedModel, reply


def weather(location: Annotated[str, "the city"]) -> str:
    """Get weather information for a location"""
    return f"40 C in {location}"


def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


async def shout(text: str) -> str:
    """Upper-case some text"""
    return text.upper()


U1 = Usage(input_tokens=10, output_tokens=5, total_tokens=15, reasoning_tokens=1, cost=0.5)
U2 = Usage(input_tokens=30, output_tokens=7, total_tokens=37, cache_read_tokens=4, cost=0.25)


async def test_tool_result_is_fed_back_in_call_order() -> None:
    model = ScriptedModel(
        [
            reply(
                "Checking.",
                tool_calls=[
                    ("c1", "weather", '{"location": "Florence"}'),
                    ("c2", "weather", '{"location": "Rome"}'),
                ],
                usage=U1,
            ),
            reply("It is hot in both.", usage=U2),
        ]
    )
    agent = Agent(model, system="Be brief", tools=[weather])

    result = await agent.run("Weather in Florence and Rome?")

    assert len(model.calls) == 2
    first, second = model.calls
    assert [m.role for m in first.prompt] == ["system", "user"]
    assert [m.role for m in second.prompt] == ["system", "user", "assistant", "tool"]
    system, user, assistant, tool_msg = second.prompt
    assert system.content == (TextPart(text="Be brief"),)
    assert user.content == (TextPart(text="Weather in Florence and Rome?"),)
    assert assistant.content == (
        TextPart(text="Checking."),
        ToolCallPart(tool_call_id="c1", tool_name="weather", input='{"location": "Florence"}'),
        ToolCallPart(tool_call_id="c2", tool_name="weather", input='{"location": "Rome"}'),
    )
    assert tool_msg.content == (
        ToolResultPart(
            tool_call_id="c1", tool_name="weather", output=TextOutput(text="40 C in Florence")
        ),
        ToolResultPart(
            tool_call_id="c2", tool_name="weather", output=TextOutput(text="40 C in Rome")
        ),
    )

    assert len(result.steps) == 2
    assert [s.number for s in result.steps] == [1, 2]
    assert result.stop_reason is StopReason.DONE
    assert result.text == "It is hot in both."
    assert result.usage == U1 + U2
    assert result.usage.total_tokens == 52
    assert result.usage.cost == 0.75
    assert [s.usage for s in result.steps] == [U1, U2]
    assert [s.finish_reason for s in result.steps] == [FinishReason.TOOL_CALLS, FinishReason.STOP]
    assert result.steps[0].model == "scripted:script"

    step1 = result.steps[0]
    assert [type(c) for c in step1.content] == [Text, ToolCall, ToolCall, ToolResult, ToolResult]
    assert [r.tool_call_id for r in step1.tool_results] == ["c1", "c2"]
    assert step1.tool_results[0].input == '{"location": "Florence"}'
    assert step1.messages == [assistant, tool_msg]
    assert result.steps[1].messages == [
        Message(role="assistant", content=(TextPart(text="It is hot in both."),))
    ]
    # The system prompt is not part of the returned conversation.
    assert result.messages == [user, assistant, tool_msg, *result.steps[1].messages]


async def test_text_comes_from_the_last_step_with_text() -> None:
    model = ScriptedModel(
        [
            reply("Here is the weather.", tool_calls=[("c1", "weather", '{"location": "Pisa"}')]),
            reply("   ", tool_calls=[("c2", "weather", '{"location": "Lucca"}')]),
            reply(reasoning="nothing more to say"),
        ]
    )
    result = await Agent(model, tools=[weather]).run("hi")

    assert len(result.steps) == 3
    assert result.stop_reason is StopReason.DONE
    assert result.steps[-1].text == ""
    assert result.text == "Here is the weather."
    assert result.response.content[0] == Text(text="Here is the weather.")


async def test_text_when_no_step_has_text_is_empty() -> None:
    model = ScriptedModel([reply(reasoning="hmm")])
    result = await Agent(model).run("hi")
    assert result.text == ""
    assert result.response.content == [Reasoning(text="hmm")]


async def test_messages_continue_a_conversation() -> None:
    model = ScriptedModel(
        [
            reply(tool_calls=[("c1", "add", '{"a": 2, "b": 3}')]),
            reply("5"),
            reply("10"),
        ]
    )
    agent = Agent(model, system="You add", tools=[add])

    first = await agent.run("2+3?")
    assert all(m.role != "system" for m in first.messages)
    assert [m.role for m in first.messages] == ["user", "assistant", "tool", "assistant"]

    second = await agent.run("and doubled?", messages=first.messages)

    call = model.calls[2]
    assert call.prompt[0].role == "system"
    assert list(call.prompt[1:5]) == first.messages
    assert call.prompt[5] == reverie.user_message("and doubled?")
    assert len(call.prompt) == 6
    assert second.text == "10"
    assert second.messages == [
        *first.messages,
        reverie.user_message("and doubled?"),
        reverie.assistant_message("10"),
    ]
    assert len(second.steps) == 1
    # The caller's list is not modified by the run.
    assert len(first.messages) == 4


async def test_messages_without_prompt() -> None:
    model = ScriptedModel([reply("ok")])
    history = [reverie.user_message("hello")]
    result = await Agent(model).run(messages=history)
    assert model.calls[0].prompt == history
    assert result.messages == [*history, reverie.assistant_message("ok")]
    assert history == [reverie.user_message("hello")]


async def test_int_result_becomes_text() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 2, "b": 3}')]), reply("5")])
    result = await Agent(model, tools=[add]).run("2+3?")
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output == TextOutput(text="5")
    assert model.calls[1].prompt[-1].content == (
        ToolResultPart(tool_call_id="c1", tool_name="add", output=TextOutput(text="5")),
    )


async def test_sync_and_async_tools_both_run() -> None:
    threads: list[str] = []

    def sync_tool(x: int) -> str:
        """sync"""
        threads.append(threading.current_thread().name)
        return f"sync {x}"

    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "sync_tool", '{"x": 1}'),
                    ("c2", "shout", '{"text": "hey"}'),
                ]
            ),
            reply("done"),
        ]
    )
    result = await Agent(model, tools=[sync_tool, shout]).run("go")
    outputs = [r.output for r in result.steps[0].tool_results]
    assert outputs == [TextOutput(text="sync 1"), TextOutput(text="HEY")]
    assert len(threads) == 1


def test_run_sync() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 1, "b": 1}')]), reply("2")])
    result = Agent(model, tools=[add]).run_sync("1+1")
    assert result.text == "2"
    assert result.steps[0].tool_results[0].output == TextOutput(text="2")


async def test_tool_decorator_and_plain_function_are_equivalent() -> None:
    model = ScriptedModel([reply("ok")])
    await Agent(model, tools=[tool(weather), add]).run("hi")
    assert [t.name for t in model.calls[0].tools] == ["weather", "add"]
    offered = model.calls[0].tools[0]
    assert isinstance(offered, FunctionTool)
    assert offered.description == "Get weather information for a location"


async def test_provider_options_and_headers_are_merged() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 1, "b": 1}')]), reply("2")])
    agent = Agent(
        model,
        tools=[add],
        provider_options={
            "openai": {"user": "agent", "store": False},
            "openrouter": {"route": "fallback"},
        },
        headers={"X-Agent": "a", "X-Shared": "agent"},
    )
    await agent.run(
        "1+1",
        provider_options={"openai": {"store": True, "service_tier": "flex"}, "anthropic": {"x": 1}},
        headers={"X-Shared": "call", "X-Call": "c"},
    )
    expected_options = {
        "openai": {"user": "agent", "store": True, "service_tier": "flex"},
        "openrouter": {"route": "fallback"},
        "anthropic": {"x": 1},
    }
    expected_headers = {"X-Agent": "a", "X-Shared": "call", "X-Call": "c"}
    for call in model.calls:
        assert call.provider_options == expected_options
        assert dict(call.headers) == expected_headers
    # The agent's own options are untouched by the merge.
    assert agent.provider_options == {
        "openai": {"user": "agent", "store": False},
        "openrouter": {"route": "fallback"},
    }
    assert agent.headers == {"X-Agent": "a", "X-Shared": "agent"}


async def test_agent_options_alone_reach_the_call() -> None:
    model = ScriptedModel([reply("ok")])
    await Agent(model, provider_options={"openai": {"a": 1}}, headers={"H": "v"}).run("hi")
    assert model.calls[0].provider_options == {"openai": {"a": 1}}
    assert dict(model.calls[0].headers) == {"H": "v"}


async def test_call_options_alone_reach_the_call() -> None:
    model = ScriptedModel([reply("ok")])
    await Agent(model).run("hi", provider_options={"openai": {"a": 1}}, headers={"H": "v"})
    assert model.calls[0].provider_options == {"openai": {"a": 1}}
    assert dict(model.calls[0].headers) == {"H": "v"}


async def test_agent_settings_reach_the_call() -> None:
    model = ScriptedModel([reply("ok")])
    agent = Agent(
        model,
        max_output_tokens=100,
        temperature=0.3,
        top_p=0.9,
        top_k=40,
        presence_penalty=0.1,
        frequency_penalty=0.2,
        stop_sequences=["END"],
        seed=7,
    )
    await agent.run("hi")
    assert model.calls[0].settings == Settings(
        max_output_tokens=100,
        temperature=0.3,
        top_p=0.9,
        top_k=40,
        presence_penalty=0.1,
        frequency_penalty=0.2,
        stop_sequences=("END",),
        seed=7,
    )


async def test_call_settings_override_only_their_fields() -> None:
    model = ScriptedModel(
        [reply(tool_calls=[("c1", "add", '{"a": 1, "b": 1}')]), reply("2"), reply("3")]
    )
    agent = Agent(
        model, tools=[add], max_output_tokens=100, temperature=0.3, stop_sequences=["END"], seed=1
    )
    await agent.run("1+1", settings=Settings(temperature=0.0, seed=0, top_k=5))
    expected = Settings(
        max_output_tokens=100, temperature=0.0, top_k=5, stop_sequences=("END",), seed=0
    )
    assert [c.settings for c in model.calls] == [expected, expected]

    # Per-call settings do not stick to the agent.
    await agent.run("again")
    assert model.calls[2].settings == Settings(
        max_output_tokens=100, temperature=0.3, stop_sequences=("END",), seed=1
    )


async def test_call_stop_sequences_override() -> None:
    model = ScriptedModel([reply("ok")])
    agent = Agent(model, stop_sequences=["A"], temperature=1.0)
    await agent.run("hi", settings=Settings(stop_sequences=("B", "C")))
    assert model.calls[0].settings == Settings(temperature=1.0, stop_sequences=("B", "C"))


async def test_tool_choice_reaches_the_call() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "add", '{"a": 1, "b": 1}')]), reply("2")])
    await Agent(model, tools=[add, weather], tool_choice="required").run("hi")
    assert [c.tool_choice for c in model.calls] == ["required", "required"]
    assert [t.name for t in model.calls[0].tools] == ["add", "weather"]


async def test_tool_choice_is_none_without_tools() -> None:
    model = ScriptedModel([reply("ok")])
    with pytest.warns(UserWarning, match="no effect"):
        agent = Agent(model, tool_choice="required")
    await agent.run("hi")
    assert model.calls[0].tool_choice is None
    assert list(model.calls[0].tools) == []


async def test_tool_choice_is_none_when_no_tool_is_active() -> None:
    model = ScriptedModel([reply("ok")])
    await Agent(model, tools=[add], active_tools=[], tool_choice="auto").run("hi")
    assert model.calls[0].tool_choice is None
    assert list(model.calls[0].tools) == []


async def test_active_tools_limit_what_is_offered() -> None:
    model = ScriptedModel([reply("ok")])
    await Agent(model, tools=[add, weather, shout], active_tools=["shout", "add"]).run("hi")
    assert [t.name for t in model.calls[0].tools] == ["add", "shout"]


async def test_files_follow_the_prompt_text() -> None:
    model = ScriptedModel([reply("a cat")])
    image = reverie.FilePart(media_type="image/png", data=b"\x89PNG")
    await Agent(model).run("what is this?", files=[image])
    assert model.calls[0].prompt == [
        Message(role="user", content=(TextPart(text="what is this?"), image))
    ]


def _provider_response() -> reverie.Response:
    return replace(
        reply("Checking.", tool_calls=[("c1", "add", '{"a": 2, "b": 3}')]),
        model_id="script-2024-01-01",
        provider_metadata={"openrouter": {"provider": "somewhere"}},
        warnings=[reverie.CallWarning(kind="other", message="note")],
    )


async def test_step_response_is_the_model_part_of_the_step() -> None:
    model = ScriptedModel([_provider_response(), reply("5")])
    result = await Agent(model, tools=[add]).run("2+3?")
    expected = _provider_response()
    response = result.steps[0].response
    assert response.content == expected.content  # the local tool result is left out
    assert response.finish_reason == expected.finish_reason
    assert response.usage == expected.usage
    assert response.provider_metadata == expected.provider_metadata
    assert response.warnings == expected.warnings
    assert result.steps[0].provider_metadata == expected.provider_metadata
    assert result.steps[0].warnings == expected.warnings


async def test_step_response_keeps_the_model_id_the_provider_returned() -> None:
    model = ScriptedModel([_provider_response(), reply("5")])
    result = await Agent(model, tools=[add]).run("2+3?")
    assert result.steps[0].response.model_id == "script-2024-01-01"


async def test_run_without_input_is_refused() -> None:
    model = ScriptedModel([reply("never")])
    agent = Agent(model, system="sys")
    with pytest.raises(ValueError, match="prompt"):
        await agent.run()
    with pytest.raises(ValueError, match="prompt"):
        await agent.stream(messages=[]).collect()
    assert model.calls == []


def test_run_sync_without_input_is_refused() -> None:
    with pytest.raises(ValueError):
        Agent(ScriptedModel([reply("never")])).run_sync()


async def test_run_warnings_gather_every_step() -> None:
    w1 = reverie.CallWarning(kind="unsupported-setting", message="no seed", setting="seed")
    w2 = reverie.CallWarning(kind="other", message="second")
    w3 = reverie.CallWarning(kind="unsupported-tool", message="third", setting="add")
    model = ScriptedModel(
        [
            replace(reply(tool_calls=[("c1", "add", '{"a": 1, "b": 1}')]), warnings=[w1, w2]),
            replace(reply("2"), warnings=[w3]),
        ]
    )
    result = await Agent(model, tools=[add]).run("1+1")
    assert [s.warnings for s in result.steps] == [[w1, w2], [w3]]
    assert result.warnings == [w1, w2, w3]


async def test_tool_return_metadata_stays_out_of_the_prompt() -> None:
    def lookup(q: str) -> reverie.ToolReturn:
        """Look up"""
        return reverie.ToolReturn("found it", metadata={"rows": 3})

    model = ScriptedModel([reply(tool_calls=[("c1", "lookup", '{"q": "x"}')]), reply("ok")])
    result = await Agent(model, tools=[lookup]).run("go")
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output == TextOutput(text="found it")
    assert tool_result.metadata == {"rows": 3}
    assert model.calls[1].prompt[-1].content == (
        ToolResultPart(tool_call_id="c1", tool_name="lookup", output=TextOutput(text="found it")),
    )


async def test_tool_outputs_of_other_types() -> None:
    async def data(kind: str) -> object:
        """Data"""
        values: dict[str, object] = {
            "dict": {"a": [1, "é"]},
            "none": None,
            "media": reverie.media(b"\x89PNG", "image/png"),
            "error": reverie.ErrorOutput(message="nope"),
        }
        return values[kind]

    kinds = ["dict", "none", "media", "error"]
    model = ScriptedModel(
        [
            reply(tool_calls=[(k, "data", f'{{"kind": "{k}"}}') for k in kinds]),
            reply("ok"),
        ]
    )
    result = await Agent(model, tools=[data]).run("go")
    assert [r.output for r in result.steps[0].tool_results] == [
        TextOutput(text='{"a": [1, "é"]}'),
        TextOutput(text="null"),
        reverie.MediaOutput(data="iVBORw==", media_type="image/png"),
        reverie.ErrorOutput(message="nope"),
    ]


async def test_run_sync_inside_an_event_loop_says_to_await_run() -> None:
    agent = Agent(ScriptedModel([reply("hi")]))
    with pytest.raises(RuntimeError, match=r"await agent\.run"):
        agent.run_sync("hello")


def test_two_tools_with_one_name_are_refused() -> None:
    def weather(location: str) -> str:
        """Get weather"""
        return "40 C"

    with pytest.raises(reverie.ConfigurationError, match="'weather'"):
        Agent(ScriptedModel([]), tools=[weather, reverie.tool(weather)])
