"""Tool approval (human in the loop): which calls wait for a decision, and resuming a run
from the conversation once they are decided.

A run that meets a call needing approval runs the step's other calls, then stops with
``StopReason.APPROVAL`` and ``result.pending``. Nothing else is kept: the conversation itself
(an assistant message whose calls have no results yet) is the pending state, so it survives
any JSON round-trip and a later ``agent.run(messages=..., approvals=...)`` picks it up.

A decision is keyed by the :class:`PendingCall` a person was shown (call id, tool and input)
and approves exactly that call: a resume refuses (:class:`ApprovalError`) a decision for a
call that is not waiting in the messages (never made, or answered already: an old decision
replayed), for another tool, or for input other than the waiting call's. The loop keeps call
ids unique within a conversation (``reverie.agent.step``), so an id names one call.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reverie.agent.hooks import ToolHookContext
from reverie.content import ToolCall, ToolResult
from reverie.errors import ReverieError
from reverie.messages import ErrorOutput, Message, ToolCallPart, ToolResultPart
from reverie.tools.tool import Tool

ApprovalDecision = bool | str
"""``True`` approves a call; ``False`` denies it; a str denies it, telling the model why."""
Decision = ApprovalDecision

ApprovalPolicy = Callable[
    [ToolCall, ToolHookContext], "Decision | Awaitable[Decision | None] | None"
]
"""Given to ``needs_approval=``: decides each call (``None``: ask a person)."""


class ApprovalError(ReverieError, ValueError):
    """Decisions that do not fit the conversation they are given with: for a call that is
    not waiting (never made, or already answered), for another tool, or for other input than
    the waiting call's. Nothing ran."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingCall:
    """A tool call waiting for a decision, as shown to whoever decides; answer it with
    ``agent.run(messages=result.messages, approvals={call: True})``: the decision is for this
    call id, this tool and this input only."""

    tool_call_id: str
    tool_name: str
    input: str
    """The call's JSON input as it will run (after any repair)."""


def check_approvals(value: object) -> dict[PendingCall, Decision]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(
            "approvals must be a dict of pending call → True, False or a reason, "
            f"not {type(value).__name__}"
        )
    for key, decision in value.items():
        if not isinstance(key, PendingCall):
            raise TypeError(
                "approvals are keyed by the pending calls themselves (result.pending: id, tool "
                f"and input as shown), not by {type(key).__name__}: "
                "use {call: True for call in result.pending}"
            )
        if not isinstance(decision, bool | str):
            raise TypeError(
                f"approvals[{key.tool_call_id!r}] must be True, False or a reason (str), "
                f"not {type(decision).__name__}"
            )
    return dict(value)


def unanswered_calls(messages: Sequence[Message]) -> list[ToolCall]:
    """The calls of the last assistant message that no tool message after it answers."""
    if not messages or messages[-1].role not in ("assistant", "tool"):
        return []  # the usual case: the conversation ends in a user turn
    index = len(messages) - 1
    while index >= 0 and messages[index].role == "tool":
        index -= 1
    if index < 0 or messages[index].role != "assistant":
        return []
    answered = {
        part.tool_call_id
        for message in messages[index + 1 :]
        for part in message.content
        if isinstance(part, ToolResultPart)
    }
    return [
        ToolCall(
            tool_call_id=part.tool_call_id,
            tool_name=part.tool_name,
            input=part.input,
            provider_metadata=part.provider_options,
        )
        for part in messages[index].content
        if isinstance(part, ToolCallPart)
        and not part.provider_executed
        and part.tool_call_id not in answered
    ]


def check_resume(
    messages: Sequence[Message],
    unanswered: Sequence[ToolCall],
    approvals: Mapping[PendingCall, Decision],
    prompt: str | None,
) -> dict[str, Decision]:
    """The decisions by call id, once each is known to be for a call waiting in ``messages``
    exactly as shown (tool and input); a new prompt cannot come before their results."""
    waiting = {c.tool_call_id: c for c in unanswered}
    if approvals and len(waiting) < len(unanswered):
        ids = [c.tool_call_id for c in unanswered]
        shared = sorted({i for i in ids if ids.count(i) > 1})
        raise ApprovalError(
            f"the calls waiting in these messages share the id {shared[0]!r}: a decision "
            "cannot tell them apart"
        )
    for shown in approvals:
        call = waiting.get(shown.tool_call_id)
        if call is None:
            raise ApprovalError(_not_waiting(shown, messages, list(waiting)))
        if call.tool_name != shown.tool_name:
            raise ApprovalError(
                f"the decision for call {shown.tool_call_id!r} is for the tool "
                f"{shown.tool_name!r}, but that call is to {call.tool_name!r}"
            )
        if call.input != shown.input:
            raise ApprovalError(
                f"the decision for call {shown.tool_call_id!r} ({call.tool_name}) was made for "
                "other input than the call waiting in these messages has: decide on the call "
                "as it is now (result.pending of these messages)"
            )
    if waiting and prompt is not None:
        raise ApprovalError(
            "the messages end in tool calls that have no results yet "
            f"({', '.join(map(repr, waiting))}): resume with approvals= and no prompt, "
            "then ask the next question"
        )
    return {shown.tool_call_id: decision for shown, decision in approvals.items()}


