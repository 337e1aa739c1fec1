"""Agents as tools: ``agent.as_tool(name=..., description=...)`` is a tool whose input is one
``prompt`` string and whose call runs the agent on it, so one agent can hand work to another.

- **Result.** The sub-agent's text; for an agent with ``output=``, its validated output as
  JSON. Its run is kept on the call's result, ``ToolResult.metadata[SUB_RUN]``.
- **Usage.** The sub-run's usage (and cost) is added once, to the usage of the step whose
  call ran it (``step.make_step``), so the parent's ``result.usage`` holds it once.
- **Events.** In a streamed run the sub-agent streams too, and each of its events reaches the
  parent's stream as it happens, as a :class:`~reverie.agent.events.SubAgentEvent` naming the
  sub-agent (:func:`relay`), at the reader's pace (:data:`SINK_ROOM`). A run that is not
  streamed runs its sub-agents unstreamed.
- **Approval.** A sub-agent cannot pause inside a tool call, so whatever asks a person goes
  to the parent's caller before the sub-agent starts: unless ``needs_approval`` says
  otherwise, the tool needs approval when any of the sub-agent's tools may (``True`` or a
  policy); approving the call approves, for that run, the sub-agent's calls that would have
  asked (a policy's ``False`` or reason still denies). A call denied never starts the run.
  A sub-run that stops for approval anyway (``needs_approval=False`` given, or tools a
  ``prepare_step`` hook adds) becomes an error result: its calls did not run.
- **Cancellation.** The sub-run is awaited inside the tool call (no task of its own), so
  cancelling the parent, or closing its stream, cancels it and closes its model stream.
- **Depth.** A run knows how deep it is nested (a context variable, set only around the
  sub-run, so concurrent runs never see each other's); a call that would nest deeper than
  ``max_depth`` raises :class:`~reverie.errors.AgentDepthError`, which ends the whole chain.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar, copy_context
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, TypeVar

from reverie.agent.approval import PendingCall
from reverie.agent.events import AgentEvent, RunFinish, SubAgentEvent
from reverie.agent.result import RunResult, StopReason
from reverie.content import ToolCall, ToolResult
from reverie.errors import AgentDepthError, ConfigurationError, ToolError, ToolInputError
from reverie.messages import ErrorOutput, TextOutput, ToolOutput
from reverie.tools.tool import Tool, ToolReturn, ToolRunContext, check_tool_name, to_output
from reverie.usage import Usage

if TYPE_CHECKING:
    import asyncio

    from reverie.agent.stream import AgentStream
    from reverie.model import ProviderTool


class Delegate(Protocol):
    """What an agent tool needs of its agent (a :class:`reverie.Agent` is one)."""

    name: str | None
    tools: list[Tool | ProviderTool]

    @property
    def output(self) -> object: ...

    async def run(self, prompt: str | None = None) -> RunResult[Any]: ...

    def stream(self, prompt: str | None = None) -> AgentStream[Any]: ...


A = TypeVar("A", bound=Delegate)

DEFAULT_MAX_DEPTH = 8
"""Sub-agents nested below the run that started the chain, at most (``as_tool(max_depth=)``)."""

SUB_RUN = "reverie.sub_run"
"""The key of ``ToolResult.metadata`` holding the sub-agent's ``RunResult`` (its steps,
messages and usage; the partial run when it failed)."""

PROMPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "prompt": {
            "type": "string",
            "description": "The task or question, with everything needed to answer it",
        }
    },
    "required": ["prompt"],
    "additionalProperties": False,
}

_DEPTH: ContextVar[int] = ContextVar("reverie_agent_depth", default=0)
"""How deep the run being executed is nested: 0 for a run no agent tool started."""
_SINK: ContextVar[Sink | None] = ContextVar("reverie_agent_sink", default=None)
"""Where an agent tool called by a streamed run sends its sub-agent's events."""


SINK_ROOM = 64
"""Sub-agents' events a streamed run holds that its reader has not taken yet: past them a
sub-agent waits (and so does its model stream), as a run's own stream waits for its reader."""


class Sink:
    """The queue a streamed run's tool step reads sub-agents' events from, on its loop."""

    __slots__ = ("loop", "queue", "room")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import asyncio

        self.loop = loop
        self.queue: asyncio.Queue[SubAgentEvent | None] = asyncio.Queue()
        self.room = asyncio.Semaphore(SINK_ROOM)

    async def send(self, event: SubAgentEvent) -> None:
        await self.room.acquire()  # released as the reader takes an event
        self.queue.put_nowait(event)

    def close(self) -> None:
        self.queue.put_nowait(None)  # the reader stops; it takes no room


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentTool(Tool):
    """A tool that runs an agent (:meth:`reverie.Agent.as_tool`). Like any tool, a failure
    of the sub-run is an error result for the model, except :class:`AgentDepthError`."""

    max_depth: int = DEFAULT_MAX_DEPTH

    async def run(self, args: Any, context: ToolRunContext) -> tuple[ToolOutput, dict[str, Any]]:
        try:
            value = await self.invoke(args, context)
        except AgentDepthError:
            raise
        except ToolError as exc:
            return ErrorOutput(message=str(exc)), {}
        except Exception as exc:
            return ErrorOutput(message=f"{type(exc).__name__}: {exc}"), {}
        return to_output(value)


