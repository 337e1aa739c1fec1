"""Anthropic ``stop_reason`` → our FinishReason."""

from __future__ import annotations

from reverie.finish_reason import FinishReason

_MAP = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    # The server paused a long provider-executed turn; the answer so far is complete.
    "pause_turn": FinishReason.STOP,
    "tool_use": FinishReason.TOOL_CALLS,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "refusal": FinishReason.CONTENT_FILTER,
}


def map_finish_reason(value: object) -> FinishReason:
    """``value`` as read (and checked) by the family's reader; anything else is ``other``."""
    if value is None:
        return FinishReason.UNKNOWN
    if not isinstance(value, str):
        return FinishReason.OTHER
    return _MAP.get(value, FinishReason.OTHER)
