"""The agent loop. One step: prepare, call the model, check tool calls, run tools, append
messages, check stop conditions. ``run`` and ``stream`` share this loop; only the model call
differs (``generate`` vs ``stream``), so both give the same steps for the same model output.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from reverie.accumulate import StreamAccumulator
from reverie.agent.approval import (
    Decision,
    PendingCall,
    check_approvals,
    check_resume,
    needs_screening,
    screen,
    unanswered_calls,
    with_results,
)
from reverie.agent.checks import (
    check_active_tools,
    check_callable,
    check_count,
    check_headers,
    check_model,
    check_names,
    check_optional_str,
    check_options,
    check_retry,
    check_run,
    check_seconds,
    check_settings,
    check_stop_when,
    check_tool_choice,
    check_tools_arg,
)
from reverie.agent.events import (
    AgentEvent,
    ApprovalRequired,
    PartialOutput,
    RunFinish,
    StepFinish,
    StepStart,
)
from reverie.agent.execute import RepairToolCall, check_call, repair_json, run_calls
from reverie.agent.hooks import AfterTool, BeforeTool, ToolHooks
from reverie.agent.output import (
    DEFAULT_OUTPUT_RETRIES,
    OUTPUT_TOOL,
    REMINDER,
    Output,
    PartialOutputs,
    not_run,
    tool_choice_for,
)
from reverie.agent.prepare import PrepareStep, StepContext, StepPlan
from reverie.agent.result import RunResult, Step, StopReason
from reverie.agent.stop import StopCondition
from reverie.agent.stream import AgentStream
from reverie.agent.tracing import RunTrace, start_run_trace
from reverie.content import Content, File, Reasoning, Text, ToolCall, ToolResult
from reverie.errors import ConfigurationError
from reverie.messages import (
    FilePart,
    Message,
    Metadata,
    Part,
    ReasoningPart,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    system_message,
    user_message,
)
from reverie.model import (
    Call,
    ErrorPart,
    LanguageModel,
    ProviderTool,
    Response,
    Settings,
    ToolChoice,
    stream_parts,
)
from reverie.tools.tool import Tool, as_tool
from reverie.usage import Usage

if TYPE_CHECKING:  # the HTTP stack loads only with a provider; OpenTelemetry when used
    from opentelemetry.trace import TracerProvider

    from reverie.retry import RetryPolicy


class RunOptions(TypedDict, total=False):
    """What one run may add to the agent's own configuration."""

    messages: Sequence[Message]
    """Earlier conversation (``RunResult.messages`` of a previous run), before ``prompt``."""
    files: Sequence[FilePart]
    """Files attached to the prompt's user message."""
    settings: Settings
    """Sampling settings; the fields set here win over the agent's."""
    provider_options: Metadata
    """Per-provider options, merged over the agent's per namespace."""
    headers: dict[str, str]
    """HTTP headers for this run's requests, over the agent's."""
    retry: RetryPolicy
    """Retries for this run's model requests, instead of the agent's (or the provider's)."""
    approvals: Mapping[str, Decision]
    """Decisions for the calls a run stopped for (``result.pending``), by tool call id:
    ``True`` runs the call, ``False`` or a reason denies it (the model gets an error result)."""


DEFAULT_MAX_STEPS = 20
"""A looping model cannot spend forever; raise ``max_steps`` for long tool chains."""

DEFAULT_TOOL_TIMEOUT = None
"""No limit: tools range from milliseconds to a build of many minutes, and stopping one with
side effects half-way is worse than waiting. Set ``tool_timeout=`` (or ``@tool(timeout=)``)
where a hung tool is a risk; a timed-out call becomes an error result and the run goes on."""


