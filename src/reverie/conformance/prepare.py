"""The prepare-step hooks that group files name (``prepare_step = "..."``), built on the
public ``Agent(prepare_step=...)`` and ``StepPlan``."""

from __future__ import annotations

from dataclasses import replace

from reverie.agent import StepContext, StepPlan
from reverie.agent.prepare import PrepareStep
from reverie.messages import Message, Metadata


def anthropic_cache_control(context: StepContext) -> StepPlan:
    """SCENARIOS.md §3: clear every message's provider options, then mark with Anthropic's
    ephemeral cache control the last system message before the first other message and the
    last two messages."""
    messages: list[Message] = [replace(m, provider_options={}) for m in context.messages]
    marked: set[int] = set()
    first_other = next((i for i, m in enumerate(messages) if m.role != "system"), None)
    if first_other:  # some system message precedes it
        marked.add(first_other - 1)
    marked.update(range(max(len(messages) - 2, 0), len(messages)))
    for index in marked:
        messages[index] = replace(messages[index], provider_options=_ephemeral())
    return StepPlan(messages=messages)


def _ephemeral() -> Metadata:
    return {"anthropic": {"cache_control": {"type": "ephemeral"}}}


PREPARE_STEPS: dict[str, PrepareStep] = {"anthropic_cache_control": anthropic_cache_control}
