"""The pieces of one agent step, in the order the loop (``Agent._loop``) runs them:

1. prepare: the step's model call (``Agent._prepare``, :mod:`reverie.agent.prepare`);
2. model turn: :func:`request` (or the streamed turn, folded by ``StreamAccumulator``);
3. split: :func:`split_reply` sorts the reply into tool calls to run (validated, repaired)
   and final answers (``Agent(output=...)``);
4. tools: ``Agent._tools`` → :func:`run_tools` runs the calls
   (:mod:`reverie.agent.execute`), asking for approval where needed
   (:mod:`reverie.agent.approval`);
5. stop: :meth:`RunState.record` adds the step, ``Agent._conclude`` decides whether the run
   ends.

Two functions are one unit of work each, with plain data in and out: :func:`request` (a
``Call`` in, a ``Response`` out) for each model request, and ``reverie.agent.execute``'s
per-call ``_run`` (a checked ``ToolCall`` in, a ``ToolResult`` out; its validated ``args``
are the tool's reading of ``ToolCall.input``, made again from it at will) for each tool call.
They are the seams where a durable run can record each unit and replay it instead of doing
it again; the loop has no other side effect (ids are made deterministically, no clock).
"""

from __future__ import annotations

from collections.abc import Awaitable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from reverie.agent.approval import Decision, PendingCall, needs_screening, screen
from reverie.agent.delegate import sub_run_usage
from reverie.agent.events import RunFinish
from reverie.agent.execute import RepairToolCall, check_call, run_calls
from reverie.agent.hooks import ToolHooks
from reverie.agent.output import OUTPUT_TOOL, Output
from reverie.agent.result import RunResult, Step, StopReason
from reverie.content import Content, ToolCall, ToolResult
from reverie.conversation import to_messages
from reverie.fallback_model import after_failure
from reverie.finish_reason import FinishReason
from reverie.messages import Message, Metadata, ToolCallPart, ToolResultPart
from reverie.model import Call, LanguageModel, Response, Settings
from reverie.tools.tool import Tool
from reverie.usage import Usage

if TYPE_CHECKING:
    from reverie.agent.hooks import AfterTool, BeforeTool
    from reverie.agent.seam import BoundDurability
    from reverie.agent.tracing import RunTrace
    from reverie.retry import RetryPolicy


class ToolSettings(Protocol):
    """What running a step's tools reads of the agent (an ``Agent`` is one)."""

    @property
    def before_tool(self) -> BeforeTool | None: ...

    @property
    def after_tool(self) -> AfterTool | None: ...

    @property
    def max_parallel_tools(self) -> int: ...

    @property
    def tool_timeout(self) -> float | None: ...

    @property
    def durability(self) -> BoundDurability | None: ...


