"""Tool approval: a call that needs a decision stops the run; approvals resume it exactly
there, in this process or in another one after a JSON round-trip."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reverie import (
    Agent,
    ApprovalError,
    ApprovalRequired,
    ErrorOutput,
    Message,
    PendingCall,
    ReverieError,
    RunFinish,
    StepFinish,
    StepStart,
    StopReason,
    TextOutput,
    Tool,
    ToolCallPart,
    ToolHookContext,
    ToolResultPart,
    dump_result,
    load_result,
    tool,
    user_message,
)
from reverie.content import ToolCall, ToolResult
from reverie.testing.fake import ScriptedModel, reply

DELETED: list[str] = []


def read_file(path: str) -> str:
    """Read a file"""
    return f"contents of {path}"


@tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file"""
    DELETED.append(path)
    return f"deleted {path}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    DELETED.clear()


def paused_model(*after: Any) -> ScriptedModel:
    return ScriptedModel(
        [
            reply(
                "Reading, then deleting.",
                tool_calls=[
                    ("c1", "read_file", '{"path": "a.txt"}'),
                    ("c2", "delete_file", '{"path": "a.txt"}'),
                ],
            ),
            *after,
        ]
    )


def tool_message(messages: list[Message]) -> list[ToolResultPart]:
    last = messages[-1]
    assert last.role == "tool"
    return [p for p in last.content if isinstance(p, ToolResultPart)]


async def test_a_call_needing_approval_stops_the_run_after_the_other_calls_ran() -> None:
    model = paused_model()
    agent = Agent(model, tools=[read_file, delete_file])
    result = await agent.run("clean up a.txt")

    assert result.stop_reason == StopReason.APPROVAL == "approval"
    assert result.pending == [
        PendingCall(tool_call_id="c2", tool_name="delete_file", input='{"path": "a.txt"}')
    ]
    assert DELETED == []
    assert len(model.calls) == 1
    # The step ran the other call; its result is in the conversation, the pending one's not.
    assert [r.tool_call_id for r in result.steps[0].tool_results] == ["c1"]
    assert [m.role for m in result.messages] == ["user", "assistant", "tool"]
    assert [p.tool_call_id for p in tool_message(result.messages)] == ["c1"]
    assert result.text == "Reading, then deleting."


async def test_approving_runs_the_call_and_the_loop_goes_on() -> None:
    model = paused_model(reply("Deleted."))
    agent = Agent(model, tools=[read_file, delete_file])
    paused = await agent.run("clean up a.txt")

    result = await agent.run(messages=paused.messages, approvals={paused.pending[0]: True})

    assert DELETED == ["a.txt"]
    assert result.stop_reason == StopReason.DONE
    assert result.text == "Deleted."
    assert result.pending == []
    assert [(r.tool_call_id, r.output) for r in result.resumed] == [
        ("c2", TextOutput(text="deleted a.txt"))
    ]
    # Step 0 finishes the step the first run stopped in: the approved call's result is there.
    assert [s.number for s in result.steps] == [0, 1]
    assert result.steps[0].tool_results == result.resumed
    assert result.steps[0].messages == [result.messages[2]]
    assert result.steps[0].usage.total_tokens == 0
    # The model sees one tool message answering both calls, in call order.
    sent = model.calls[1].prompt
    assert [m.role for m in sent] == ["user", "assistant", "tool"]
    assert [(p.tool_call_id, p.output) for p in tool_message(list(sent))] == [
        ("c1", TextOutput(text="contents of a.txt")),
        ("c2", TextOutput(text="deleted a.txt")),
    ]
    assert [m.role for m in result.messages] == ["user", "assistant", "tool", "assistant"]


@pytest.mark.parametrize(
    ("decision", "message"),
    [(False, "denied: not approved"), ("the user keeps a.txt", "denied: the user keeps a.txt")],
)
async def test_a_denial_is_an_error_result_the_model_sees(
    decision: bool | str, message: str
) -> None:
    model = paused_model(reply("Understood, I will not delete it."))
    agent = Agent(model, tools=[read_file, delete_file])
    paused = await agent.run("clean up a.txt")

    result = await agent.run(messages=paused.messages, approvals={paused.pending[0]: decision})

    assert DELETED == []
    assert result.resumed[0].output == ErrorOutput(message=message)
    parts = tool_message(list(model.calls[1].prompt))
    assert parts[1].output == ErrorOutput(message=message)
    assert result.text == "Understood, I will not delete it."