def _not_waiting(shown: PendingCall, messages: Sequence[Message], waiting: list[str]) -> str:
    answered = any(
        isinstance(part, ToolResultPart) and part.tool_call_id == shown.tool_call_id
        for message in messages
        for part in message.content
    )
    if answered:
        return (
            f"call {shown.tool_call_id!r} ({shown.tool_name}) is answered already in these "
            "messages: a decision counts once (is this an old decision given again?)"
        )
    return f"approvals name tool calls that are not pending: {shown.tool_call_id!r}; " + (
        f"the pending calls are: {', '.join(map(repr, waiting))}"
        if waiting
        else "the messages end with no call waiting (pass result.messages of the "
        "run that stopped for approval)"
    )


def pending_calls(messages: Sequence[Message]) -> list[PendingCall]:
    """The calls ``messages`` end with that wait for a result, as ``result.pending`` shows
    them: what a run stopped for approval must list."""
    return [
        PendingCall(tool_call_id=c.tool_call_id, tool_name=c.tool_name, input=c.input)
        for c in unanswered_calls(messages)
    ]


def needs_screening(checked: Sequence[tuple[ToolCall, Any]], tools: Mapping[str, Tool]) -> bool:
    """Whether any valid call is to a tool that asks for approval (the fast path: none)."""
    for call, _ in checked:
        tool = tools.get(call.tool_name)
        if tool is not None and not call.invalid and tool.needs_approval is not False:
            return True
    return False


@dataclass(slots=True)
class Screened:
    """A step's calls sorted by their decisions."""

    run: list[tuple[ToolCall, Any]] = field(default_factory=list)
    denied: dict[str, ToolResult] = field(default_factory=dict)
    pending: list[PendingCall] = field(default_factory=list)

    def in_call_order(
        self, checked: Sequence[tuple[ToolCall, Any]], ran: Sequence[ToolResult]
    ) -> list[ToolResult]:
        """The results of the calls that ran or were denied, in the model's call order."""
        waiting = {p.tool_call_id for p in self.pending}
        by_id = {r.tool_call_id: r for r in ran}
        out: list[ToolResult] = []
        for call, _ in checked:
            result = self.denied.get(call.tool_call_id) or by_id.get(call.tool_call_id)
            if result is not None and call.tool_call_id not in waiting:
                out.append(result)
        return out


async def screen(
    checked: Sequence[tuple[ToolCall, Any]],
    tools: Mapping[str, Tool],
    approvals: Mapping[str, Decision],
    messages: tuple[Message, ...],
) -> Screened:
    """Decide each call: given ``approvals`` first, then the tool's ``needs_approval``."""
    screened = Screened()
    for call, args in checked:
        tool = tools.get(call.tool_name)
        if call.invalid or tool is None:  # never runs: its error result needs no decision
            screened.run.append((call, args))
            continue
        decision: Decision | None
        if call.tool_call_id in approvals:
            decision = approvals[call.tool_call_id]
        elif tool.needs_approval is False:
            decision = True
        elif tool.needs_approval is True:
            decision = None
        else:
            context = ToolHookContext(tool=tool, args=args, messages=messages)
            decision = tool.needs_approval(call, context)
            if inspect.isawaitable(decision):
                decision = await decision
            if decision is not None and not isinstance(decision, bool | str):
                raise TypeError(
                    f"the needs_approval policy of tool {tool.name!r} must return True, "
                    f"False, a reason (str) or None, not {type(decision).__name__}"
                )
        if decision is None:
            screened.pending.append(
                PendingCall(
                    tool_call_id=call.tool_call_id, tool_name=call.tool_name, input=call.input
                )
            )
        elif decision is True:
            screened.run.append((call, args))
        else:
            screened.denied[call.tool_call_id] = denied_result(call, decision)
    return screened


def denied_result(call: ToolCall, decision: Decision) -> ToolResult:
    """What the model is told about a denied call."""
    reason = decision if isinstance(decision, str) and decision.strip() else "not approved"
    return ToolResult(
        tool_call_id=call.tool_call_id,
        tool_name=call.tool_name,
        input=call.input,
        output=ErrorOutput(message=f"denied: {reason}"),
    )


def with_results(messages: list[Message], parts: Sequence[ToolResultPart]) -> None:
    """Add resumed calls' results to the conversation's trailing tool message (or a new one),
    in the order of the assistant's calls, as providers expect."""
    if not parts:
        return
    assistant = next(m for m in reversed(messages) if m.role == "assistant")
    order = {
        p.tool_call_id: i for i, p in enumerate(assistant.content) if isinstance(p, ToolCallPart)
    }
    merged = [*messages.pop().content, *parts] if messages[-1].role == "tool" else [*parts]
    merged.sort(key=lambda p: order.get(getattr(p, "tool_call_id", ""), len(order)))
    messages.append(Message(role="tool", content=tuple(merged)))
