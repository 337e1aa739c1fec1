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


def map_finish_reason(value: object) -> FinishReason:
    if value is None:
        return FinishReason.UNKNOWN
    if not isinstance(value, str):  # a malformed answer: not worth failing a finished call
        return FinishReason.OTHER
    return _MAP.get(value, FinishReason.OTHER)


def refused(reason: FinishReason, refusal: bool) -> FinishReason:
    """A model that sent a ``refusal`` stopped for its content policy, whatever it says."""
    return FinishReason.CONTENT_FILTER if refusal and reason is FinishReason.STOP else reason