async def test_deciding_some_calls_pauses_again_for_the_rest_without_a_model_call() -> None:
    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "delete_file", '{"path": "a"}'),
                    ("c2", "delete_file", '{"path": "b"}'),
                    ("c3", "read_file", '{"path": "c"}'),
                ]
            ),
            reply("done"),
        ]
    )
    agent = Agent(model, tools=[read_file, delete_file])
    first = await agent.run("go")
    assert [p.tool_call_id for p in first.pending] == ["c1", "c2"]

    second = await agent.run(messages=first.messages, approvals={first.pending[1]: True})
    assert second.stop_reason == StopReason.APPROVAL
    assert [p.tool_call_id for p in second.pending] == ["c1"]
    [resumed] = second.steps  # no model step: only the decided call's result
    assert (resumed.number, [r.tool_call_id for r in resumed.tool_results]) == (0, ["c2"])
    assert DELETED == ["b"]
    assert len(model.calls) == 1

    # No decision at all: the same calls are still pending, nothing runs.
    again = await agent.run(messages=second.messages)
    assert again.pending == second.pending
    assert again.messages == second.messages

    third = await agent.run(messages=second.messages, approvals={second.pending[0]: "no"})
    assert third.text == "done"
    assert DELETED == ["b"]
    assert [p.tool_call_id for p in tool_message(list(model.calls[1].prompt))] == [
        "c1",
        "c2",
        "c3",
    ]


async def test_a_policy_decides_each_call_and_none_asks() -> None:
    seen: list[tuple[str, Any, int]] = []

    def policy(call: ToolCall, context: ToolHookContext) -> bool | str | None:
        seen.append((call.tool_call_id, context.args, len(context.messages)))
        if context.args["amount"] <= 10:
            return True
        if context.args["amount"] > 1000:
            return "over the limit"
        return None

    paid: list[int] = []
    pay = Tool.from_schema(
        "pay",
        "Pay an amount",
        {"type": "object", "properties": {"amount": {"type": "integer"}}},
        lambda args: paid.append(args["amount"]) or "paid",
        needs_approval=policy,
    )
    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("small", "pay", '{"amount": 5}'),
                    ("large", "pay", '{"amount": 5000}'),
                    ("medium", "pay", '{"amount": 100}'),
                ]
            )
        ]
    )
    result = await Agent(model, tools=[pay]).run("pay")

    assert paid == [5]
    assert [p.tool_call_id for p in result.pending] == ["medium"]
    assert [(r.tool_call_id, r.output) for r in result.steps[0].tool_results] == [
        ("small", TextOutput(text="paid")),
        ("large", ErrorOutput(message="denied: over the limit")),
    ]
    # The policy sees the validated input and the conversation up to the call.
    assert seen == [
        ("small", {"amount": 5}, 2),
        ("large", {"amount": 5000}, 2),
        ("medium", {"amount": 100}, 2),
    ]


async def test_an_async_policy_and_a_wrong_answer_from_one() -> None:
    async def approve(call: ToolCall, context: ToolHookContext) -> bool:
        return context.tool.name == "delete_file"

    remove = tool(name="delete_file", needs_approval=approve)(lambda path: DELETED.append(path))
    model = ScriptedModel([reply(tool_calls=[("c1", "delete_file", '{"path": "x"}')]), reply("ok")])
    assert (await Agent(model, tools=[remove]).run("go")).text == "ok"
    assert DELETED == ["x"]

    bad = Tool.from_schema("bad", "", {}, lambda args: "x", needs_approval=lambda c, x: 1)
    model = ScriptedModel([reply(tool_calls=[("c1", "bad", "{}")])])
    with pytest.raises(TypeError, match="needs_approval policy of tool 'bad' must return"):
        await Agent(model, tools=[bad]).run("go")


async def test_an_invalid_call_to_an_approval_tool_is_an_error_result_not_a_question() -> None:
    model = ScriptedModel([reply(tool_calls=[("c1", "delete_file", '{"pth": 1}')]), reply("ok")])
    result = await Agent(model, tools=[delete_file]).run("go")
    assert result.stop_reason == StopReason.DONE
    output = result.steps[0].tool_results[0].output
    assert isinstance(output, ErrorOutput) and "path" in output.message


