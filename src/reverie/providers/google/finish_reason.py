"""Gemini ``finishReason`` → our FinishReason."""

from __future__ import annotations

from reverie.finish_reason import FinishReason

_FILTERED = FinishReason.CONTENT_FILTER
_MAP = {
    "STOP": FinishReason.STOP,
    "MAX_TOKENS": FinishReason.LENGTH,
    "SAFETY": _FILTERED,
    "RECITATION": _FILTERED,
    "BLOCKLIST": _FILTERED,
    "PROHIBITED_CONTENT": _FILTERED,
    "SPII": _FILTERED,
    "IMAGE_SAFETY": _FILTERED,
    "IMAGE_PROHIBITED_CONTENT": _FILTERED,
    "IMAGE_RECITATION": _FILTERED,
    "MALFORMED_FUNCTION_CALL": FinishReason.ERROR,
    "UNEXPECTED_TOOL_CALL": FinishReason.ERROR,
    "TOO_MANY_TOOL_CALLS": FinishReason.ERROR,
    "LANGUAGE": FinishReason.OTHER,
    "OTHER": FinishReason.OTHER,
    "IMAGE_OTHER": FinishReason.OTHER,
    "NO_IMAGE": FinishReason.OTHER,
    "FINISH_REASON_UNSPECIFIED": FinishReason.UNKNOWN,
}


def map_finish_reason(value: object, *, has_tool_calls: bool = False) -> FinishReason:
    """Gemini says ``STOP`` after function calls too; we say ``tool-calls`` then."""
    if not isinstance(value, str):
        return FinishReason.UNKNOWN
    reason = _MAP.get(value, FinishReason.OTHER)
    if reason is FinishReason.STOP and has_tool_calls:
        return FinishReason.TOOL_CALLS
    return reason
