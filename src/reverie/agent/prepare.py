"""The prepare-step hook: change model, messages, tools or settings before any step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reverie.agent.result import Step
from reverie.messages import Message, Metadata
from reverie.model import LanguageModel, ProviderTool, Settings, ToolChoice
from reverie.tools.tool import Tool


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
