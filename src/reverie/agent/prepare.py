"""Preparing a step: the prepare-step hook (change model, messages, tools or settings before
any step) and the model call the step sends."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from reverie.agent.checks import (
    as_tools,
    check_active_tools,
    check_settings,
    check_tool_choice,
)
from reverie.agent.output import tool_choice_for
from reverie.agent.result import Step
from reverie.messages import Message, Metadata, system_message
from reverie.model import Call, FunctionTool, LanguageModel, ProviderTool, Settings, ToolChoice
from reverie.tools.tool import Tool

if TYPE_CHECKING:
    from reverie.retry import RetryPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class StepContext:
    """What the hook sees. ``messages`` is exactly what will be sent, system message first."""

    number: int
    steps: Sequence[Step]
    messages: Sequence[Message]
    model: LanguageModel
    tools: Sequence[Tool | ProviderTool]
    tool_choice: ToolChoice | None
    settings: Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class StepPlan:
    """Changes for one step; ``None`` keeps the agent's value.

    ``messages`` replaces what is sent for this step only: the run's history is unchanged.
    ``active_tools`` limits the tools offered to these names.
    """

    model: LanguageModel | None = None
    messages: Sequence[Message] | None = None
    system: str | None = None
    tools: Sequence[Tool | ProviderTool | Callable[..., Any]] | None = None
    active_tools: Sequence[str] | None = None
    tool_choice: ToolChoice | None = None
    settings: Settings | None = None
    provider_options: Metadata | None = None


PrepareStep = Callable[[StepContext], "StepPlan | Awaitable[StepPlan | None] | None"]


@dataclass(slots=True, kw_only=True)  # not frozen: made every step, frozen costs 2 µs
class StepSetup:
    """What one step sends: the agent's configuration, then what the hook changed."""

    model: LanguageModel
    messages: list[Message]
    """System message (if any) first, then the history."""
    tools: Sequence[Tool | ProviderTool]
    active: tuple[str, ...] | None
    tool_choice: ToolChoice | None
    settings: Settings
    options: Metadata


async def ask_hook(
    hook: PrepareStep, setup: StepSetup, number: int, steps: Sequence[Step]
) -> StepSetup:
    """The setup after the ``prepare_step`` hook (sync or async) had its say."""
    context = StepContext(
        number=number,
        steps=tuple(steps),
        messages=tuple(setup.messages),
        model=setup.model,
        tools=tuple(setup.tools),
        tool_choice=setup.tool_choice,
        settings=setup.settings,
    )
    plan = hook(context)
    if inspect.isawaitable(plan):
        plan = await plan
    if plan is None:
        return setup
    assert isinstance(plan, StepPlan)
    return apply_plan(plan, setup)


def apply_plan(plan: StepPlan, setup: StepSetup) -> StepSetup:
    messages = list(plan.messages) if plan.messages is not None else setup.messages
    if plan.system is not None:
        messages = [system_message(plan.system), *(m for m in messages if m.role != "system")]
    tools = as_tools(plan.tools) if plan.tools is not None else setup.tools
    active = setup.active
    if plan.active_tools is not None:
        active = check_active_tools(plan.active_tools, tools, "StepPlan.active_tools")
    check_settings(plan.settings, "StepPlan.settings")
    return StepSetup(
        model=plan.model or setup.model,
        messages=messages,
        tools=tools,
        active=active,
        tool_choice=plan.tool_choice if plan.tool_choice is not None else setup.tool_choice,
        settings=merge_settings(setup.settings, plan.settings),
        options=merge_options(setup.options, plan.provider_options),
    )


def build_call(
    setup: StepSetup,
    output: FunctionTool | None,
    headers: dict[str, str],
    retry: RetryPolicy | None,
) -> tuple[Call, dict[str, Tool]]:
    """The step's model call, and the tools it may run by name."""
    chosen = [t for t in setup.tools if setup.active is None or t.name in setup.active]
    # The hook may have changed the tools or the choice: it must still name an offered tool.
    check_tool_choice(setup.tool_choice, chosen, where="this step's tool_choice")
    # Provider tools are offered but run by the provider: only our tools are executable.
    offered = {t.name: t for t in chosen if isinstance(t, Tool)}
    call = Call(
        prompt=setup.messages,
        tools=[t if isinstance(t, ProviderTool) else t.spec for t in chosen]
        + ([output] if output is not None else []),
        # Offered tools are the model's to choose among unless the caller said otherwise
        # (as fantasy's agent does; a direct model call may leave the choice unset).
        tool_choice=tool_choice_for(setup.tool_choice, bool(chosen), output is not None),
        settings=setup.settings,
        provider_options=setup.options,
        headers=headers,
        retry=retry,
    )
    return call, offered


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
