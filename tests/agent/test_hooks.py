"""before_tool / after_tool: rewriting a call's input, refusing it, rewriting its output."""

from typing import Any

import pydantic
import pytest

from reverie import (
    Agent,
    ErrorOutput,
    TextOutput,
    ToolCallPart,
    ToolError,
    ToolHookContext,
    ToolReturn,
    tool,
)
from reverie.content import ToolCall, ToolResult
from reverie.testing.fake import ScriptedModel, reply

RAN: list[tuple[str, int]] = []


def transfer(to: str, amount: int) -> str:
    """Send money"""
    RAN.append((to, amount))
    return f"sent {amount} to {to}"


class Transfer(pydantic.BaseModel):
    to: str
    amount: int


@pytest.fixture(autouse=True)
def _clear() -> None:
    RAN.clear()


def one_call(arguments: str = '{"to": "bob", "amount": 500}') -> ScriptedModel:
    return ScriptedModel([reply(tool_calls=[("c1", "transfer", arguments)]), reply("ok")])


@pytest.mark.parametrize(
    "replacement",
    [{"to": "bob", "amount": 100}, '{"to": "bob", "amount": 100}', Transfer(to="bob", amount=100)],
)
async def test_before_tool_may_replace_the_input(replacement: Any) -> None:
    seen: list[tuple[ToolCall, ToolHookContext]] = []

    def cap(call: ToolCall, context: ToolHookContext) -> Any:
        seen.append((call, context))
        return replacement if context.args.amount > 100 else None

    model = one_call()
    result = await Agent(model, tools=[transfer], before_tool=cap).run("pay bob")

    assert RAN == [("bob", 100)]
    (ran,) = result.steps[0].tool_results
    assert ran.output == TextOutput(text="sent 100 to bob")
    assert '"amount": 100' in ran.input or '"amount":100' in ran.input
    # What the model said stays in the conversation as it said it.
    (call_part,) = [p for p in result.messages[1].content if isinstance(p, ToolCallPart)]
    assert call_part.input == '{"to": "bob", "amount": 500}'
    call, context = seen[0]
    assert call.tool_call_id == "c1" and call.input == '{"to": "bob", "amount": 500}'
    assert context.tool.name == "transfer" and context.args.amount == 500
    assert [m.role for m in context.messages] == ["user", "assistant"]


async def test_before_tool_may_refuse_with_tool_error() -> None:
    async def refuse(call: ToolCall, context: ToolHookContext) -> None:
        raise ToolError("transfers are closed on Sundays")

    model = one_call()
    result = await Agent(model, tools=[transfer], before_tool=refuse).run("pay bob")
    assert RAN == []
    assert result.steps[0].tool_results[0].output == ErrorOutput(
        message="transfers are closed on Sundays"
    )
    tool_message = model.calls[1].prompt[-1]
    assert tool_message.role == "tool"
    assert tool_message.content[0].output == ErrorOutput(  # type: ignore[union-attr]
        message="transfers are closed on Sundays"
    )


async def test_a_replacement_the_tool_refuses_is_an_error_result() -> None:
    agent = Agent(one_call(), tools=[transfer], before_tool=lambda call, ctx: {"to": "bob"})
    result = await agent.run("pay")
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput)
    assert output.message.startswith("before_tool gave input the tool 'transfer' refuses: ")
    assert "amount" in output.message
    assert RAN == []


async def test_a_wrong_return_from_before_tool_is_a_bug_and_raises() -> None:
    agent = Agent(one_call(), tools=[transfer], before_tool=lambda call, ctx: 42)
    with pytest.raises(TypeError, match="before_tool must return None, a dict") as caught:
        await agent.run("pay")
    assert caught.value.partial.steps == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("is_async", [False, True])
async def test_after_tool_may_replace_the_output(is_async: bool) -> None:
    seen: list[tuple[ToolCall, ToolResult, ToolHookContext]] = []

    def redact(call: ToolCall, result: ToolResult, context: ToolHookContext) -> Any:
        seen.append((call, result, context))
        assert isinstance(result.output, TextOutput)
        return result.output.text.replace("bob", "[name]")

    async def redact_async(call: ToolCall, result: ToolResult, context: ToolHookContext) -> Any:
        return redact(call, result, context)

    model = one_call()
    agent = Agent(model, tools=[transfer], after_tool=redact_async if is_async else redact)
    result = await agent.run("pay")
    assert result.steps[0].tool_results[0].output == TextOutput(text="sent 500 to [name]")
    assert model.calls[1].prompt[-1].content[0].output == TextOutput(  # type: ignore[union-attr]
        text="sent 500 to [name]"
    )
    if not is_async:
        call, original, context = seen[0]
        assert original.output == TextOutput(text="sent 500 to bob")
        assert call.tool_call_id == "c1" and context.args.to == "bob"