async def test_approvals_are_checked() -> None:
    model = paused_model()
    agent = Agent(model, tools=[read_file, delete_file])
    paused = await agent.run("clean up")
    [shown] = paused.pending
    unknown = PendingCall(tool_call_id="c9", tool_name="delete_file", input="{}")
    with pytest.raises(ApprovalError, match=r"not pending: 'c9'; the pending calls are: 'c2'"):
        await agent.run(messages=paused.messages, approvals={unknown: True})
    with pytest.raises(ApprovalError, match="messages end with no call waiting"):
        await agent.run("hi", approvals={shown: True})
    with pytest.raises(ApprovalError, match="resume with approvals= and no prompt"):
        await agent.run("and also…", messages=paused.messages, approvals={shown: True})
    with pytest.raises(TypeError, match=r"approvals\['c2'\] must be True, False or a reason"):
        await agent.run(messages=paused.messages, approvals={shown: 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="approvals must be a dict"):
        await agent.run(messages=paused.messages, approvals=[shown])  # type: ignore[typeddict-item]
    # A bare id says nothing of the tool or the input a person saw: refused.
    with pytest.raises(TypeError, match=r"keyed by the pending calls themselves.*not by str"):
        await agent.run(messages=paused.messages, approvals={"c2": True})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="needs_approval must be a bool or a policy"):
        tool(needs_approval="yes")(read_file)  # type: ignore[arg-type]
    assert DELETED == []
    assert issubclass(ApprovalError, ValueError) and issubclass(ApprovalError, ReverieError)


async def test_a_streamed_run_emits_the_approval_event_and_resumes_with_the_results_first() -> None:
    agent = Agent(paused_model(reply("Deleted.")), tools=[read_file, delete_file])
    events = [e async for e in agent.stream("clean up")]
    assert isinstance(events[-2], ApprovalRequired) and isinstance(events[-1], RunFinish)
    assert (
        events[-2].calls
        == events[-1].result.pending
        == [PendingCall(tool_call_id="c2", tool_name="delete_file", input='{"path": "a.txt"}')]
    )
    assert events[-2].type == "approval-required"
    paused = events[-1].result

    stream = agent.stream(messages=paused.messages, approvals={paused.pending[0]: True})
    resumed = [e async for e in stream]
    assert resumed[0] == StepStart(0)
    assert isinstance(resumed[1], ToolResult) and resumed[1].tool_call_id == "c2"
    assert isinstance(resumed[2], StepFinish) and resumed[2].step.number == 0
    assert resumed[3] == StepStart(1)
    assert stream.result.text == "Deleted."
    assert stream.result.resumed == [resumed[1]]

    # run and stream agree.
    run_agent = Agent(paused_model(reply("Deleted.")), tools=[read_file, delete_file])
    run_paused = await run_agent.run("clean up")
    assert run_paused.messages == paused.messages
    assert run_paused.pending == paused.pending


async def test_resuming_a_conversation_ending_in_unanswered_calls_runs_them() -> None:
    # A history cut after the model's turn (no tool results yet) would be refused by every
    # provider; the loop answers it first.
    history = [
        user_message("read a"),
        Message(
            role="assistant",
            content=(
                ToolCallPart(tool_call_id="c1", tool_name="read_file", input='{"path": "a"}'),
            ),
        ),
    ]
    model = ScriptedModel([reply("It says: contents of a")])
    result = await Agent(model, tools=[read_file]).run(messages=history)
    assert [r.output for r in result.resumed] == [TextOutput(text="contents of a")]
    assert [m.role for m in model.calls[0].prompt] == ["user", "assistant", "tool"]


async def test_pending_state_round_trips_through_json() -> None:
    paused = await Agent(paused_model(), tools=[read_file, delete_file]).run("clean up")
    text = dump_result(paused)
    assert json.loads(text)["pending"] == [
        {"tool_call_id": "c2", "tool_name": "delete_file", "input": '{"path": "a.txt"}'}
    ]
    assert json.loads(text)["stop_reason"] == "approval"
    assert load_result(text) == paused


