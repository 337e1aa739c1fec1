"""Cache markers on the chat wire: the anthropic_cache_control prepare step of SCENARIOS.md §3
as OpenRouter, Vercel and OpenAI-compatible servers send it, and OpenAI sending none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FakeServer

from reverie import Agent, Settings
from reverie.agent import StepContext
from reverie.conformance.prepare import anthropic_cache_control
from reverie.conformance.scenarios import S1, make_tools
from reverie.errors import ConfigurationError
from reverie.http.retry import NO_RETRY
from reverie.messages import (
    FilePart,
    Message,
    TextOutput,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import FunctionTool
from reverie.providers.anthropic import Anthropic
from reverie.providers.bedrock import Bedrock
from reverie.providers.cache_breakpoints import check_cache_breakpoints, count_cache_breakpoints
from reverie.providers.kit import Call
from reverie.providers.openai import OpenAI
from reverie.providers.openai_compat import OpenAICompatible
from reverie.providers.openrouter import OpenRouter
from reverie.providers.vercel import Vercel
from reverie.providers.vertex import Vertex

EPHEMERAL = {"type": "ephemeral"}
MARK = {"cache_control": EPHEMERAL}
PROMPT = "What's the weather in Florence,Italy?"
ARGS = '{"location":"Florence,Italy"}'
WEATHER = {
    "type": "function",
    "function": {
        "name": "weather",
        "description": "Get weather information for a location",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string", "description": "the city"}},
            "required": ["location"],
        },
        "strict": False,
    },
}
TOOL_CALL = {
    "choices": [
        {
            "message": {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": ARGS},
                    }
                ],
            },
            "finish_reason": "tool_calls",
        }
    ]
}
FINAL = {"choices": [{"message": {"content": "Florence: 40 C"}, "finish_reason": "stop"}]}


def build(name: str, server: FakeServer) -> Any:
    client = server.client()
    if name == "openrouter":
        return OpenRouter(api_key="k", client=client, retry=NO_RETRY).model(
            "anthropic/claude-sonnet-4"
        )
    if name == "vercel":
        return Vercel(api_key="k", client=client, retry=NO_RETRY).model("anthropic/claude-sonnet-4")
    if name == "openai-compat":
        return OpenAICompatible(
            base_url="http://127.0.0.1:1/v1", client=client, retry=NO_RETRY
        ).model("claude-sonnet-4")
    return OpenAI(api_key="k", client=client, retry=NO_RETRY).model("gpt-4o")


# Fixed fields each provider adds beside the messages, the limit and the tools.
EXTRA: dict[str, dict[str, Any]] = {
    "openrouter": {"model": "anthropic/claude-sonnet-4", "usage": {"include": True}},
    "vercel": {"model": "anthropic/claude-sonnet-4"},
    "openai-compat": {"model": "claude-sonnet-4"},
}


async def run_scenario(name: str) -> list[dict[str, Any]]:
    """The `tool` scenario with the prepare step; returns the two request bodies."""
    server = FakeServer().json(TOOL_CALL).json(FINAL)
    agent = Agent(
        build(name, server),
        system=S1,
        tools=make_tools(("weather",)),
        prepare_step=anthropic_cache_control,
    )
    result = await agent.run(PROMPT, settings=Settings(max_output_tokens=4000))
    assert result.text == "Florence: 40 C"
    return server.requests


@pytest.mark.parametrize("name", ["openrouter", "vercel", "openai-compat"])
async def test_step_one_marks_the_system_and_user_message_objects(name: str) -> None:
    step1, _ = await run_scenario(name)
    assert step1 == {
        **EXTRA[name],
        "messages": [
            {"role": "system", "content": S1, "cache_control": EPHEMERAL},
            {"role": "user", "content": PROMPT, "cache_control": EPHEMERAL},
        ],
        "max_tokens": 4000,
        "tools": [WEATHER],
        "tool_choice": "auto",
    }


@pytest.mark.parametrize("name", ["openrouter", "vercel", "openai-compat"])
async def test_step_two_marks_system_and_tool_call_entries_not_user_or_tool(name: str) -> None:
    _, step2 = await run_scenario(name)
    assert step2 == {
        **EXTRA[name],
        "messages": [
            {"role": "system", "content": S1, "cache_control": EPHEMERAL},
            {"role": "user", "content": PROMPT},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": ARGS},
                        "cache_control": EPHEMERAL,
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "40 C"},
        ],
        "max_tokens": 4000,
        "tools": [WEATHER],
        "tool_choice": "auto",
    }


async def test_openai_sends_no_marker() -> None:
    bodies = await run_scenario("openai")
    assert all("cache_control" not in json.dumps(body) for body in bodies)
    assert bodies[1]["messages"][0] == {"role": "system", "content": S1}


# ---- the prepare step itself ---------------------------------------------------------------


def context(messages: list[Message]) -> StepContext:
    return StepContext(
        number=1,
        steps=(),
        messages=tuple(messages),
        model=None,  # type: ignore[arg-type]
        tools=(),
        tool_choice=None,
        settings=Settings(),
    )


def test_prepare_step_clears_options_and_marks_system_and_last_two() -> None:
    call = ToolCallPart(tool_call_id="c", tool_name="weather", input="{}")
    result = ToolResultPart(tool_call_id="c", tool_name="weather", output=TextOutput(text="x"))
    messages = [
        Message(role="system", content=(TextPart(text="a"),), provider_options={"x": {"y": 1}}),
        Message(role="system", content=(TextPart(text="b"),)),
        Message(role="user", content=(TextPart(text="q"),), provider_options={"x": {"y": 1}}),
        Message(role="assistant", content=(call,)),
        Message(role="tool", content=(result,)),
    ]
    plan = anthropic_cache_control(context(messages))
    assert plan.messages is not None
    marked = {"anthropic": MARK}
    assert [m.provider_options for m in plan.messages] == [{}, marked, {}, marked, marked]
    assert [m.content for m in plan.messages] == [m.content for m in messages]


def test_prepare_step_without_a_system_message_marks_only_the_last_two() -> None:
    messages = [user_message("a"), Message(role="assistant", content=(TextPart(text="b"),))]
    messages.append(user_message("c"))
    plan = anthropic_cache_control(context(messages))
    assert plan.messages is not None
    assert [bool(m.provider_options) for m in plan.messages] == [False, True, True]


# ---- markers set by hand ----------------------------------------------------------------


async def test_a_marker_in_the_providers_own_namespace_works_the_same_way() -> None:
    hour = {"type": "ephemeral", "ttl": "1h"}
    for name, namespace in (("openrouter", "openrouter"), ("vercel", "vercel")):
        server = FakeServer().json(FINAL)
        prompt = [
            system_message(S1),
            Message(
                role="user",
                content=(TextPart(text="hi"),),
                provider_options={namespace: {"cache_control": hour}},
            ),
        ]
        await build(name, server).generate(Call(prompt=prompt))
        assert server.requests[0]["messages"][1] == {
            "role": "user",
            "content": "hi",
            "cache_control": hour,
        }
        assert "cache_control" not in server.requests[0]["messages"][0]


async def test_another_gateways_namespace_is_not_read() -> None:
    server = FakeServer().json(FINAL)
    marked = Message(role="user", content=(TextPart(text="hi"),), provider_options={"vercel": MARK})
    await build("openrouter", server).generate(Call(prompt=[marked]))
    assert server.requests[0]["messages"] == [{"role": "user", "content": "hi"}]


async def test_a_user_message_with_parts_carries_the_marker_on_its_last_part() -> None:
    server = FakeServer().json(FINAL)
    image = FilePart(data=b"\x89PNG", media_type="image/png")
    message = Message(
        role="user", content=(TextPart(text="look"), image), provider_options={"anthropic": MARK}
    )
    await build("vercel", server).generate(Call(prompt=[message]))
    content = server.requests[0]["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "look"}
    assert content[1]["type"] == "image_url" and content[1]["cache_control"] == EPHEMERAL
    assert "cache_control" not in server.requests[0]["messages"][0]


async def test_a_marked_tool_call_part_marks_only_its_entry() -> None:
    server = FakeServer().json(FINAL)
    first = ToolCallPart(tool_call_id="a", tool_name="weather", input="{}")
    second = ToolCallPart(
        tool_call_id="b", tool_name="weather", input="{}", provider_options={"anthropic": MARK}
    )
    prompt = [user_message("q"), Message(role="assistant", content=(first, second))]
    await build("openrouter", server).generate(Call(prompt=prompt))
    calls = server.requests[0]["messages"][1]["tool_calls"]
    assert ["cache_control" in c for c in calls] == [False, True]


# ---- provider options on tools ------------------------------------------------------------


def marked_tool() -> FunctionTool:
    return FunctionTool(
        name="weather",
        description="Get weather information for a location",
        input_schema=WEATHER["function"]["parameters"],  # type: ignore[index]
        provider_options={"anthropic": MARK},
    )


@pytest.mark.parametrize("name", ["openrouter", "vercel", "openai-compat"])
async def test_a_tools_cache_marker_reaches_its_wire_entry(name: str) -> None:
    server = FakeServer().json(FINAL)
    await build(name, server).generate(Call(prompt=[user_message("q")], tools=[marked_tool()]))
    assert server.requests[0]["tools"] == [{**WEATHER, "cache_control": EPHEMERAL}]


async def test_openai_sends_no_tool_marker() -> None:
    server = FakeServer().json(FINAL)
    await build("openai", server).generate(Call(prompt=[user_message("q")], tools=[marked_tool()]))
    assert server.requests[0]["tools"] == [WEATHER]


# ---- the conformance runner applies the step ------------------------------------------------


def cassette(bodies: list[dict[str, Any]], answers: list[dict[str, Any]], url: str) -> str:
    import yaml

    interactions = [
        {
            "id": i,
            "request": {"body": json.dumps(body), "url": url, "method": "POST"},
            "response": {
                "body": json.dumps(answer),
                "headers": {"Content-Type": ["application/json"]},
                "status": "200 OK",
                "code": 200,
            },
        }
        for i, (body, answer) in enumerate(zip(bodies, answers, strict=True))
    ]
    return str(yaml.safe_dump({"version": 2, "interactions": interactions}))


GROUP = """
format = 1
group = "TestCaching"
prepare_step = "{step}"
scenarios = ["tool"]