class AsToolOptions(TypedDict, total=False):
    """The options of :meth:`reverie.Agent.as_tool`."""

    name: str
    """The tool's name (default: the agent's ``name``; one of them is needed)."""
    description: str
    """What the calling model is told the tool does (default: "Ask the {name} agent")."""
    needs_approval: bool | Callable[..., Any] | None
    """As for any tool; ``None`` (the default): ``True`` when any of the agent's tools may
    ask for approval, else ``False``. See the module's docstring."""
    max_depth: int
    """Sub-agents nested below the first run, at most (default 8): a call that would go
    deeper raises :class:`~reverie.errors.AgentDepthError`."""
    timeout: float | None
    """Seconds the sub-run may take (default: the calling agent's ``tool_timeout``)."""
    parallel: bool
    """Calls of one step run together (default ``False``), as for any tool; streamed, their
    events interleave, told apart by ``SubAgentEvent.tool_call_ids``."""


def as_tool(
    agent: Delegate,
    *,
    name: str | None = None,
    description: str | None = None,
    needs_approval: bool | Callable[..., Any] | None = None,
    max_depth: int = DEFAULT_MAX_DEPTH,
    timeout: float | None = None,
    parallel: bool = False,
) -> AgentTool:
    """See :meth:`reverie.Agent.as_tool` and :class:`AsToolOptions`."""
    tool_name = name if name is not None else agent.name
    if tool_name is None:
        raise ConfigurationError("as_tool needs a name= (or an agent made with name=)")
    check_tool_name(tool_name)
    if description is not None and not isinstance(description, str):
        raise TypeError(f"description must be a str, not {type(description).__name__}")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int):
        raise TypeError(f"max_depth must be an int, not {type(max_depth).__name__}")
    if max_depth < 1:
        raise ConfigurationError("max_depth must be at least 1")
    if not isinstance(parallel, bool):
        raise TypeError(f"parallel must be True or False, not {type(parallel).__name__}")
    if needs_approval is None:
        needs_approval = asks(agent.tools)
    approved_calls = needs_approval is not False

    async def invoke(args: str, context: ToolRunContext) -> ToolReturn:
        # A call that needed approval and runs has been approved: so have the sub-run's asks.
        runner = approving(agent) if approved_calls else agent
        return await run_sub_agent(runner, args, tool_name, context.tool_call_id, max_depth)

    return AgentTool(
        name=tool_name,
        description=description if description is not None else f"Ask the {tool_name} agent",
        input_schema=PROMPT_SCHEMA,
        parse=parse_prompt,
        invoke=invoke,
        timeout=timeout,
        parallel=parallel,
        needs_approval=needs_approval,
        max_depth=max_depth,
    )


def parse_prompt(text: str) -> str:
    value = json.loads(text)
    if not isinstance(value, dict) or not isinstance(value.get("prompt"), str):
        raise ToolInputError("the input must be an object with a string 'prompt'")
    extra = sorted(set(value) - {"prompt"})
    if extra:
        raise ToolInputError(f"unexpected input field {extra[0]!r}: give only 'prompt'")
    prompt: str = value["prompt"]
    return prompt


async def run_sub_agent(
    agent: Delegate, prompt: str, name: str, call_id: str, max_depth: int
) -> ToolReturn:
    """The sub-run of one call, one level deeper than the caller's run."""
    depth = _DEPTH.get() + 1
    if depth > max_depth:
        raise AgentDepthError(
            f"the agent tool {name!r} would run {depth} sub-agents deep, past its "
            f"max_depth={max_depth} (an agent calling itself without end?)"
        )
    import asyncio

    sink = _SINK.get()
    if sink is not None and sink.loop is not asyncio.get_running_loop():
        sink = None  # a run_sync inside a sync tool's thread: not the streamed run's loop
    depth_token, sink_token = _DEPTH.set(depth), _SINK.set(None)  # its own tools: its own sink
    try:
        if sink is None:
            result: RunResult[Any] = await agent.run(prompt)
        else:
            result = await streamed(agent, prompt, sink, name, call_id)
    except AgentDepthError:
        raise
    except Exception as exc:  # an error result; the sub-run's usage so far still counts
        partial = getattr(exc, "partial", None)
        kept = {SUB_RUN: partial} if isinstance(partial, RunResult) else {}
        return ToolReturn(ErrorOutput(message=f"{type(exc).__name__}: {exc}"), kept)
    finally:
        _SINK.reset(sink_token)
        _DEPTH.reset(depth_token)
    return ToolReturn(answer(agent, result), {SUB_RUN: result})