class Agent:
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
        max_concurrency: int = 8,
        tool_timeout: float | None = DEFAULT_TOOL_TIMEOUT,
        retry: RetryPolicy | None = None,
        output: type[Any] | Mapping[str, Any] | None = None,
        output_retries: int = DEFAULT_OUTPUT_RETRIES,
        before_tool: BeforeTool | None = None,
        after_tool: AfterTool | None = None,
        name: str | None = None,
        trace_content: bool | None = None,
        tracer_provider: TracerProvider | None = None,
    ) -> None:
        if isinstance(model, str):
            from reverie.providers.registry import resolve_model

            model = resolve_model(model)
        self.model: LanguageModel = check_model(model)
        check_optional_str(system, "system")
        self.system = system
        check_tools_arg(tools)
        self.tools: list[Tool | ProviderTool] = as_tools(tools)
        if isinstance(stop_sequences, str):
            raise ConfigurationError("stop_sequences must be a list of str, not a str: use ['END']")
        self.settings = Settings(
            max_output_tokens=max_output_tokens,
            temperature=temperature,
            top_p=top_p,
            top_k=top_k,
            presence_penalty=presence_penalty,
            frequency_penalty=frequency_penalty,
            stop_sequences=tuple(stop_sequences),
            seed=seed,
        )
        self.active_tools = check_names(active_tools, "active_tools")
        check_active_tools(self.active_tools, self.tools, "active_tools")
        active = self.active_tools
        offered = [t for t in self.tools if active is None or t.name in active]
        check_tool_choice(tool_choice, offered)
        if tool_choice not in (None, "auto", "none") and not offered:
            warnings.warn(
                f"tool_choice={tool_choice!r} has no effect: the agent offers no tools",
                stacklevel=2,
            )
        self.tool_choice = tool_choice
        check_stop_when(stop_when)
        self.stop_when: tuple[StopCondition, ...] = (
            (stop_when,) if callable(stop_when) else tuple(stop_when)
        )
        check_count(max_steps, "max_steps")
        self.max_steps = max_steps
        check_callable(prepare_step, "prepare_step")
        self.prepare_step = prepare_step
        check_callable(repair_tool_call, "repair_tool_call")
        self.repair_tool_call = repair_tool_call
        check_options(provider_options, "provider_options")
        self.provider_options: Metadata = dict(provider_options or {})
        check_headers(headers)
        self.headers = dict(headers or {})
        check_count(max_concurrency, "max_concurrency")
        self.max_concurrency = max_concurrency
        check_seconds(tool_timeout, "tool_timeout")
        self.tool_timeout = tool_timeout
        check_retry(retry)
        self.retry = retry
        if isinstance(output_retries, bool) or not isinstance(output_retries, int):
            raise TypeError(f"output_retries must be an int, not {output_retries!r}")
        if output_retries < 0:
            raise ConfigurationError(f"output_retries must be 0 or more, not {output_retries}")
        if output is not None and any(t.name == OUTPUT_TOOL for t in self.tools):
            raise ConfigurationError(f"the tool name {OUTPUT_TOOL!r} is the output's own")
        self.output = Output(output, output_retries) if output is not None else None
        check_callable(before_tool, "before_tool")
        self.before_tool = before_tool
        check_callable(after_tool, "after_tool")
        self.after_tool = after_tool
        check_optional_str(name, "name")
        self.name = name
        if trace_content is not None and not isinstance(trace_content, bool):
            raise TypeError(f"trace_content must be a bool, not {type(trace_content).__name__}")
        self.trace_content = trace_content
        if tracer_provider is not None and not hasattr(tracer_provider, "get_tracer"):
            raise TypeError(
                "tracer_provider must be an OpenTelemetry TracerProvider, "
                f"not {type(tracer_provider).__name__}"
            )
        self.tracer_provider = tracer_provider

    async def run(self, prompt: str | None = None, **options: Unpack[RunOptions]) -> RunResult:
        """Run to the end and return every step; limits end the run, they never raise."""
        check_run(prompt, options)
        events = self._loop(prompt, options, streaming=False)
        async with aclosing(events):
            async for event in events:
                if isinstance(event, RunFinish):
                    return event.result
        raise AssertionError("the agent loop ended without a result")

    def run_sync(self, prompt: str | None = None, **options: Unpack[RunOptions]) -> RunResult:
        """:meth:`run` for scripts, not for use inside a running event loop.

        Every ``run_sync``/``stream_sync`` call of a thread runs on that thread's one event
        loop, so the provider's connections are reused across calls and closed at exit."""
        from reverie.sync import thread_loop

        _refuse_running_loop("run_sync", "await agent.run(...)")
        return thread_loop().run(self.run(prompt, **options), self.model)

    def stream(self, prompt: str | None = None, **options: Unpack[RunOptions]) -> AgentStream:
        """Run while streaming: ``async for event in agent.stream(...)``; then ``.result``."""
        check_run(prompt, options)
        return AgentStream(self._loop(prompt, options, streaming=True))

    def stream_sync(
        self, prompt: str | None = None, **options: Unpack[RunOptions]
    ) -> Iterator[AgentEvent]:
        """:meth:`stream` for scripts: ``for event in agent.stream_sync(...)``; the last event
        is a ``RunFinish`` holding the result. Leaving the loop closes the model's stream
        at once. Runs on the thread's event loop, like :meth:`run_sync`."""
        from reverie.sync import thread_loop

        _refuse_running_loop("stream_sync", "async for event in agent.stream(...)")
        check_run(prompt, options)
        loop = thread_loop()
        events = self._loop(prompt, options, streaming=True)
        try:
            while True:
                try:
                    yield loop.run(_next_event(events), self.model)
                except StopAsyncIteration:
                    return
        finally:
            loop.run(events.aclose())

    async def _loop(
        self, prompt: str | None, options: RunOptions, *, streaming: bool
    ) -> AsyncGenerator[AgentEvent, None]:
        messages = options.get("messages", ())
        files = options.get("files", ())
        if prompt is None and not messages:
            raise ValueError("give the agent a prompt, or messages ending in a user turn")
        history = list(messages)
        if prompt is not None:
            history.append(user_message(prompt, files))
        base_settings = merge_settings(self.settings, options.get("settings"))
        base_options = merge_options(self.provider_options, options.get("provider_options"))
        call_headers = {**self.headers, **(options.get("headers") or {})}
        retry = options.get("retry") or self.retry
        steps: list[Step] = []
        output = self.output
        retries_left = output.retries if output is not None else 0
        resumed: list[ToolResult] = []
        approvals = check_approvals(options.get("approvals"))
        unanswered = unanswered_calls(messages) if messages else []
        if unanswered or approvals:
            check_resume(unanswered, approvals, prompt)

        trace = start_run_trace(
            agent_name=self.name,
            model=self.model,
            tracer_provider=self.tracer_provider,
            trace_content=self.trace_content,
            streaming=streaming,
        )

        def finish(reason: StopReason, pending: list[PendingCall], output: Any = None) -> RunFinish:
            usage = sum((s.usage for s in steps), Usage())
            result = RunResult(
                steps=steps,
                messages=history,
                stop_reason=reason,
                usage=usage,
                output=output,
                pending=pending,
                resumed=resumed,
            )
            if trace is not None:  # ended now, not when the consumer lets the generator go
                trace.finish(result)
                trace.close()
            return RunFinish(result)

        try:
            if unanswered:  # a run that stopped for approval, resumed: finish its step first
                tools = {t.name: t for t in self.tools if isinstance(t, Tool)}
                waiting = [await check_call(c, tools, self.repair_tool_call) for c in unanswered]
                resumed, pending = await self._run_tools(
                    waiting, tools, history, (), approvals, trace
                )
                for tool_result in resumed:
                    yield tool_result
                with_results(history, [_result_part(r) for r in resumed])
                if pending:
                    yield ApprovalRequired(pending)
                    yield finish(StopReason.APPROVAL, pending)
                    return

            while True:
                number = len(steps) + 1
                model, call, tools = await self._prepare(
                    number, steps, history, base_settings, base_options, call_headers, retry
                )
                yield StepStart(number)

                if trace is not None:
                    trace.start_chat(model, call)
                if streaming:
                    accumulator = StreamAccumulator()
                    partials = PartialOutputs() if output is not None else None
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
                elif trace is not None:
                    response = await trace.generate(model, call)
                else:
                    response = await model.generate(call)
                if trace is not None:
                    trace.end_chat(response)

                content: list[Content] = []
                checked: list[tuple[ToolCall, Any]] = []
                answers: list[ToolCall] = []  # calls of the output's final-answer tool
                for item in response.content:
                    if isinstance(item, ToolCall) and not item.provider_executed:
                        if output is not None and item.tool_name == OUTPUT_TOOL:
                            answers.append(item)
                        else:
                            item, args = await check_call(item, tools, self.repair_tool_call)
                            checked.append((item, args))
                    content.append(item)
                verdict = output.check(answers[0]) if output is not None and answers else None
                answered = verdict is not None and verdict[1] is None
                pending = []
                if answered:
                    # The run ends here: tools asked for in the same turn are not run.
                    results = [not_run(c) for c, _ in checked]
                else:
                    results, pending = (
                        await self._run_tools(checked, tools, history, content, None, trace)
                        if checked
                        else ([], [])
                    )
                if output is not None and verdict is not None:
                    results = output.with_answers(content, results, answers, verdict[1])
                for tool_result in results:
                    yield tool_result

                step_messages = to_messages(content, results)
                history.extend(step_messages)
                step = make_step(number, response, content, results, step_messages, model)
                steps.append(step)
                yield StepFinish(step)

                if pending:
                    yield ApprovalRequired(pending)
                if output is not None and not pending and not answered and (answers or not checked):
                    # An invalid final answer (its error result is sent back), or prose.
                    if retries_left == 0:
                        usage = sum((s.usage for s in steps), Usage())
                        raise output.failure(verdict, response, usage)
                    retries_left -= 1
                    if not answers:
                        history.append(user_message(REMINDER))
                # With an output, only the final answer ends the run (or a limit).
                go_on = not answered and (bool(checked) or output is not None)
                reason = StopReason.APPROVAL if pending else self._stop_reason(steps, go_on)
                if reason is not None:
                    yield finish(reason, pending, verdict[0] if answered and verdict else None)
                    return
        except GeneratorExit:  # closed by the consumer: nothing failed
            raise
        except BaseException as exc:
            keep_partial(exc, steps, history)
            if trace is not None:
                trace.fail(exc)
            raise
        finally:
            if trace is not None:
                trace.close()

    async def _run_tools(
        self,
        checked: list[tuple[ToolCall, Any]],
        tools: dict[str, Tool],
        history: Sequence[Message],
        content: Sequence[Content] = (),
        approvals: Mapping[str, Decision] | None = None,
        trace: RunTrace | None = None,
    ) -> tuple[list[ToolResult], list[PendingCall]]:
        """Run the calls that need no decision or have one; the rest are pending. ``content``
        is the model's turn that made the calls, when not yet in ``history``."""
        screening = bool(approvals) or needs_screening(checked, tools)
        hooked = self.before_tool is not None or self.after_tool is not None
        limit, timeout = self.max_concurrency, self.tool_timeout
        if not screening and not hooked:  # the common path: build nothing
            return await run_calls(checked, tools, limit, timeout, None, trace), []
        conversation = (*history, *to_messages(content, []))
        hooks = ToolHooks(self.before_tool, self.after_tool, conversation) if hooked else None
        if not screening:
            return await run_calls(checked, tools, limit, timeout, hooks, trace), []
        screened = await screen(checked, tools, approvals or {}, conversation)
        ran = await run_calls(screened.run, tools, limit, timeout, hooks, trace)
        return screened.in_call_order(checked, ran), screened.pending

    async def _prepare(
        self,
        number: int,
        steps: Sequence[Step],
        history: Sequence[Message],
        settings: Settings,
        options: Metadata,
        headers: dict[str, str],
        retry: RetryPolicy | None,
    ) -> tuple[LanguageModel, Call, dict[str, Tool]]:
        model = self.model
        sent = [system_message(self.system), *history] if self.system else list(history)
        tools = self.tools
        active = self.active_tools
        tool_choice = self.tool_choice
        if self.prepare_step is not None:
            context = StepContext(
                number=number,
                steps=tuple(steps),
                messages=tuple(sent),
                model=model,
                tools=tuple(tools),
                tool_choice=tool_choice,
                settings=settings,
            )
            plan = self.prepare_step(context)
            if inspect.isawaitable(plan):
                plan = await plan
            if plan is not None:
                assert isinstance(plan, StepPlan)
                model = plan.model or model
                if plan.messages is not None:
                    sent = list(plan.messages)
                if plan.system is not None:
                    sent = [system_message(plan.system), *(m for m in sent if m.role != "system")]
                if plan.tools is not None:
                    tools = as_tools(plan.tools)
                if plan.active_tools is not None:
                    active = check_names(plan.active_tools, "StepPlan.active_tools")
                    check_active_tools(active, tools, "StepPlan.active_tools")
                if plan.tool_choice is not None:
                    tool_choice = plan.tool_choice
                check_settings(plan.settings, "StepPlan.settings")
                settings = merge_settings(settings, plan.settings)
                options = merge_options(options, plan.provider_options)
        chosen = [t for t in tools if active is None or t.name in active]
        # The hook may have changed the tools or the choice: it must still name an offered tool.
        check_tool_choice(tool_choice, chosen, where="this step's tool_choice")
        # Provider tools are offered but run by the provider: only our tools are executable.
        offered = {t.name: t for t in chosen if isinstance(t, Tool)}
        call = Call(
            prompt=sent,
            tools=[t if isinstance(t, ProviderTool) else t.spec for t in chosen]
            + ([self.output.spec] if self.output is not None else []),
            # Offered tools are the model's to choose among unless the caller said otherwise
            # (as fantasy's agent does; a direct model call may leave the choice unset).
            tool_choice=tool_choice_for(tool_choice, bool(chosen), self.output is not None),
            settings=settings,
            provider_options=options,
            headers=headers,
            retry=retry,
        )
        return model, call, offered

    def _stop_reason(self, steps: Sequence[Step], ran_tools: bool) -> StopReason | None:
        if not ran_tools:
            return StopReason.DONE
        if any(condition(steps) for condition in self.stop_when):
            return StopReason.STOP_CONDITION
        if len(steps) >= self.max_steps:
            return StopReason.STEP_LIMIT
        return None