[[pairs]]
name = "vercel-claude"
kind = "vercel"
model = "anthropic/claude-sonnet-4"
[pairs.settings]
api_key_env = "AI_GATEWAY_API_KEY"
"""


@pytest.mark.parametrize(
    ("step", "marked", "outcome"),
    [
        ("anthropic_cache_control", True, "PASS"),
        ("anthropic_cache_control", False, "FAIL"),
        ("something_else", True, "SKIP"),
    ],
)
async def test_runner_applies_the_prepare_step_to_every_step(
    tmp_path: Any, step: str, marked: bool, outcome: str
) -> None:
    import asyncio
    import io

    from reverie.conformance.groups import load_cases
    from reverie.conformance.runner import run_all

    bodies = await run_scenario("vercel")
    if not marked:
        bodies = [
            json.loads(json.dumps(b).replace(', "cache_control": {"type": "ephemeral"}', ""))
            for b in bodies
        ]
    url = "https://ai-gateway.vercel.sh/v1/chat/completions"
    (tmp_path / "cassettes" / "TestCaching" / "vercel-claude").mkdir(parents=True)
    path = tmp_path / "cassettes" / "TestCaching" / "vercel-claude" / "tool.yaml"
    path.write_text(cassette(bodies, [TOOL_CALL, FINAL], url))
    group = tmp_path / "TestCaching.toml"
    group.write_text(GROUP.format(step=step))
    out = io.StringIO()
    cases = list(load_cases(group, tmp_path / "cassettes"))
    await asyncio.to_thread(run_all, cases, tmp_path / "cassettes", out)
    assert out.getvalue().splitlines()[0].startswith(f"{outcome} TestCaching/vercel-claude/tool")


# ---- one marker per marked message, and Anthropic's limit of four ---------------------------


def _two_calls(options: dict[str, Any] | None = None) -> Message:
    calls = tuple(
        ToolCallPart(tool_call_id=i, tool_name="weather", input=ARGS) for i in ("c1", "c2")
    )
    return Message(
        role="assistant", content=(TextPart(text="Both."), *calls), provider_options=options or {}
    )


def _results(options: dict[str, Any] | None = None) -> Message:
    results = tuple(
        ToolResultPart(tool_call_id=i, tool_name="weather", output=TextOutput(text="40 C"))
        for i in ("c1", "c2")
    )
    return Message(role="tool", content=results, provider_options=options or {})


@pytest.mark.parametrize("name", ["openrouter", "vercel", "openai-compat"])
async def test_a_marked_assistant_message_with_several_calls_marks_its_last_call_only(
    name: str,
) -> None:
    server = FakeServer().json(FINAL)
    marked = {"anthropic": MARK}
    prompt = [
        Message(role="system", content=(TextPart(text=S1),), provider_options=marked),
        user_message(PROMPT),
        _two_calls(marked),
        _results(marked),
    ]
    await build(name, server).generate(Call(prompt=prompt))
    assistant = server.requests[0]["messages"][2]
    assert assistant == {
        "role": "assistant",
        "content": "Both.",
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "weather", "arguments": ARGS}},
            {
                "id": "c2",
                "type": "function",
                "function": {"name": "weather", "arguments": ARGS},
                "cache_control": EPHEMERAL,
            },
        ],
    }
    assert json.dumps(server.requests[0]).count("cache_control") == 2  # system + last call


async def test_a_marked_call_keeps_its_marker_beside_the_messages_own() -> None:
    server = FakeServer().json(FINAL)
    hour = {"type": "ephemeral", "ttl": "1h"}
    first = ToolCallPart(
        tool_call_id="c1", tool_name="weather", input=ARGS, provider_options={"anthropic": MARK}
    )
    second = ToolCallPart(tool_call_id="c2", tool_name="weather", input=ARGS)
    message = Message(
        role="assistant",
        content=(first, second),
        provider_options={"anthropic": {"cache_control": hour}},
    )
    await build("vercel", server).generate(Call(prompt=[user_message("q"), message]))
    calls = server.requests[0]["messages"][1]["tool_calls"]
    assert [c.get("cache_control") for c in calls] == [EPHEMERAL, hour]


def _five_markers() -> list[Message]:
    marked = {"anthropic": MARK}
    return [
        Message(role="system", content=(TextPart(text=S1),), provider_options=marked),
        Message(role="user", content=(TextPart(text=PROMPT),), provider_options=marked),
        _two_calls(marked),
        Message(role="user", content=(TextPart(text="and?"),), provider_options=marked),
        Message(role="assistant", content=(TextPart(text="Sunny."),), provider_options=marked),
    ]


@pytest.mark.parametrize("name", ["openrouter", "vercel", "openai-compat"])
async def test_more_than_four_markers_are_refused_before_sending_on_the_chat_wire(
    name: str,
) -> None:
    server = FakeServer().json(FINAL)
    with pytest.raises(ConfigurationError, match=r"5 cache_control markers .* at most 4"):
        await build(name, server).generate(Call(prompt=_five_markers()))
    assert server.requests == []
    # Four are sent.
    await build(name, server).generate(Call(prompt=_five_markers()[:4]))
    assert json.dumps(server.requests[0]).count("cache_control") == 4


async def test_a_tools_marker_counts_too() -> None:
    server = FakeServer().json(FINAL)
    with pytest.raises(ConfigurationError, match="5 cache_control markers"):
        await build("openrouter", server).generate(
            Call(prompt=_five_markers()[:4], tools=[marked_tool()])
        )
    assert server.requests == []


async def test_openai_ignores_markers_and_so_has_no_limit() -> None:
    server = FakeServer().json(FINAL)
    await build("openai", server).generate(Call(prompt=_five_markers()))
    assert "cache_control" not in json.dumps(server.requests[0])


@pytest.mark.parametrize("host", ["anthropic", "bedrock", "vertex"])
async def test_more_than_four_markers_are_refused_by_every_host_of_claude(host: str) -> None:
    server = FakeServer().json(FINAL)
    client = server.client()
    if host == "anthropic":
        model = Anthropic(api_key="k", client=client, retry=NO_RETRY).model("claude-sonnet-4-5")
    elif host == "bedrock":
        model = Bedrock(skip_auth=True, region="us-east-1", client=client, retry=NO_RETRY).model(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
        )
    else:
        model = Vertex(
            project="p", location="us-east5", skip_auth=True, client=client, retry=NO_RETRY
        ).model("claude-3-7-sonnet@20250219")
    with pytest.raises(ConfigurationError, match=r"5 cache_control markers .* at most 4"):
        await model.generate(Call(prompt=_five_markers()))
    assert server.requests == []


def test_markers_are_counted_where_each_wire_puts_them() -> None:
    mark = {"cache_control": EPHEMERAL}
    chat = {
        "messages": [
            {"role": "system", "content": "s", **mark},
            {"role": "user", "content": [{"type": "text", "text": "a", **mark}, {"type": "text"}]},
            {"role": "assistant", "tool_calls": [{"id": "1"}, {"id": "2", **mark}, "odd"]},
            {"role": "tool", "content": "x"},
            "odd",
        ],
        "tools": [{"type": "function", "function": {"parameters": {"cache_control": {}}}}, mark],
    }
    assert count_cache_breakpoints(chat) == 4
    anthropic = {
        "system": [{"type": "text", "text": "s", **mark}, {"type": "text", "text": "t"}],
        "messages": [{"role": "user", "content": [{"type": "text", **mark}, {"type": "text"}]}],
        "tools": [{"name": "t", "cache_control": None}],
    }
    assert count_cache_breakpoints(anthropic) == 2
    assert count_cache_breakpoints({"system": "plain", "messages": {}, "tools": None}) == 0
    check_cache_breakpoints({"messages": [mark] * 4}, "p")
    with pytest.raises(ConfigurationError) as refused:
        check_cache_breakpoints({"messages": [mark] * 5}, "p")
    assert str(refused.value) == (
        "p: 5 cache_control markers in one request; Anthropic takes at most 4 "
        "(system, messages and tools together): mark fewer messages, parts or tools"
    )
