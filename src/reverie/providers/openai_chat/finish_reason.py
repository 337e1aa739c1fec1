"""OpenAI chat ``finish_reason`` → our FinishReason."""

from __future__ import annotations

from reverie.finish_reason import FinishReason

_MAP = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
    "error": FinishReason.ERROR,
}


def map_finish_reason(value: str | None) -> FinishReason:
    if value is None:
        return FinishReason.UNKNOWN
    return _MAP.get(value, FinishReason.OTHER)