async def streamed(
    agent: Delegate, prompt: str, sink: Sink, name: str, call_id: str
) -> RunResult[Any]:
    """The sub-run streamed, each event sent to the parent's stream as it comes."""
    result: RunResult[Any] | None = None
    async with agent.stream(prompt) as events:
        async for event in events:
            if isinstance(event, SubAgentEvent):  # deeper down: one flat path
                path, ids = (name, *event.path), (call_id, *event.tool_call_ids)
                await sink.send(SubAgentEvent(event.event, path, ids))
                continue
            await sink.send(SubAgentEvent(event, (name,), (call_id,)))
            if isinstance(event, RunFinish):
                result = event.result
    if result is None:
        raise AssertionError("the sub-agent's stream ended without a result")
    return result


def answer(agent: Delegate, result: RunResult[Any]) -> ToolOutput:
    """What the parent's model is told: the text, or the output as JSON."""
    if result.stop_reason == StopReason.APPROVAL:
        names = ", ".join(sorted({p.tool_name for p in result.pending}))
        return ErrorOutput(
            message=f"the agent stopped: its calls to {names} need approval, which a "
            "sub-agent cannot wait for; they did not run"
        )
    if agent.output is None:
        return TextOutput(text=result.text)
    if result.output is None:
        return ErrorOutput(
            message=f"the agent stopped ({result.stop_reason}) before its final answer"
        )
    from pydantic_core import to_json

    return TextOutput(text=to_json(result.output).decode())


def sub_run_usage(results: Sequence[ToolResult]) -> Usage | None:
    """The usage of the sub-runs among a step's results, or ``None`` when there are none."""
    total: Usage | None = None
    for result in results:
        run = result.metadata.get(SUB_RUN) if result.metadata else None
        if isinstance(run, RunResult):
            total = run.usage if total is None else total + run.usage
    return total


def asks(tools: Sequence[object]) -> bool:
    """Whether any of the tools may ask for approval."""
    return any(isinstance(t, Tool) and t.needs_approval is not False for t in tools)


def approving(agent: A) -> A:
    """A twin of ``agent`` whose tools' calls that would ask for approval are approved."""
    import copy

    if not asks(agent.tools):
        return agent
    twin = copy.copy(agent)
    twin.tools = [
        replace(t, needs_approval=approved(t.needs_approval))
        if isinstance(t, Tool) and t.needs_approval is not False
        else t
        for t in agent.tools
    ]
    return twin


def approved(policy: bool | Callable[..., Any]) -> bool | Callable[..., Any]:
    """``policy`` with "ask" (``True``; ``None`` from a policy) read as approved."""
    if not callable(policy):
        return False

    async def decide(call: ToolCall, context: Any) -> bool | str:
        decision = policy(call, context)
        if inspect.isawaitable(decision):
            decision = await decision
        return True if decision is None else decision

    return decide


def delegates(checked: Sequence[tuple[ToolCall, Any]], tools: Mapping[str, Tool]) -> bool:
    """Whether any of a step's calls runs a sub-agent."""
    return any(isinstance(tools.get(call.tool_name), AgentTool) for call, _ in checked)


ToolRun = tuple[list[ToolResult], list[PendingCall]]
"""A step's tool results in call order, and its calls waiting for approval."""


async def relay(
    work: Awaitable[ToolRun], done: list[ToolRun], live: bool
) -> AsyncGenerator[AgentEvent, None]:
    """Await ``work`` (a step's tools), put its value in ``done`` and yield its results; when
    ``live`` (a streamed run calling sub-agents), yield their events first, as they come.
    The work then runs in a task whose context alone holds the sink; leaving early (an
    error, a closed stream, a cancellation) cancels the task and waits for it: use the
    generator in ``aclosing`` so that happens at once."""
    if not live:
        done.append(await work)
        for result in done[0][0]:
            yield result
        return
    import asyncio

    loop = asyncio.get_running_loop()
    sink = Sink(loop)
    context = copy_context()
    context.run(_SINK.set, sink)
    task = loop.create_task(_finish(work, sink), context=context)
    try:
        while (event := await sink.queue.get()) is not None:
            sink.room.release()
            yield event
        done.append(await task)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved: it is raised above, or the stream was left
    for result in done[0][0]:
        yield result


async def _finish(work: Awaitable[ToolRun], sink: Sink) -> ToolRun:
    try:
        return await work
    finally:
        sink.close()
