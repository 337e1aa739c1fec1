"""The agent loop: a run is a sequence of steps, each one prepare → model turn → split of
the reply into tool calls and final answers → tools → stop (see :mod:`reverie.agent.step`).
``run`` and ``stream`` share the loop; only the model turn differs (``generate`` vs
``stream``), so both give the same steps for the same model output.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, Unpack

from reverie.accumulate import StreamAccumulator
from reverie.agent.approval import (
    PendingCall,
    check_approvals,
    check_resume,
    unanswered_calls,
    with_results,
)
from reverie.agent.checks import (
    as_tools,
    check_active_tools,
    check_agent_tool_choice,
    check_callable,
    check_count,
    check_headers,
    check_model,
    check_optional_str,
    check_options,
    check_retry,
    check_run,
    check_seconds,
    check_stop_when,
    check_tools_arg,
    check_trace_content,
    check_tracer_provider,
    make_output,
    run_settings,
    sampling_settings,
)
from reverie.agent.delegate import AgentTool, AsToolOptions, as_tool, delegates, relay
from reverie.agent.events import (
    AgentEvent,
    ApprovalRequired,
    PartialOutput,
    RunFinish,
    StepFinish,
    StepStart,
)
from reverie.agent.execute import RepairToolCall, check_call, repair_json
from reverie.agent.hooks import AfterTool, BeforeTool
from reverie.agent.options import (
    DEFAULT_MAX_PARALLEL_TOOLS as DEFAULT_MAX_PARALLEL_TOOLS,
    DEFAULT_MAX_STEPS as DEFAULT_MAX_STEPS,
    DEFAULT_TOOL_TIMEOUT as DEFAULT_TOOL_TIMEOUT,
    RUN_OPTIONS_HELP,
    RunOptions as RunOptions,
)
from reverie.agent.output import (
    DEFAULT_OUTPUT_RETRIES,
    REMINDER,
    Accept,
    Fail,
    PartialOutputs,
    Retry,
    Verdict,
    not_run,
)
from reverie.agent.prepare import (
    PrepareStep,
    StepSetup,
    ask_hook,
    build_call,
    merge_options,
    merge_settings,
)
from reverie.agent.result import OutputT, RunResult, Step, StopReason
from reverie.agent.seam import Durability, bind_durability
from reverie.agent.step import RunState, Turn, request, run_tools, split_reply
from reverie.agent.stop import StopCondition
from reverie.agent.stream import AgentStream
from reverie.agent.tracing import start_run_trace
from reverie.content import ToolResult
from reverie.conversation import result_part
from reverie.messages import (
    Metadata,
    system_message,
    user_message,
)
from reverie.model import (
    Call,
    ErrorPart,
    LanguageModel,
    ProviderTool,
    ToolChoice,
    stream_parts,
)
from reverie.tools.tool import Tool

if TYPE_CHECKING:  # the HTTP stack loads only with a provider; OpenTelemetry when used
    from opentelemetry.trace import TracerProvider

    from reverie.retry import RetryPolicy


class Agent(Generic[OutputT]):
    """A model with a system prompt and tools, run in a loop until it answers.

    >>> agent = Agent("openrouter:moonshotai/kimi-k2-0905", system="Be brief", tools=[weather])
    >>> result = agent.run_sync("What's the weather in Florence?")
    >>> result.text

    Bad arguments are refused here (``TypeError`` for a wrong type, ``ConfigurationError``
    for a wrong value). ``tool_timeout`` (seconds, default none) limits each tool call; a
    call past it becomes an error result for the model. An error that ends a run carries
    the run so far as ``error.partial`` (see :class:`reverie.ReverieError`).

    ``output=Book`` (a pydantic model, a type pydantic validates, or a JSON schema) makes the
    run end with a validated object on ``result.output``: the model answers through a
    ``final_answer`` tool; an invalid answer goes back to it as the tool's error, at most
    ``output_retries`` times, then :class:`~reverie.NoObjectGenerated` is raised.

    ``before_tool(call, context)`` and ``after_tool(call, result, context)`` (sync or async)
    wrap every tool call that runs: the first may return a replacement input or raise
    ``ToolError`` to refuse the call, the second may return a replacement output.

    With OpenTelemetry set up, runs make GenAI spans (``invoke_agent {name}``, ``chat
    {model}``, ``execute_tool {tool}``) on the global tracer provider or ``tracer_provider``;
    ``trace_content=True`` adds prompts, answers and tool arguments and results (left unset,
    ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`` does). ``name`` names the
    agent in its spans.

    ``durability=`` (``reverie.durable``: DBOS, Temporal) with a stable ``name`` makes each
    model request and tool call of a run inside a workflow one durable unit (docs/durable.md).
    """

    def __init__(
        self,
        model: str | LanguageModel,
        *,
        system: str | None = None,
        tools: Sequence[Tool | ProviderTool | Callable[..., Any]] = (),
        max_output_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        top_k: int | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        stop_sequences: Sequence[str] = (),
        seed: int | None = None,
        tool_choice: ToolChoice | None = None,
        active_tools: Sequence[str] | None = None,
        stop_when: StopCondition | Sequence[StopCondition] = (),
        max_steps: int = DEFAULT_MAX_STEPS,
        prepare_step: PrepareStep | None = None,
        repair_tool_call: RepairToolCall | None = repair_json,
        provider_options: Metadata | None = None,
        headers: dict[str, str] | None = None,
        max_parallel_tools: int = DEFAULT_MAX_PARALLEL_TOOLS,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
        retry: RetryPolicy | None = None,
        output: type[OutputT] | Mapping[str, Any] | None = None,
        output_retries: int = DEFAULT_OUTPUT_RETRIES,
        before_tool: BeforeTool | None = None,
        after_tool: AfterTool | None = None,
        name: str | None = None,
        trace_content: bool | None = None,
        tracer_provider: TracerProvider | None = None,
        durability: Durability | None = None,
    ) -> None:
        self.model: LanguageModel = check_model(model)
        self.system = check_optional_str(system, "system")
        self.tools: list[Tool | ProviderTool] = as_tools(check_tools_arg(tools))
        self.settings = sampling_settings(
            max_output_tokens, temperature, top_p, top_k, presence_penalty, frequency_penalty,
            stop_sequences, seed,
        )  # fmt: skip
        self.active_tools = check_active_tools(active_tools, self.tools, "active_tools")
        self.tool_choice = check_agent_tool_choice(tool_choice, self.tools, self.active_tools)
        self.stop_when = check_stop_when(stop_when)
        self.max_steps = check_count(max_steps, "max_steps")
        self.prepare_step = check_callable(prepare_step, "prepare_step")
        self.repair_tool_call = check_callable(repair_tool_call, "repair_tool_call")
        self.provider_options: Metadata = check_options(provider_options, "provider_options")
        self.headers = check_headers(headers)
        self.max_parallel_tools = check_count(max_parallel_tools, "max_parallel_tools")
        self.tool_timeout = check_seconds(tool_timeout, "tool_timeout")
        self.retry = check_retry(retry)
        self.output = make_output(output, output_retries, self.tools)
        self.before_tool = check_callable(before_tool, "before_tool")
        self.after_tool = check_callable(after_tool, "after_tool")
        self.name = check_optional_str(name, "name")
        self.trace_content = check_trace_content(trace_content)
        self.tracer_provider = check_tracer_provider(tracer_provider)
        self.durability = bind_durability(durability, self, model) if durability else None

    async def run(
        self, prompt: str | None = None, **options: Unpack[RunOptions]
    ) -> RunResult[OutputT]:
        """Run to the end and return every step; limits end the run, they never raise."""
        check_run(prompt, options)
        events = self._loop(prompt, options, streaming=False)
        async with aclosing(events):
            async for event in events:
                if isinstance(event, RunFinish):
                    return event.result
        raise AssertionError("the agent loop ended without a result")

    def run_sync(
        self, prompt: str | None = None, **options: Unpack[RunOptions]
    ) -> RunResult[OutputT]:
        """:meth:`run` for scripts, not for use inside a running event loop.

        Every ``run_sync``/``stream_sync`` call of a thread runs on that thread's one event
        loop, so the provider's connections are reused across calls and closed at exit."""
        from reverie.sync import run_sync

        if self.durability is not None:
            self.durability.refuse_sync("run_sync")
        coro = self.run(prompt, **options)
        return run_sync(coro, self.model, "run_sync", "await agent.run(...)")

    def stream(
        self, prompt: str | None = None, **options: Unpack[RunOptions]
    ) -> AgentStream[OutputT]:
        """Run while streaming: ``async for event in agent.stream(...)``; then ``.result``."""
        check_run(prompt, options)
        return AgentStream(self._loop(prompt, options, streaming=True))

    def stream_sync(
        self, prompt: str | None = None, **options: Unpack[RunOptions]
    ) -> Iterator[AgentEvent]:
        """:meth:`stream` for scripts: ``for event in agent.stream_sync(...)``; the last event
        is a ``RunFinish`` holding the result. Leaving the loop closes the model's stream
        at once. Runs on the thread's event loop, like :meth:`run_sync`."""
        from reverie.sync import iterate_sync, refuse_running_loop

        instead = "async for event in agent.stream(...)"
        refuse_running_loop("stream_sync", instead)
        if self.durability is not None:
            self.durability.refuse_sync("stream_sync")
        check_run(prompt, options)
        events = self._loop(prompt, options, streaming=True)
        return iterate_sync(events, self.model, "stream_sync", instead)

    def as_tool(self, **options: Unpack[AsToolOptions]) -> AgentTool:
        """This agent as a tool for another: input a ``prompt``, result the text (or the
        output as JSON); its events stream along, its usage counts in the calling step.
        Options (``name``, ``description``, ``needs_approval``, ``max_depth``,
        ``timeout``, ``parallel``) and behaviour: :mod:`reverie.agent.delegate`."""
        return as_tool(self, **options)

    async def _loop(
        self, prompt: str | None, options: RunOptions, *, streaming: bool
    ) -> AsyncGenerator[AgentEvent, None]:
        """The run: a resumed run's waiting calls first, then steps until one ends it."""
        run = self._start(prompt, options, streaming)
        trace = run.trace
        try:
            if run.unanswered:  # a run that stopped for approval, resumed: finish its step
                async for event in self._resume(run, streaming):
                    yield event
                if run.pending:
                    yield run.finish(StopReason.APPROVAL, run.pending)
                    return
            while True:
                number = run.steps[-1].number + 1 if run.steps else 1
                model, call, tools = await self._prepare(run, number)
                yield StepStart(number)
                if not streaming:
                    response = await request(model, call, trace)
                else:  # the streamed turn: each part passes through here, nothing else
                    if trace is not None:
                        trace.start_chat(model, call)
                    accumulator = StreamAccumulator()
                    partials = PartialOutputs() if self.output is not None else None
                    async with aclosing(stream_parts(model, call)) as parts:
                        async for part in parts:
                            if isinstance(part, ErrorPart):
                                raise part.error
                            accumulator.add(part)
                            yield part
                            if partials is not None:
                                partial = partials.feed(part)
                                if partial is not None:
                                    yield PartialOutput(partial)
                    response = accumulator.response()
                    if trace is not None:
                        trace.end_chat(response)
                turn = await split_reply(response, tools, self.output, self.repair_tool_call, run)
                verdict = self._judge(turn, run) if self.output is not None else None
                done: list[tuple[list[ToolResult], list[PendingCall]]] = []
                live = streaming and delegates(turn.checked, tools)  # sub-agents' events too
                async with aclosing(relay(self._tools(turn, verdict, tools, run), done, live)) as e:
                    async for event in e:  # the results (after sub-agents' events, if live)
                        yield event
                results, pending = done[0]
                yield StepFinish(run.record(number, response, turn.content, results, model))
                if pending:
                    yield ApprovalRequired(pending)
                finish = self._conclude(run, turn, verdict, pending)
                if finish is not None:
                    yield finish
                    return
        except GeneratorExit:  # closed by the consumer: nothing failed
            raise
        except BaseException as exc:
            run.fail(exc)
            raise
        finally:
            run.close()

    def _start(self, prompt: str | None, options: RunOptions, streaming: bool) -> RunState:
        """The run's state from what it was given; resuming approvals are checked here."""
        messages = options.get("messages", ())
        if prompt is None and not messages:
            raise ValueError("give the agent a prompt, or messages ending in a user turn")
        history = list(messages)
        if prompt is not None:
            history.append(user_message(prompt, options.get("files", ())))
        approvals = check_approvals(options.get("approvals"))
        unanswered = unanswered_calls(messages) if messages else []
        decisions = (
            check_resume(messages, unanswered, approvals, prompt) if unanswered or approvals else {}
        )
        trace = start_run_trace(
            agent_name=self.name,
            model=self.model,
            tracer_provider=self.tracer_provider,
            trace_content=self.trace_content,
            streaming=streaming,
        )
        return RunState(
            history=history,
            settings=merge_settings(
                merge_settings(self.settings, options.get("settings")), run_settings(options)
            ),
            provider_options=merge_options(self.provider_options, options.get("provider_options")),
            headers={**self.headers, **(options.get("headers") or {})},
            retry=options.get("retry") or self.retry,
            approvals=decisions,
            unanswered=unanswered,
            retries_left=self.output.retries if self.output is not None else 0,
            trace=trace,
        )

    async def _resume(self, run: RunState, streaming: bool) -> AsyncGenerator[AgentEvent, None]:
        """Run (or deny) the calls the given messages end with, by the run's approvals, as
        step 0 (the step the earlier run stopped in, finished); calls still waiting for a
        decision are left in ``run.pending``."""
        tools = {t.name: t for t in self.tools if isinstance(t, Tool)}
        if self.durability is not None:
            tools = self.durability.units(self.model, tools)[1]
        waiting = [await check_call(c, tools, self.repair_tool_call) for c in run.unanswered]
        yield StepStart(0)
        work = run_tools(self, waiting, tools, run, (), run.approvals)
        done: list[tuple[list[ToolResult], list[PendingCall]]] = []
        async with aclosing(relay(work, done, streaming and delegates(waiting, tools))) as events:
            async for event in events:
                yield event
        run.resumed, run.pending = done[0]
        with_results(run.history, [result_part(r) for r in run.resumed])
        yield StepFinish(run.record_resumed())
        if run.pending:
            yield ApprovalRequired(run.pending)

    async def _prepare(
        self, run: RunState, number: int
    ) -> tuple[LanguageModel, Call, dict[str, Tool]]:
        """The step's model, call and runnable tools: the agent's, then the hook's changes."""
        history = run.history
        setup = StepSetup(
            model=run.model or self.model,
            messages=[system_message(self.system), *history] if self.system else list(history),
            tools=self.tools,
            active=self.active_tools,
            tool_choice=self.tool_choice,
            settings=run.settings,
            options=run.provider_options,
        )
        if self.prepare_step is not None:
            setup = await ask_hook(self.prepare_step, setup, number, run.steps)
        run.step_model = setup.model
        spec = self.output.spec if self.output is not None else None
        call, tools = build_call(setup, spec, run.headers, run.retry)
        if self.durability is not None:  # inside a workflow: each request, each call a unit
            model, tools = self.durability.units(setup.model, tools)
            return model, call, tools
        return setup.model, call, tools

    def _judge(self, turn: Turn, run: RunState) -> Verdict | None:
        if self.output is None:
            return None
        return self.output.judge(turn.answers, bool(turn.checked), run.retries_left)

    async def _tools(
        self, turn: Turn, verdict: Verdict | None, tools: dict[str, Tool], run: RunState
    ) -> tuple[list[ToolResult], list[PendingCall]]:
        """The step's tool results in call order, and the calls waiting for approval."""
        pending: list[PendingCall] = []
        if isinstance(verdict, Accept):
            # The run ends here: tools asked for in the same turn are not run.
            results = [not_run(c) for c, _ in turn.checked]
        elif turn.checked:
            results, pending = await run_tools(self, turn.checked, tools, run, turn.content)
        else:
            results = []
        if turn.answers and self.output is not None:
            results = self.output.with_answers(turn.content, results, turn.answers, verdict)
        return results, pending

    def _conclude(
        self, run: RunState, turn: Turn, verdict: Verdict | None, pending: list[PendingCall]
    ) -> RunFinish | None:
        """How the run goes on after a step: ``RunFinish`` if it ends, else ``None``."""
        if pending:
            return run.finish(StopReason.APPROVAL, pending)
        if isinstance(verdict, Fail):  # no retry left: the next model of a fallback, or fail
            assert self.output is not None
            error = self.output.failure(verdict, run.steps[-1].response, run.usage())
            if not run.move_on(error, self.output.retries + 1):  # the retry below spends one
                raise error
            verdict = Retry(verdict.error)  # the failed answer and its error stay for it
        if isinstance(verdict, Retry):  # an invalid final answer (its error went back), or prose
            run.retries_left -= 1
            if not turn.answers:
                run.history.append(user_message(REMINDER))
        if isinstance(verdict, Accept):
            return run.finish(StopReason.DONE, pending, verdict.value)
        # With an output, only the final answer ends the run (or a limit).
        reason = self._stop_reason(run.steps, bool(turn.checked) or self.output is not None)
        return run.finish(reason, pending) if reason is not None else None

    def _stop_reason(self, steps: Sequence[Step], ran_tools: bool) -> StopReason | None:
        if not ran_tools:
            return StopReason.DONE
        if any(condition(steps) for condition in self.stop_when):
            return StopReason.STOP_CONDITION
        if steps[-1].number >= self.max_steps:  # model steps: a resumed run's step 0 is none
            return StopReason.STEP_LIMIT
        return None


if Agent.__doc__ and Agent.run.__doc__:  # (python -OO drops docstrings)
    Agent.__doc__ += RUN_OPTIONS_HELP
    Agent.run.__doc__ += f"\n{RUN_OPTIONS_HELP}"