async def test_after_tool_none_keeps_the_result_and_metadata_survives_a_bare_output() -> None:
    @tool
    def lookup(key: str) -> ToolReturn:
        """Look something up"""
        return ToolReturn(output="value", metadata={"rows": 3})

    model = ScriptedModel([reply(tool_calls=[("c1", "lookup", '{"key": "k"}')]), reply("ok")])
    kept = await Agent(model, tools=[lookup], after_tool=lambda c, r, x: None).run("go")
    assert kept.steps[0].tool_results[0].output == TextOutput(text="value")
    assert kept.steps[0].tool_results[0].metadata == {"rows": 3}

    model = ScriptedModel([reply(tool_calls=[("c1", "lookup", '{"key": "k"}')]), reply("ok")])
    bare = await Agent(model, tools=[lookup], after_tool=lambda c, r, x: {"v": 1}).run("go")
    assert bare.steps[0].tool_results[0].output == TextOutput(text='{"v": 1}')
    assert bare.steps[0].tool_results[0].metadata == {"rows": 3}

    model = ScriptedModel([reply(tool_calls=[("c1", "lookup", '{"key": "k"}')]), reply("ok")])
    new = ToolReturn(output="other", metadata={"rows": 0})
    replaced = await Agent(model, tools=[lookup], after_tool=lambda c, r, x: new).run("go")
    assert replaced.steps[0].tool_results[0].metadata == {"rows": 0}


async def test_after_tool_sees_a_failing_tool_and_may_turn_a_result_into_an_error() -> None:
    def broken(to: str, amount: int) -> str:
        """Send money"""
        raise RuntimeError("bank offline")

    seen: list[Any] = []

    def check(call: ToolCall, result: ToolResult, context: ToolHookContext) -> None:
        seen.append(result.output)
        raise ToolError("checked and refused")

    model = ScriptedModel([reply(tool_calls=[("c1", "transfer", '{"to": "b", "amount": 1}')])])
    model.responses.append(reply("ok"))
    agent = Agent(model, tools=[tool(name="transfer")(broken)], after_tool=check)
    result = await agent.run("go")
    assert seen == [ErrorOutput(message="RuntimeError: bank offline")]
    assert result.steps[0].tool_results[0].output == ErrorOutput(message="checked and refused")


async def test_hooks_wrap_only_calls_that_run() -> None:
    calls: list[str] = []
    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("bad", "transfer", '{"to": 1'),  # not JSON even after repair: never runs
                    ("unknown", "nope", "{}"),
                    ("good", "transfer", '{"to": "a", "amount": 1}'),
                ]
            ),
            reply("ok"),
        ]
    )
    agent = Agent(
        model,
        tools=[transfer],
        repair_tool_call=None,
        before_tool=lambda call, ctx: calls.append("before " + call.tool_call_id),
        after_tool=lambda call, result, ctx: calls.append("after " + call.tool_call_id),
    )
    await agent.run("go")
    assert calls == ["before good", "after good"]


async def test_hooks_wrap_an_approved_call_when_the_run_resumes() -> None:
    calls: list[str] = []
    guarded = tool(name="transfer", needs_approval=True)(transfer)
    model = one_call()
    agent = Agent(
        model,
        tools=[guarded],
        before_tool=lambda call, ctx: calls.append(f"before {len(ctx.messages)}"),
        after_tool=lambda call, result, ctx: calls.append("after"),
    )
    paused = await agent.run("pay")
    assert calls == []
    await agent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert calls == ["before 2", "after"]
    assert RAN == [("bob", 500)]


def test_hooks_must_be_functions() -> None:
    with pytest.raises(TypeError, match="before_tool must be a function, not str"):
        Agent(one_call(), before_tool="log")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="after_tool must be a function, not int"):
        Agent(one_call(), after_tool=3)  # type: ignore[arg-type]


async def test_a_hooked_call_keeps_the_agents_tool_timeout() -> None:
    import anyio

    async def slow(city: str) -> str:
        """Slow"""
        await anyio.sleep(5)
        return "late"

    model = ScriptedModel([reply(tool_calls=[("c1", "slow", '{"city": "Rome"}')]), reply("ok")])
    agent = Agent(model, tools=[slow], tool_timeout=0.02, before_tool=lambda call, ctx: None)
    result = await agent.run("go")
    [tool_result] = result.steps[0].tool_results
    assert tool_result.output == ErrorOutput(message="the tool 'slow' timed out after 0.02 s")
