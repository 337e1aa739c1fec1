"""An approval approves exactly the call a person saw: tool call ids are unique within a
conversation (a colliding id gets a local one, the provider's kept for replay), and a decision
for another call, another tool, other input, an answered call or a tampered file is refused.

Ids collide in every family: servers that repeat ids (chat completions, Responses,
Anthropic), and Gemini's made-up ids (``tool_call_ids="tool_name"``, and sequential ids that
restart at "1" with every provider instance)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from reverie import (
    Agent,
    ApprovalError,
    ErrorOutput,
    LanguageModel,
    PendingCall,
    SerializationError,
    StopReason,
    TextOutput,
    ToolCallPart,
    dump_result,
    load_result,
    tool,
)
from reverie.content import ToolCall, ToolResult
from reverie.http.retry import NO_RETRY
from reverie.model import Response
from reverie.testing.fake import ScriptedModel, reply

DELETED: list[str] = []
READ: list[str] = []


@tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file"""
    DELETED.append(path)
    return f"deleted {path}"


@tool(needs_approval=True)
def read_file(path: str) -> str:
    """Read a file"""
    READ.append(path)
    return f"contents of {path}"


def lookup(path: str) -> str:
    """Look a file up (no approval needed)"""
    READ.append(path)
    return f"found {path}"


@pytest.fixture(autouse=True)
def _clear() -> None:
    DELETED.clear()
    READ.clear()


def original_id(part: ToolCallPart | ToolCall) -> str | None:
    options = part.provider_options if isinstance(part, ToolCallPart) else part.provider_metadata
    value = options.get("reverie", {}).get("original_tool_call_id")
    return None if value is None else str(value)


# --- the loop, with a scripted model -------------------------------------------------------


async def test_two_calls_sharing_an_id_in_one_reply_get_distinct_ids() -> None:
    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "delete_file", '{"path": "old.log"}'),
                    ("c1", "delete_file", '{"path": "/etc"}'),
                ]
            ),
            reply("done"),
        ]
    )
    agent = Agent(model, tools=[delete_file])
    paused = await agent.run("clean up")
    assert paused.pending == [
        PendingCall(tool_call_id="c1", tool_name="delete_file", input='{"path": "old.log"}'),
        PendingCall(tool_call_id="c1_2", tool_name="delete_file", input='{"path": "/etc"}'),
    ]
    parts = [p for p in paused.messages[-1].content if isinstance(p, ToolCallPart)]
    assert [(p.tool_call_id, original_id(p)) for p in parts] == [("c1", None), ("c1_2", "c1")]
    assert [c.tool_call_id for c in paused.steps[0].tool_calls] == ["c1", "c1_2"]

    # Approving the call shown as old.log runs that call only.
    again = await agent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert DELETED == ["old.log"]
    assert again.stop_reason == StopReason.APPROVAL
    assert [p.tool_call_id for p in again.pending] == ["c1_2"]

    final = await agent.run(messages=again.messages, approvals={again.pending[0]: "no"})
    assert DELETED == ["old.log"]  # a denied call never runs
    assert final.text == "done"
    [sent_tool_message] = [m for m in model.calls[1].prompt if m.role == "tool"]
    assert [p.tool_call_id for p in sent_tool_message.content] == ["c1", "c1_2"]  # type: ignore[union-attr]


async def test_approving_one_tool_never_runs_another_that_shared_its_id() -> None:
    model = ScriptedModel(
        [
            reply(
                tool_calls=[
                    ("c1", "read_file", '{"path": "notes.txt"}'),
                    ("c1", "delete_file", '{"path": "/"}'),
                ]
            )
        ]
    )
    agent = Agent(model, tools=[read_file, delete_file])
    paused = await agent.run("go")
    read = next(p for p in paused.pending if p.tool_name == "read_file")
    result = await agent.run(messages=paused.messages, approvals={read: True})
    assert READ == ["notes.txt"] and DELETED == []
    assert [(p.tool_call_id, p.tool_name) for p in result.pending] == [("c1_2", "delete_file")]