async def _next_event(events: AsyncGenerator[AgentEvent, None]) -> AgentEvent:
    return await events.__anext__()


def keep_partial(error: BaseException, steps: list[Step], history: list[Message]) -> None:
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


def _refuse_running_loop(name: str, instead: str) -> None:
    """The sync facade starts its own event loop, which cannot run inside another."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # no loop running: the normal case for a script
    raise RuntimeError(
        f"{name} cannot run inside a running event loop (async code, Jupyter): "
        f"use `{instead}` there"
    )


def as_tools(
    tools: Sequence[Tool | ProviderTool | Callable[..., Any]],
) -> list[Tool | ProviderTool]:
    """Tools from functions, Tool objects and provider tools; two tools of one name would
    shadow each other."""
    out = [t if isinstance(t, ProviderTool) else as_tool(t) for t in tools]
    names = [t.name for t in out]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigurationError(
            f"two tools share the name {duplicates[0]!r}; names must be unique"
        )
    return out


def to_messages(content: Sequence[Content], results: Sequence[ToolResult]) -> list[Message]:
    """A step's content as conversation messages: the assistant turn, then the tool turn."""
    parts: list[Part] = []
    for item in content:
        if isinstance(item, Text):
            parts.append(TextPart(text=item.text, provider_options=item.provider_metadata))
        elif isinstance(item, Reasoning):
            parts.append(ReasoningPart(text=item.text, provider_options=item.provider_metadata))
        elif isinstance(item, File):
            parts.append(
                FilePart(
                    data=item.data,
                    media_type=item.media_type,
                    provider_options=item.provider_metadata,
                )
            )
        elif isinstance(item, ToolCall):
            parts.append(
                ToolCallPart(
                    tool_call_id=item.tool_call_id,
                    tool_name=item.tool_name,
                    input=item.input,
                    provider_executed=item.provider_executed,
                    provider_options=item.provider_metadata,
                )
            )
        elif isinstance(item, ToolResult) and item.provider_executed:
            parts.append(_result_part(item))
    out: list[Message] = []
    if parts:
        out.append(Message(role="assistant", content=tuple(parts)))
    if results:
        out.append(Message(role="tool", content=tuple(_result_part(r) for r in results)))
    return out