@dataclass(slots=True, kw_only=True)
class RunState:
    """One run's state: what it was given, the conversation so far and its steps."""

    history: list[Message]
    settings: Settings
    provider_options: Metadata
    headers: dict[str, str]
    retry: RetryPolicy | None
    approvals: dict[str, Decision]
    unanswered: list[ToolCall]
    """Calls the given messages end with that have no result yet (a resumed run)."""
    retries_left: int
    """Final answers the model may still get wrong (``Agent(output=...)``)."""
    trace: RunTrace | None
    steps: list[Step] = field(default_factory=list)
    resumed: list[ToolResult] = field(default_factory=list)
    pending: list[PendingCall] = field(default_factory=list)
    """Calls a resumed run was given no decision for (the run stops again)."""
    call_ids: set[str] | None = None
    """The tool call ids of the conversation, gathered at the first call the run receives."""
    step_model: LanguageModel | None = None
    """The model the last step was prepared with (the agent's, or the hook's)."""
    model: LanguageModel | None = None
    """The model the next steps start from instead of the agent's: the rest of a fallback
    chain, once an output failure its ``on=`` names moved the run on (:meth:`move_on`)."""

    def record(
        self,
        number: int,
        response: Response,
        content: list[Content],
        results: list[ToolResult],
        model: LanguageModel,
    ) -> Step:
        """Add the step's messages to the conversation and the step to the run."""
        messages = to_messages(content, results)
        self.history.extend(messages)
        step = make_step(number, response, content, results, messages, model)
        self.steps.append(step)
        return step

    def record_resumed(self) -> Step:
        """Step 0 of a resumed run: the results of the calls it was given decisions for,
        and the tool message they completed."""
        step = Step(
            number=0,
            content=list(self.resumed),
            messages=[self.history[-1]] if self.resumed else [],
            finish_reason=FinishReason.TOOL_CALLS,
            usage=sub_run_usage(self.resumed) or Usage(),
        )
        self.steps.append(step)
        return step

    def move_on(self, error: Exception, retries: int) -> bool:
        """Whether the run goes on with the next model of the last step's fallback chain
        after its output failed for good (``error``), each of its output retries afresh."""
        rest = after_failure(self.step_model, self.steps[-1].provider_metadata, error)
        if rest is None:
            return False
        self.model, self.retries_left = rest, retries
        return True

    def claim(self, call: ToolCall, reserved: Collection[str]) -> ToolCall:
        """``call`` with an id no other call of the conversation has: a colliding id (a
        provider reusing ids, made-up ids restarting at "1") becomes ``{id}_2`` (``_3``…),
        the provider's own kept in ``provider_metadata["reverie"]["original_tool_call_id"]``
        for replay. Deterministic: the same conversation gets the same ids."""
        if self.call_ids is None:
            self.call_ids = conversation_ids(self.history)
        taken = self.call_ids
        original = call.tool_call_id
        if original in taken or original in reserved:
            count = 2
            while f"{original}_{count}" in taken or f"{original}_{count}" in reserved:
                count += 1
            ours = dict(call.provider_metadata.get(ORIGINAL_NAMESPACE, {}))
            ours[ORIGINAL_ID] = original
            metadata = {**call.provider_metadata, ORIGINAL_NAMESPACE: ours}
            call = replace(call, tool_call_id=f"{original}_{count}", provider_metadata=metadata)
        taken.add(call.tool_call_id)
        return call

    def finish(
        self, reason: StopReason, pending: list[PendingCall], output: Any = None
    ) -> RunFinish:
        """The run's last event; its trace ends now, not when the consumer lets it go."""
        result = RunResult(
            steps=self.steps,
            messages=self.history,
            stop_reason=reason,
            usage=self.usage(),
            output=output,
            pending=pending,
            resumed=self.resumed,
        )
        if self.trace is not None:
            self.trace.finish(result)
            self.trace.close()
        return RunFinish(result)

    def fail(self, error: BaseException) -> None:
        """An error ends the run: it carries the run so far, its span records it."""
        keep_partial(error, self.steps, self.history)
        if self.trace is not None:
            self.trace.fail(error)

    def close(self) -> None:
        if self.trace is not None:
            self.trace.close()

    def usage(self) -> Usage:
        return sum((s.usage for s in self.steps), Usage())


@dataclass(slots=True)
class Turn:
    """A model reply, split: its content (calls repaired where need be), the calls to run
    with their validated input, and the calls of the output's final-answer tool."""

    content: list[Content]
    checked: list[tuple[ToolCall, Any]]
    answers: list[ToolCall]


def request(model: LanguageModel, call: Call, trace: RunTrace | None) -> Awaitable[Response]:
    """One model request (not streamed): plain data in, plain data out. Untraced, it is the
    model's own coroutine: no layer of ours between the loop and the model."""
    if trace is None:
        return model.generate(call)
    return _traced(model, call, trace)


async def _traced(model: LanguageModel, call: Call, trace: RunTrace) -> Response:
    trace.start_chat(model, call)
    response = await trace.generate(model, call)
    trace.end_chat(response)
    return response


async def split_reply(
    response: Response,
    tools: dict[str, Tool],
    output: Output | None,
    repair: RepairToolCall | None,
    run: RunState,
) -> Turn:
    """Sort the reply's tool calls into calls to run (checked, maybe repaired) and final
    answers, each with an id unique in the conversation; the provider's own calls
    (``provider_executed``) are content only."""
    turn = Turn([], [], [])
    reserved: set[str] | None = None
    for item in response.content:
        if isinstance(item, ToolCall) and item.provider_executed:
            if run.call_ids is not None:  # the provider's own call ids are taken too
                run.call_ids.add(item.tool_call_id)
        elif isinstance(item, ToolCall):
            if reserved is None:
                reserved = provider_ids(response.content)
            item = run.claim(item, reserved)
            if output is not None and item.tool_name == OUTPUT_TOOL:
                turn.answers.append(item)
            else:
                item, args = await check_call(item, tools, repair)
                turn.checked.append((item, args))
        turn.content.append(item)
    if reserved and run.call_ids is not None:
        run.call_ids |= reserved
    return turn