async def test_an_id_reused_in_a_later_step_or_run_is_made_unique_deterministically() -> None:
    def script() -> ScriptedModel:
        return ScriptedModel(
            [
                reply(tool_calls=[("c1", "lookup", '{"path": "a"}')]),
                reply(tool_calls=[("c1", "lookup", '{"path": "b"}')]),
                reply(tool_calls=[("c1", "lookup", '{"path": "c"}'), ("c1_2", "lookup", "{}")]),
                reply("done"),
            ]
        )

    first = await Agent(script(), tools=[lookup]).run("go")
    ids = [c.tool_call_id for step in first.steps for c in step.tool_calls]
    assert ids == ["c1", "c1_2", "c1_3", "c1_2_2"]
    results = [r.tool_call_id for step in first.steps for r in step.tool_results]
    assert results == ids  # each result answers its own call
    originals = [original_id(c) for step in first.steps for c in step.tool_calls]
    assert originals == [None, "c1", "c1", "c1_2"]
    # The same model output gives the same ids: no randomness.
    second = await Agent(script(), tools=[lookup]).run("go")
    assert second.messages == first.messages

    # A later run continuing the conversation sees the earlier ids as taken.
    model = ScriptedModel([reply(tool_calls=[("c1", "lookup", '{"path": "d"}')]), reply("ok")])
    later = await Agent(model, tools=[lookup]).run("more", messages=first.messages)
    assert [c.tool_call_id for c in later.steps[0].tool_calls] == ["c1_4"]


async def test_a_local_call_does_not_take_the_id_of_a_provider_executed_one() -> None:
    search = ToolCall(tool_call_id="x", tool_name="web_search", input="{}", provider_executed=True)
    found = ToolResult(
        tool_call_id="x",
        tool_name="web_search",
        output=TextOutput(text="results"),
        provider_executed=True,
    )
    local = ToolCall(tool_call_id="x", tool_name="lookup", input='{"path": "a"}')
    model = ScriptedModel(
        [
            Response(content=[local, search, found], finish_reason="tool-calls"),  # type: ignore[arg-type]
            reply("ok"),
        ]
    )
    result = await Agent(model, tools=[lookup]).run("go")
    calls = result.steps[0].tool_calls
    assert [(c.tool_call_id, c.provider_executed) for c in calls] == [("x_2", False), ("x", True)]
    assert [r.tool_call_id for r in result.steps[0].tool_results] == ["x", "x_2"]


async def paused_on(*calls: tuple[str, str, str], tools: list[Any] | None = None) -> Any:
    model = ScriptedModel([reply(tool_calls=list(calls)), reply("done")])
    agent = Agent(model, tools=tools or [read_file, delete_file])
    return agent, await agent.run("go")


async def test_a_decision_for_changed_input_is_refused() -> None:
    agent, paused = await paused_on(("c1", "delete_file", '{"path": "old.log"}'))
    [shown] = paused.pending
    # the messages were edited after the person saw the call: old.log became /
    call = paused.messages[-1].content[0]
    edited = [
        *paused.messages[:-1],
        type(paused.messages[-1])(
            role="assistant",
            content=(
                type(call)(tool_call_id="c1", tool_name="delete_file", input='{"path": "/"}'),
            ),
        ),
    ]
    with pytest.raises(ApprovalError, match="other input than the call waiting"):
        await agent.run(messages=edited, approvals={shown: True})
    forged = PendingCall(tool_call_id="c1", tool_name="delete_file", input='{"path": "/"}')
    with pytest.raises(ApprovalError, match="other input"):
        await agent.run(messages=paused.messages, approvals={forged: True})
    assert DELETED == []


async def test_a_decision_for_the_wrong_tool_is_refused() -> None:
    agent, paused = await paused_on(("c1", "delete_file", '{"path": "old.log"}'))
    wrong = PendingCall(tool_call_id="c1", tool_name="read_file", input='{"path": "old.log"}')
    with pytest.raises(ApprovalError, match="is for the tool 'read_file', but that call is to"):
        await agent.run(messages=paused.messages, approvals={wrong: True})
    assert DELETED == [] and READ == []