def _result_part(result: ToolResult) -> ToolResultPart:
    return ToolResultPart(
        tool_call_id=result.tool_call_id,
        tool_name=result.tool_name,
        output=result.output,
        provider_executed=result.provider_executed,
        provider_options=result.provider_metadata,
    )


def make_step(
    number: int,
    response: Response,
    content: list[Content],
    results: list[ToolResult],
    messages: list[Message],
    model: LanguageModel,
) -> Step:
    return Step(
        number=number,
        content=[*content, *results],
        messages=messages,
        finish_reason=response.finish_reason,
        usage=response.usage,
        warnings=list(response.warnings),
        provider_metadata=response.provider_metadata,
        model=f"{model.provider}:{model.model_id}",
        model_id=response.model_id,
    )


def merge_settings(base: Settings, override: Settings | None) -> Settings:
    """``override``'s set fields win over ``base``."""
    if override is None:
        return base
    changes = {
        name: getattr(override, name)
        for name in Settings.__dataclass_fields__
        if getattr(override, name) not in (None, ())
    }
    return replace(base, **changes)


def merge_options(base: Metadata, override: Metadata | None) -> Metadata:
    """Merged per provider namespace; ``override``'s keys win."""
    if not override:
        return base
    merged = {ns: dict(values) for ns, values in base.items()}
    for ns, values in override.items():
        merged[ns] = {**merged.get(ns, {}), **values}
    return merged
