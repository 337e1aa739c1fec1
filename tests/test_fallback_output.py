"""reverie.fallback(on=...) naming bad answers: an empty answer, and structured output that
does not parse or validate (generate_object, and an agent's final answer)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import reverie
from reverie import EmptyAnswer, FallbackModel, NoObjectGenerated
from reverie.content import ToolCall
from reverie.model import Finish, ReasoningDelta, TextDelta
from reverie.providers.kit import Call
from reverie.testing import ScriptedModel, reply
from reverie.usage import Usage


def usage(n: int) -> Usage:
    return Usage(input_tokens=n, output_tokens=n, total_tokens=2 * n)


def chain(
    first: list[Any], second: list[Any], on: Any
) -> tuple[ScriptedModel, ScriptedModel, FallbackModel]:
    a = ScriptedModel(first, provider="a", model_id="one")
    b = ScriptedModel(second, provider="b", model_id="two")
    return a, b, reverie.fallback(a, b, on=on)


# an empty answer


@pytest.mark.parametrize(
    "empty",
    [
        reply("", usage=usage(3)),
        reply("  \n", usage=usage(3)),
        reply("", reasoning="Let me think", usage=usage(3)),  # reasoning alone is empty
    ],
)
async def test_an_empty_answer_moves_on_when_on_names_it(empty: reverie.Response) -> None:
    a, b, model = chain([empty], [reply("Hello!", usage=usage(5))], on=EmptyAnswer)
    result = await reverie.Agent(model).run("Hi")
    assert result.text == "Hello!"
    step = result.steps[0]
    assert step.usage == usage(3) + usage(5)  # the answer passed over still counts
    record = step.provider_metadata["fallback"]
    assert record["model"] == "b:two"
    assert record["failed"][0].startswith("a:one: EmptyAnswer: the model answered with nothing")
    assert any("answered by b:two after" in w.message for w in step.warnings)
    assert len(a.calls) == len(b.calls) == 1


async def test_an_empty_answer_is_kept_when_on_does_not_name_it() -> None:
    _a, b, model = chain([reply("")], [reply("Hello!")], on=None)
    result = await reverie.Agent(model).run("Hi")
    assert result.text == "" and b.calls == []


async def test_the_last_models_empty_answer_is_returned_as_it_is() -> None:
    _a, _b, model = chain([reply("")], [reply("", usage=usage(5))], on=EmptyAnswer)
    result = await reverie.Agent(model).run("Hi")
    assert result.stop_reason == "done" and result.text == ""
    scripted = Usage(input_tokens=10, output_tokens=5, total_tokens=15)  # reply()'s default
    assert result.usage == scripted + usage(5)


async def test_a_tool_call_without_text_is_an_answer() -> None:
    calls = reply(tool_calls=[("c1", "add", '{"a": 1, "b": 2}')])
    _a, b, model = chain([calls, reply("3")], [], on=EmptyAnswer)

    def add(a: int, b: int) -> int:
        """Add"""
        return a + b

    result = await reverie.Agent(model, tools=[add]).run("1+2?")
    assert result.text == "3" and b.calls == []


async def test_a_function_of_the_error_gets_the_empty_answer_with_its_usage() -> None:
    seen: list[Exception] = []

    def on(error: Exception) -> bool:
        seen.append(error)
        return isinstance(error, EmptyAnswer) and error.usage.output_tokens == 3

    _a, _b, model = chain([reply("", usage=usage(3))], [reply("ok")], on=on)
    assert (await model.generate(Call(prompt=[reverie.user_message("x")]))).text == "ok"
    assert isinstance(seen[0], EmptyAnswer) and seen[0].finish_reason == "stop"


async def test_streamed_an_empty_answer_moves_on_before_the_caller_sees_anything() -> None:
    empty = reply("", reasoning="Hmm, nothing to say", usage=usage(3))
    a, _b, model = chain([empty], [reply("Hello!", usage=usage(5))], on=EmptyAnswer)
    stream = reverie.Agent(model).stream("Hi")
    events = [event async for event in stream]
    assert not any(isinstance(e, ReasoningDelta) for e in events)  # held back, then dropped
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "Hello!"
    assert a.closed_streams == 1
    finish = next(e for e in events if isinstance(e, Finish))
    assert finish.usage == usage(3) + usage(5)
    # the same steps as the run
    _, _, again = chain([empty], [reply("Hello!", usage=usage(5))], on=EmptyAnswer)
    ran = await reverie.Agent(again).run("Hi")
    assert [s.usage for s in stream.result.steps] == [s.usage for s in ran.steps]
    assert stream.result.text == ran.text


async def test_streamed_reasoning_is_held_only_until_the_answer_begins_and_then_kept() -> None:
    answer = reply("Yes.", reasoning="Think first")
    _a, b, model = chain([answer], [], on=EmptyAnswer)
    parts = [part async for part in model.stream(Call(prompt=[reverie.user_message("q")]))]
    kinds = [type(p).__name__ for p in parts]
    assert kinds.index("ReasoningDelta") < kinds.index("TextDelta")
    assert "".join(p.delta for p in parts if isinstance(p, ReasoningDelta)) == "Think first"
    assert b.calls == []


async def test_streamed_an_error_before_the_answer_began_moves_on_too() -> None:
    a = ScriptedModel([reply("x")], provider="a", model_id="one")
    b = ScriptedModel([reply("fine")], provider="b", model_id="two")

    class ReasonThenFail:
        provider, model_id = "c", "three"

        async def generate(self, call: Call) -> reverie.Response:
            raise AssertionError("streamed only")

        async def stream(self, call: Call) -> Any:
            yield ReasoningDelta(id="r", delta="thinking")
            yield reverie.ErrorPart(reverie.OverloadedError("busy", status=529, retryable=True))

    model = reverie.fallback(ReasonThenFail(), b, on=EmptyAnswer)  # type: ignore[arg-type]
    parts = [part async for part in model.stream(Call(prompt=[reverie.user_message("q")]))]
    assert "".join(p.delta for p in parts if isinstance(p, TextDelta)) == "fine"
    assert a.calls == []


# structured output: generate_object


class City(BaseModel):
    name: str
    population: int


GOOD = '{"name": "Florence", "population": 360000}'


async def test_generate_object_moves_on_from_an_object_that_does_not_validate() -> None:
    bad = reply('{"name": "Florence"}', usage=usage(3))
    _a, _b, model = chain([bad], [reply(GOOD, usage=usage(5))], on=NoObjectGenerated)
    result = await reverie.generate_object_result(model, City, prompt="Florence", mode="text")
    assert result.object == City(name="Florence", population=360000)
    assert result.usage == usage(3) + usage(5)
    failed = result.provider_metadata["fallback"]["failed"]
    assert failed[0].startswith("a:one: NoObjectGenerated: no object generated")


async def test_the_repair_hook_gets_its_try_before_the_next_model() -> None:
    tried: list[str] = []

    def repair(text: str, error: Exception) -> str | None:
        tried.append(text)
        return None

    _a, _b, model = chain([reply("not json")], [reply(GOOD)], on=NoObjectGenerated)
    city = await reverie.generate_object(model, City, prompt="x", mode="text", repair=repair)
    assert city.name == "Florence" and tried == ["not json"]


async def test_without_on_the_object_failure_is_raised() -> None:
    _a, b, model = chain([reply("not json")], [reply(GOOD)], on=None)
    with pytest.raises(NoObjectGenerated):
        await reverie.generate_object(model, City, prompt="x", mode="text")
    assert b.calls == []


async def test_when_every_object_fails_the_last_failure_is_raised_with_all_usage() -> None:
    _a, _b, model = chain(
        [reply("nope", usage=usage(3))], [reply("no", usage=usage(5))], on=NoObjectGenerated
    )
    with pytest.raises(NoObjectGenerated) as caught:
        await reverie.generate_object(model, City, prompt="x", mode="text")
    assert caught.value.text == "no"
    assert caught.value.usage == usage(3) + usage(5)
    assert any("tried first a:one: NoObjectGenerated" in n for n in caught.value.__notes__)


async def test_an_empty_object_answer_moves_on_as_an_empty_answer_too() -> None:
    _a, _b, model = chain([reply("")], [reply(GOOD)], on=EmptyAnswer)
    city = await reverie.generate_object(model, City, prompt="x", mode="text")
    assert city.population == 360000


async def test_a_chain_inside_a_chain_judges_objects_too() -> None:
    a = ScriptedModel([reply("bad")], provider="a", model_id="one")
    b = ScriptedModel([reply("worse")], provider="b", model_id="two")
    c = ScriptedModel([reply(GOOD)], provider="c", model_id="three")
    inner = reverie.fallback(a, b, on=NoObjectGenerated)
    model = reverie.fallback(inner, c, on=NoObjectGenerated)
    city = await reverie.generate_object(model, City, prompt="x", mode="text")
    assert city.name == "Florence" and len(a.calls) == len(b.calls) == len(c.calls) == 1


async def test_a_streamed_object_does_not_move_on_once_its_parts_were_seen() -> None:
    _a, b, model = chain([reply("not json")], [reply(GOOD)], on=NoObjectGenerated)
    with pytest.raises(NoObjectGenerated):
        await reverie.stream_object(model, City, prompt="x", mode="text").collect()
    assert b.calls == []


# structured output: an agent's final answer


def final(answer: str, call_id: str = "f1", n: int = 1) -> reverie.Response:
    return reply(tool_calls=[(call_id, "final_answer", answer)], usage=usage(n))


async def test_an_agent_moves_on_once_its_models_output_retries_are_spent() -> None:
    a, b, model = chain(
        [final('{"name": "x"}', "f1"), final('{"name": "y"}', "f2")],
        [final(GOOD, "f3")],
        on=NoObjectGenerated,
    )
    agent = reverie.Agent(model, output=City, output_retries=1)
    result = await agent.run("Florence")
    assert result.output == City(name="Florence", population=360000)
    assert len(a.calls) == 2 and len(b.calls) == 1  # its own retry first, then the next model
    assert [s.model for s in result.steps] == ["fallback:a:one,b:two"] * 2 + ["fallback:b:two"]
    # the next model sees the failed answer and why, and gets the agent's retries afresh
    sent = b.calls[0].prompt[-1].content[0]
    assert sent.tool_call_id == "f2" and "Invalid final answer" in sent.output.message
    assert result.usage == usage(1) + usage(1) + usage(1)


async def test_an_agent_that_answered_in_prose_moves_on_with_the_reminder() -> None:
    _a, b, model = chain([reply("Florence, about 360k")], [final(GOOD)], on=NoObjectGenerated)
    result = await reverie.Agent(model, output=City, output_retries=0).run("Florence")
    assert result.output is not None and result.output.name == "Florence"
    assert b.calls[0].prompt[-1].role == "user"
    assert "final_answer" in b.calls[0].prompt[-1].content[0].text


async def test_an_agent_fails_as_before_when_on_does_not_name_the_failure() -> None:
    _a, b, model = chain([final("{}")], [final(GOOD)], on=EmptyAnswer)
    with pytest.raises(NoObjectGenerated):
        await reverie.Agent(model, output=City, output_retries=0).run("x")
    assert b.calls == []


async def test_an_agent_fails_when_the_last_model_fails_too() -> None:
    _a, _b, model = chain([final("{}")], [final("{}", "f2")], on=NoObjectGenerated)
    with pytest.raises(NoObjectGenerated) as caught:
        await reverie.Agent(model, output=City, output_retries=0).run("x")
    assert len(caught.value.partial.steps) == 2  # type: ignore[attr-defined]


async def test_streamed_the_agent_moves_on_the_same_way() -> None:
    def script() -> FallbackModel:
        return chain([final("{}")], [final(GOOD, "f2")], on=NoObjectGenerated)[2]

    ran = await reverie.Agent(script(), output=City, output_retries=0).run("x")
    stream = reverie.Agent(script(), output=City, output_retries=0).stream("x")
    await stream.collect()
    assert stream.result.output == ran.output
    assert [s.model for s in stream.result.steps] == [s.model for s in ran.steps]


def test_after_names_the_rest_of_the_chain_and_refuses_a_record_that_does_not_fit() -> None:
    a, b, _model = chain([], [], on=NoObjectGenerated)
    c = ScriptedModel([], provider="c", model_id="three")
    three = reverie.fallback(a, b, c, on=NoObjectGenerated)
    rest = three.after({"fallback": {"model": "a:one", "failed": []}})
    assert rest is not None and rest.models == (b, c)
    assert three.after({"fallback": {"model": "c:three", "failed": ["x", "y"]}}) is None
    assert three.after({"fallback": {"model": "b:two", "failed": []}}) is None  # tampered
    assert three.after({}) is None
    assert three.after({"fallback": {"model": "a:one", "failed": "x"}}) is None


def test_tool_calls_are_never_empty() -> None:
    from reverie.fallback_model import is_empty

    assert not is_empty([ToolCall(tool_call_id="1", tool_name="t", input="{}")])
    assert is_empty([])


async def test_an_outer_chain_judges_the_empty_answer_an_inner_chain_returned() -> None:
    a = ScriptedModel([reply("")], provider="a", model_id="one")
    b = ScriptedModel([reply("")], provider="b", model_id="two")
    c = ScriptedModel([reply("here")], provider="c", model_id="three")
    model = reverie.fallback(reverie.fallback(a, b), c, on=EmptyAnswer)
    result = await reverie.Agent(model).run("q")
    assert result.text == "here" and len(a.calls) == 1 and b.calls == []  # inner: on=None
    streamed_model = reverie.fallback(
        reverie.fallback(
            ScriptedModel([reply("")], provider="a", model_id="one"),
            ScriptedModel([reply("")], provider="b", model_id="two"),
        ),
        ScriptedModel([reply("here")], provider="c", model_id="three"),
        on=EmptyAnswer,
    )
    stream = reverie.Agent(streamed_model).stream("q")
    await stream.collect()
    assert stream.result.text == "here"


async def test_the_next_model_gets_the_output_retries_afresh() -> None:
    a, b, model = chain(
        [final("{}", "f1"), final("{}", "f2")],
        [final("{}", "f3"), final(GOOD, "f4")],
        on=NoObjectGenerated,
    )
    result = await reverie.Agent(model, output=City, output_retries=1).run("x")
    assert result.output is not None and len(a.calls) == len(b.calls) == 2