async def test_an_old_decision_given_again_is_refused() -> None:
    agent, paused = await paused_on(("c1", "delete_file", '{"path": "old.log"}'))
    decisions = {paused.pending[0]: True}
    done = await agent.run(messages=paused.messages, approvals=decisions)
    assert DELETED == ["old.log"] and done.stop_reason == StopReason.DONE
    with pytest.raises(ApprovalError, match=r"'c1' .* is answered already"):
        await agent.run(messages=done.messages, approvals=decisions)
    # the run before the decision, resumed twice: the second time it is answered too
    with pytest.raises(ApprovalError, match="answered already"):
        await agent.run(messages=done.messages[:3], approvals=decisions)
    assert DELETED == ["old.log"]


async def test_a_decision_for_a_call_never_made_is_refused() -> None:
    agent, paused = await paused_on(("c1", "delete_file", '{"path": "old.log"}'))
    stranger = PendingCall(tool_call_id="zz", tool_name="delete_file", input='{"path": "/"}')
    with pytest.raises(ApprovalError, match="not pending: 'zz'; the pending calls are: 'c1'"):
        await agent.run(messages=paused.messages, approvals={stranger: True})
    assert DELETED == []


async def test_waiting_calls_that_share_an_id_cannot_be_decided() -> None:
    # A conversation from before ids were made unique (or hand-made): ambiguous, refused.
    from reverie import Message, user_message

    calls = tuple(
        ToolCallPart(tool_call_id="1", tool_name="delete_file", input=f'{{"path": "{p}"}}')
        for p in ("old.log", "/")
    )
    history = [user_message("clean"), Message(role="assistant", content=calls)]
    shown = PendingCall(tool_call_id="1", tool_name="delete_file", input='{"path": "old.log"}')
    agent = Agent(ScriptedModel([]), tools=[delete_file])
    with pytest.raises(ApprovalError, match="share the id '1'"):
        await agent.run(messages=history, approvals={shown: True})
    assert DELETED == []


async def test_a_saved_result_whose_messages_disagree_with_pending_is_refused() -> None:
    _, paused = await paused_on(("c1", "delete_file", '{"path": "old.log"}'))
    text = dump_result(paused)
    assert load_result(text) == paused

    data = json.loads(text)
    data["messages"][-1]["content"][0]["input"] = '{"path": "/"}'  # the input edited
    with pytest.raises(SerializationError, match="pending calls are not the calls waiting"):
        load_result(json.dumps(data))

    data = json.loads(text)
    data["messages"][-1]["content"][0]["tool_name"] = "read_file"  # the tool edited
    with pytest.raises(SerializationError, match="pending calls are not the calls waiting"):
        load_result(json.dumps(data))

    data = json.loads(text)
    data["pending"] = []  # stopped for approval, but nothing to decide
    with pytest.raises(SerializationError, match="pending: none; waiting: 'c1'"):
        load_result(json.dumps(data))

    data = json.loads(text)
    data["messages"] = data["messages"][:1]  # pending calls the messages never made
    with pytest.raises(SerializationError, match="pending: 'c1'; waiting: none"):
        load_result(json.dumps(data))
    assert DELETED == []


async def test_after_approving_the_steps_show_what_ran_and_what_was_denied() -> None:
    agent, paused = await paused_on(
        ("c1", "delete_file", '{"path": "old.log"}'), ("c2", "delete_file", '{"path": "/"}')
    )
    ok, no = paused.pending
    result = await agent.run(messages=paused.messages, approvals={ok: True, no: "never /"})
    step = result.steps[0]
    assert step.number == 0
    assert [(r.tool_call_id, r.output) for r in step.tool_results] == [
        ("c1", TextOutput(text="deleted old.log")),
        ("c2", ErrorOutput(message="denied: never /")),
    ]
    assert [s.number for s in result.steps] == [0, 1] and result.text == "done"
    assert DELETED == ["old.log"]


