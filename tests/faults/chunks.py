"""Chat-completions chunks and bodies for the fault cases."""

from __future__ import annotations

from typing import Any

from reverie import user_message
from reverie.providers.kit import Call

HELLO = Call(prompt=[user_message("hi")])


def text(delta: str) -> dict[str, Any]:
    return {"id": "c", "model": "gpt-4o", "choices": [{"index": 0, "delta": {"content": delta}}]}


def tool_start(name: str = "weather", call_id: str = "call_1") -> dict[str, Any]:
    call = {"index": 0, "id": call_id, "type": "function"}
    call["function"] = {"name": name, "arguments": ""}
    return {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}


def tool_args(fragment: str) -> dict[str, Any]:
    call = {"index": 0, "function": {"arguments": fragment}}
    return {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}


def finish(reason: str = "stop") -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}


OK_STREAM = [text("Hel"), text("lo"), finish(), "[DONE]"]


def completion(content: str = "ok", **message: Any) -> dict[str, Any]:
    return {
        "id": "c",
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"content": content, **message}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }


def error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "server_error"}}