ORIGINAL_NAMESPACE = "reverie"
ORIGINAL_ID = "original_tool_call_id"
"""Where a renamed call keeps the provider's id: ``provider_metadata["reverie"][...]`` on the
call, ``provider_options["reverie"][...]`` on its ``ToolCallPart``."""


def conversation_ids(messages: Sequence[Message]) -> set[str]:
    """Every tool call id the conversation uses, on calls and on results."""
    return {
        part.tool_call_id
        for message in messages
        if message.role != "user" and message.role != "system"
        for part in message.content
        if isinstance(part, ToolCallPart | ToolResultPart)
    }


def provider_ids(content: Sequence[Content]) -> set[str]:
    """Ids of the reply's provider-executed calls: its own calls must not take them."""
    ids: set[str] = set()
    for item in content:
        if getattr(item, "provider_executed", False):
            ids.add(item.tool_call_id)  # type: ignore[union-attr]
    return ids


async def run_tools(
    agent: ToolSettings,
    checked: list[tuple[ToolCall, Any]],
    tools: dict[str, Tool],
    run: RunState,
    content: Sequence[Content] = (),
    approvals: Mapping[str, Decision] | None = None,
) -> tuple[list[ToolResult], list[PendingCall]]:
    """Run the calls that need no decision or have one; the rest are pending. ``content``
    is the model's turn that made the calls, when not yet in the history."""
    screening = bool(approvals) or needs_screening(checked, tools)
    hooked = agent.before_tool is not None or agent.after_tool is not None
    limit, timeout, trace = agent.max_parallel_tools, agent.tool_timeout, run.trace
    if not screening and not hooked:  # the common path: build nothing
        return await run_calls(checked, tools, limit, timeout, None, trace), []
    conversation = (*run.history, *to_messages(content, []))
    hooks = ToolHooks(agent.before_tool, agent.after_tool, conversation) if hooked else None
    if not screening:
        return await run_calls(checked, tools, limit, timeout, hooks, trace), []
    screened = await screen(checked, tools, approvals or {}, conversation)
    if screened.pending and agent.durability is not None:  # a workflow waits for decisions
        decided = await agent.durability.decide(screened.pending)
        if decided:
            screened = await screen(checked, tools, {**(approvals or {}), **decided}, conversation)
    ran = await run_calls(screened.run, tools, limit, timeout, hooks, trace)
    return screened.in_call_order(checked, ran), screened.pending


def make_step(
    number: int,
    response: Response,
    content: list[Content],
    results: list[ToolResult],
    messages: list[Message],
    model: LanguageModel,
) -> Step:
    usage = response.usage
    nested = sub_run_usage(results)  # sub-agents' runs count in the step that called them
    if nested is not None:
        usage = usage + nested
    return Step(
        number=number,
        content=[*content, *results],
        messages=messages,
        finish_reason=response.finish_reason,
        usage=usage,
        warnings=list(response.warnings),
        provider_metadata=response.provider_metadata,
        model=f"{model.provider}:{model.model_id}",
        model_id=response.model_id,
        attempts=response.attempts,
    )


def keep_partial(error: BaseException, steps: Sequence[Step], history: list[Message]) -> None:
    """Attach the run so far to the error that ends it: the completed steps happened (their
    tools had side effects), so the caller can keep them and continue from ``messages``."""
    usage = sum((s.usage for s in steps), Usage())
    partial = RunResult(
        steps=list(steps), messages=list(history), stop_reason=StopReason.ERROR, usage=usage
    )
    try:
        error.partial = partial  # type: ignore[attr-defined]
    except AttributeError:  # an exception type with __slots__: nothing to attach to
        return
    if steps and isinstance(error, Exception):
        error.add_note(
            f"reverie: the run's {len(steps)} completed step(s) are kept in error.partial; "
            "continue with agent.run(messages=error.partial.messages)"
        )