# --- every family: ids as their servers (or Gemini's made-up ids) give them -----------------


def chat_body(calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": i,
                            "type": "function",
                            "function": {"name": n, "arguments": json.dumps(a)},
                        }
                        for i, n, a in calls
                    ],
                },
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10},
    }


def responses_body(calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "gpt-5",
        "output": [
            {
                "type": "function_call",
                "id": f"fc_{n}",
                "call_id": i,
                "name": name,
                "arguments": json.dumps(a),
                "status": "completed",
            }
            for n, (i, name, a) in enumerate(calls)
        ],
        "usage": {"input_tokens": 5, "output_tokens": 5, "total_tokens": 10},
    }


def anthropic_body(calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": [{"type": "tool_use", "id": i, "name": n, "input": a} for i, n, a in calls],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 5, "output_tokens": 5},
    }


def gemini_body(calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    # Gemini before 3 returns no ids: the provider makes them up.
    return {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"functionCall": {"name": n, "args": a}} for _, n, a in calls],
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 5, "totalTokenCount": 10},
        "modelVersion": "gemini-2.5-flash",
    }


def text_body(family: str) -> dict[str, Any]:
    if family == "chat":
        body = chat_body([])
        body["choices"][0]["message"] = {"role": "assistant", "content": "done"}
        body["choices"][0]["finish_reason"] = "stop"
        return body
    if family == "responses":
        body = responses_body([])
        body["output"] = [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "done", "annotations": []}],
            }
        ]
        return body
    if family == "anthropic":
        body = anthropic_body([])
        body["content"] = [{"type": "text", "text": "done"}]
        body["stop_reason"] = "end_turn"
        return body
    body = gemini_body([])
    body["candidates"][0]["content"]["parts"] = [{"text": "done"}]
    return body


BODIES: dict[str, Callable[[list[tuple[str, str, dict[str, Any]]]], dict[str, Any]]] = {
    "chat": chat_body,
    "responses": responses_body,
    "anthropic": anthropic_body,
    "gemini": gemini_body,
}


class Server:
    """Answers each request with the next body; keeps the request bodies."""

    def __init__(self, *bodies: dict[str, Any]) -> None:
        self.bodies = list(bodies)
        self.requests: list[dict[str, Any]] = []

    def client(self) -> httpx2.AsyncClient:
        def handle(request: httpx2.Request) -> httpx2.Response:
            self.requests.append(json.loads(request.content))
            return httpx2.Response(200, json=self.bodies.pop(0))

        return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def family_model(family: str, server: Server, **settings: Any) -> LanguageModel:
    client = server.client()
    if family == "chat":
        from reverie.providers.openai import OpenAI

        return OpenAI(api_key="sk-test", client=client, retry=NO_RETRY).model("gpt-4o")
    if family == "responses":
        from reverie.providers.openai import OpenAI

        openai = OpenAI(api_key="sk-test", client=client, retry=NO_RETRY, api="responses")
        return openai.model("gpt-5")
    if family == "anthropic":
        from reverie.providers.anthropic import Anthropic

        return Anthropic(api_key="sk-ant-test", client=client, retry=NO_RETRY).model(
            "claude-sonnet-4-5"
        )
    from reverie.providers.google import Google

    google = Google(api_key="goog-test", client=client, retry=NO_RETRY, **settings)
    return google.model("gemini-2.5-flash")


SAME_ID = [
    ("dup", "delete_file", {"path": "old.log"}),
    ("dup", "delete_file", {"path": "/etc"}),
]


@pytest.mark.parametrize("family", ["chat", "responses", "anthropic"])
async def test_a_server_repeating_an_id_cannot_make_one_approval_run_two_calls(
    family: str,
) -> None:
    server = Server(BODIES[family](SAME_ID), text_body(family))
    agent = Agent(family_model(family, server), tools=[delete_file])
    paused = await agent.run("clean up")
    assert [(p.tool_call_id, json.loads(p.input)["path"]) for p in paused.pending] == [
        ("dup", "old.log"),
        ("dup_2", "/etc"),
    ]
    calls = paused.steps[0].tool_calls
    assert [original_id(c) for c in calls] == [None, "dup"]

    again = await agent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert DELETED == ["old.log"]
    assert [p.tool_call_id for p in again.pending] == ["dup_2"]
    done = await agent.run(messages=again.messages, approvals={again.pending[0]: False})
    assert DELETED == ["old.log"] and done.text == "done"
    assert len(server.requests) == 2  # the second request carried both calls and results