RESUME = """
import json, sys
from pathlib import Path
import reverie
from reverie.testing.fake import ScriptedModel, reply

deleted = []

@reverie.tool(needs_approval=True)
def delete_file(path: str) -> str:
    "Delete a file"
    deleted.append(path)
    return f"deleted {path}"

def read_file(path: str) -> str:
    "Read a file"
    raise AssertionError("a resumed run must not run finished calls again")

paused = reverie.load_result(Path(sys.argv[1]).read_text())
model = ScriptedModel([reply("Deleted a.txt.")])
agent = reverie.Agent(model, tools=[read_file, delete_file])
decisions = {call: True for call in paused.pending}
result = agent.run_sync(messages=paused.messages, approvals=decisions)
sent = model.calls[0].prompt[-1]
print(json.dumps({
    "deleted": deleted,
    "text": result.text,
    "stop_reason": result.stop_reason,
    "sent": [[p.tool_call_id, p.output.text] for p in sent.content],
}))
"""


def test_approval_resumes_in_a_fresh_process_from_the_json_file(tmp_path: Path) -> None:
    import anyio

    async def pause() -> str:
        return dump_result(await Agent(paused_model(), tools=[read_file, delete_file]).run("go"))

    saved = tmp_path / "paused.json"
    saved.write_text(anyio.run(pause))
    script = tmp_path / "resume.py"
    script.write_text(textwrap.dedent(RESUME))
    out = subprocess.run(
        [sys.executable, str(script), str(saved)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == {
        "deleted": ["a.txt"],
        "text": "Deleted a.txt.",
        "stop_reason": "done",
        "sent": [["c1", "contents of a.txt"], ["c2", "deleted a.txt"]],
    }
    assert DELETED == []  # nothing ran in this process


async def test_an_agent_with_output_pauses_for_approval_then_ends_with_its_answer() -> None:
    from pydantic import BaseModel

    class Cleanup(BaseModel):
        deleted: list[str]

    model = paused_model(reply(tool_calls=[("f1", "final_answer", '{"deleted": ["a.txt"]}')]))
    agent = Agent(model, tools=[read_file, delete_file], output=Cleanup)
    paused = await agent.run("clean up a.txt")
    assert paused.stop_reason == StopReason.APPROVAL
    assert paused.output is None  # no answer yet, and no retry spent on the pause

    result = await agent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert DELETED == ["a.txt"]
    assert result.stop_reason == StopReason.DONE
    assert result.output == Cleanup(deleted=["a.txt"])


async def test_a_denial_is_honoured_on_resume_even_by_an_agent_that_would_not_ask() -> None:
    model = paused_model(reply("Kept it."))
    paused = await Agent(model, tools=[read_file, delete_file]).run("clean up a.txt")
    ran: list[dict[str, Any]] = []
    # the same tool, now without needs_approval: the caller's explicit "no" still stands
    trusting = Tool.from_schema("delete_file", "", {}, ran.append)
    result = await Agent(model, tools=[read_file, trusting]).run(
        messages=paused.messages, approvals={paused.pending[0]: False}
    )
    assert ran == []
    [resumed] = result.resumed
    assert resumed.tool_call_id == "c2" and isinstance(resumed.output, ErrorOutput)


async def test_an_unanswered_call_with_broken_json_is_repaired_on_resume() -> None:
    history = [
        user_message("clean up"),
        Message(
            role="assistant",
            content=(
                ToolCallPart(tool_call_id="c9", tool_name="delete_file", input='{"path": "b.txt"'),
            ),
        ),
    ]
    model = ScriptedModel([reply("Deleted.")])
    shown = PendingCall(tool_call_id="c9", tool_name="delete_file", input='{"path": "b.txt"')
    result = await Agent(model, tools=[delete_file]).run(messages=history, approvals={shown: True})
    assert DELETED == ["b.txt"]
    assert [(r.tool_call_id, r.output) for r in result.resumed] == [
        ("c9", TextOutput(text="deleted b.txt"))
    ]


async def test_a_resume_deciding_only_some_calls_streams_the_rest_as_pending() -> None:
    calls = tuple(
        ToolCallPart(tool_call_id=f"c{n}", tool_name="delete_file", input=f'{{"path": "{n}"}}')
        for n in (1, 2)
    )
    history = [user_message("clean up"), Message(role="assistant", content=calls)]
    agent = Agent(ScriptedModel([]), tools=[delete_file])
    first = PendingCall(tool_call_id="c1", tool_name="delete_file", input='{"path": "1"}')
    events = [e async for e in agent.stream(messages=history, approvals={first: True})]
    [required] = [e for e in events if isinstance(e, ApprovalRequired)]
    assert required.calls == [
        PendingCall(tool_call_id="c2", tool_name="delete_file", input='{"path": "2"}')
    ]
    assert DELETED == ["1"]
