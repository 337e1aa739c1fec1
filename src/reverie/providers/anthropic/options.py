"""The ``anthropic`` provider-options namespace: what a call, a message, a part or a tool may
carry for Anthropic, and how the call-level options reach the request body.

>>> call_options: AnthropicOptions = {"thinking": {"budget_tokens": 4000}}
>>> marked = {"anthropic": {"cache_control": {"type": "ephemeral"}}}  # on a message or tool
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

from reverie.providers.wire import unknown_option
from reverie.warning import CallWarning

NAMESPACE = "anthropic"


class Thinking(TypedDict, total=False):
    """``{"budget_tokens": 4000}`` (extended thinking), or ``{"type": "adaptive"}`` where the
    model decides; ``{"type": "disabled"}`` sends nothing."""

    type: Literal["enabled", "adaptive", "disabled"]
    budget_tokens: int


class CacheControl(TypedDict, total=False):
    type: Literal["ephemeral"]
    ttl: Literal["5m", "1h"]


class AnthropicOptions(TypedDict, total=False):
    """Call options in the ``anthropic`` namespace."""

    thinking: Thinking
    effort: Literal["low", "medium", "high", "max"]
    """How much effort the model spends (models that support it); sent as ``output_config``."""
    disable_parallel_tool_use: bool
    send_reasoning: bool
    """Replay earlier thinking blocks (default true); false drops them from the prompt."""
    cache_control: CacheControl
    """Only meaningful on a message, part or tool (their ``provider_options``)."""
    metadata: dict[str, Any]
    betas: list[str]
    """Extra ``anthropic-beta`` flags."""


_KNOWN = frozenset(AnthropicOptions.__annotations__)


def read_options(options: Any) -> tuple[dict[str, Any], list[CallWarning]]:
    """The known call options (unknown ones are warned about, never sent)."""
    if not options:
        return {}, []
    warnings: list[CallWarning] = []
    known: dict[str, Any] = {}
    for key, value in dict(options).items():
        if key in _KNOWN and key != "cache_control":
            known[key] = value
        else:
            why = (
                "belongs on a message, part or tool"
                if key == "cache_control"
                else "is not an Anthropic option"
            )
            warnings.append(unknown_option(NAMESPACE, key, why))
    return known, warnings


def thinking_param(thinking: Any) -> dict[str, Any] | None:
    """The wire ``thinking`` field, or None when thinking is off."""
    if not isinstance(thinking, dict):
        return None
    kind = thinking.get("type")
    if kind == "disabled":
        return None
    if kind == "adaptive":
        return {"type": "adaptive"}
    budget = thinking.get("budget_tokens")
    if budget is None:
        return None
    return {"type": "enabled", "budget_tokens": int(budget)}


def cache_control(provider_options: Any) -> Any:
    """The cache marker of a message, part or tool, if it has one."""
    if not provider_options:
        return None
    own = provider_options.get(NAMESPACE)
    return own.get("cache_control") if isinstance(own, dict) else None