async def test_gemini_ids_named_after_the_tool_are_made_unique() -> None:
    server = Server(gemini_body(SAME_ID), text_body("gemini"))
    agent = Agent(family_model("gemini", server, tool_call_ids="tool_name"), tools=[delete_file])
    paused = await agent.run("clean up")
    assert [p.tool_call_id for p in paused.pending] == ["delete_file", "delete_file_2"]
    again = await agent.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert DELETED == ["old.log"]
    done = await agent.run(messages=again.messages, approvals={again.pending[0]: "no"})
    assert DELETED == ["old.log"] and done.text == "done"


async def test_gemini_sequential_ids_restarting_with_a_new_provider_are_made_unique() -> None:
    first = Server(gemini_body([("", "read_file", {"path": "notes.txt"})]), text_body("gemini"))
    agent = Agent(family_model("gemini", first), tools=[read_file, delete_file])
    paused = await agent.run("read notes")
    [read] = paused.pending
    assert read.tool_call_id == "1"
    read_done = await agent.run(messages=paused.messages, approvals={read: True})
    assert READ == ["notes.txt"]

    # A new provider instance (another process, say) numbers its calls from "1" again.
    second = Server(gemini_body([("", "delete_file", {"path": "/"})]))
    other = Agent(family_model("gemini", second), tools=[read_file, delete_file])
    asked = await other.run("now delete", messages=read_done.messages)
    [delete] = asked.pending
    assert (delete.tool_call_id, delete.tool_name) == ("1_2", "delete_file")
    # The old approval of read_file "1" approves nothing now.
    with pytest.raises(ApprovalError, match=r"'1' .* is answered already"):
        await other.run(messages=asked.messages, approvals={read: True})
    assert DELETED == []


async def test_a_streamed_run_gives_the_same_unique_ids_as_run() -> None:
    def script() -> ScriptedModel:
        return ScriptedModel(
            [
                reply(tool_calls=[("c1", "lookup", '{"path": "a"}'), ("c1", "lookup", "{}")]),
                reply("done"),
            ]
        )

    ran = await Agent(script(), tools=[lookup]).run("go")
    stream = Agent(script(), tools=[lookup]).stream("go")
    events = [e async for e in stream]
    assert stream.result.messages == ran.messages
    results = [e.tool_call_id for e in events if isinstance(e, ToolResult)]
    assert results == ["c1", "c1_2"]


@pytest.mark.parametrize("limit", ["max_steps", "step_count_is"])
async def test_a_resumed_runs_step_0_is_not_a_model_step_for_the_limits(limit: str) -> None:
    from reverie import step_count_is

    def agent() -> Agent[Any]:
        model = ScriptedModel(
            [
                reply(tool_calls=[("c1", "delete_file", '{"path": "a"}')]),
                reply(tool_calls=[("c2", "lookup", '{"path": "b"}')]),
                reply(tool_calls=[("c3", "lookup", '{"path": "c"}')]),
                reply("done"),
            ]
        )
        if limit == "max_steps":
            return Agent(model, tools=[delete_file, lookup], max_steps=2)
        return Agent(model, tools=[delete_file, lookup], stop_when=step_count_is(2))

    resuming = agent()
    paused = await resuming.run("go")
    result = await resuming.run(messages=paused.messages, approvals={paused.pending[0]: True})
    assert [s.number for s in result.steps] == [0, 1, 2]  # two model steps, as configured
    expected = StopReason.STEP_LIMIT if limit == "max_steps" else StopReason.STOP_CONDITION
    assert result.stop_reason == expected
