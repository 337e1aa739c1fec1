"""Tool approval (human in the loop): which calls wait for a decision, and resuming a run
from the conversation once they are decided.

A run that meets a call needing approval runs the step's other calls, then stops with
``StopReason.APPROVAL`` and ``result.pending``. Nothing else is kept: the conversation itself
(an assistant message whose calls have no results yet) is the pending state, so it survives
any JSON round-trip and a later ``agent.run(messages=..., approvals=...)`` picks it up.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reverie.agent.hooks import ToolHookContext
from reverie.content import ToolCall, ToolResult
from reverie.messages import ErrorOutput, Message, ToolCallPart, ToolResultPart
from reverie.tools.tool import Tool

ApprovalDecision = bool | str
"""``True`` approves a call; ``False`` denies it; a str denies it, telling the model why."""
Decision = ApprovalDecision

ApprovalPolicy = Callable[
    [ToolCall, ToolHookContext], "Decision | Awaitable[Decision | None] | None"
]
"""Given to ``needs_approval=``: decides each call (``None``: ask a person)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingCall:
    """A tool call waiting for a decision; answer it with
    ``agent.run(messages=result.messages, approvals={call.tool_call_id: True})``."""

    tool_call_id: str
    tool_name: str
    input: str
    """The call's JSON input as it will run (after any repair)."""


def check_approvals(value: object) -> dict[str, Decision]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(
            f"approvals must be a dict of tool call id → True, False or a reason, "
            f"not {type(value).__name__}"
        )
    for key, decision in value.items():
        if not isinstance(key, str):
            raise TypeError(f"approvals keys must be tool call ids (str), not {type(key).__name__}")
        if not isinstance(decision, bool | str):
            raise TypeError(
                f"approvals[{key!r}] must be True, False or a reason (str), "
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
    unanswered: Sequence[ToolCall], approvals: Mapping[str, Decision], prompt: str | None
) -> None:
    """Approvals must name waiting calls; a new prompt cannot come before their results."""
    waiting = [c.tool_call_id for c in unanswered]
    unknown = [key for key in approvals if key not in waiting]
    if unknown:
        raise ValueError(
            f"approvals name tool calls that are not pending: {', '.join(map(repr, unknown))}; "
            + (
                f"the pending calls are: {', '.join(map(repr, waiting))}"
                if waiting
                else "the messages end with no call waiting (pass result.messages of the "
                "run that stopped for approval)"
            )
        )
    if waiting and prompt is not None:
        raise ValueError(
            "the messages end in tool calls that have no results yet "
            f"({', '.join(map(repr, waiting))}): resume with approvals= and no prompt, "
            "then ask the next question"
        )


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
