"""What both UI protocols need: tool outputs as JSON values, and errors a browser may see."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from reverie.messages import ErrorOutput, MediaOutput, TextOutput, ToolOutput

OnError = Callable[[BaseException], str]
"""Turns an error that ends a stream into the text the browser is shown."""


def hide_error(error: BaseException) -> str:
    """The default: a generic sentence. An error's message may quote a prompt, a key echoed by
    a server or a stack detail, so it reaches the browser only when the app says so
    (``on_error=str``, or a function of its own)."""
    return "An error occurred."


def output_value(output: ToolOutput) -> Any:
    """A tool's output as a JSON value: text that is JSON is sent parsed, other text as a
    string, media as a data URL with its text."""
    if isinstance(output, TextOutput):
        try:
            return json.loads(output.text)
        except ValueError:
            return output.text
    if isinstance(output, MediaOutput):
        value: dict[str, Any] = {
            "mediaType": output.media_type,
            "url": f"data:{output.media_type};base64,{output.data}",
        }
        if output.text is not None:
            value["text"] = output.text
        return value
    return output.message


def is_error(output: ToolOutput) -> bool:
    return isinstance(output, ErrorOutput)


def input_value(text: str) -> tuple[Any, bool]:
    """A call's JSON input parsed, and whether it parsed."""
    try:
        return json.loads(text) if text else {}, True
    except ValueError:
        return text, False


def sse(data: str) -> str:
    """One server-sent event carrying ``data`` (JSON text holds no newline)."""
    return f"data: {data}\n\n"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
