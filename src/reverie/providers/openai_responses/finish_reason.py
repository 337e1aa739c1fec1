"""A Responses answer's status → our FinishReason.

The Responses API has no finish reason of its own: a completed answer stopped on its own
(or to call tools); an incomplete one says why in ``incomplete_details.reason``.
"""

from __future__ import annotations

from typing import Any

from reverie.finish_reason import FinishReason

_INCOMPLETE = {
    "max_output_tokens": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
}


def map_finish_reason(status: Any, incomplete: Any, has_tool_calls: bool) -> FinishReason:
    """``status`` and ``incomplete_details`` of the response; ``has_tool_calls`` when it
    holds function calls our side must run."""
    if status == "failed":
        return FinishReason.ERROR
    reason = incomplete.get("reason") if isinstance(incomplete, dict) else None
    if not isinstance(reason, str):  # none given (or not a word: not worth failing for)
        if status in ("completed", "incomplete", None):
            return FinishReason.TOOL_CALLS if has_tool_calls else FinishReason.STOP
        return FinishReason.UNKNOWN
    mapped = _INCOMPLETE.get(reason)
    if mapped is not None:
        return mapped
    return FinishReason.TOOL_CALLS if has_tool_calls else FinishReason.OTHER
