"""Messages and run results to JSON and back, losslessly (people persist conversations).

Bytes (file data) travel as base64. pydantic is imported on first use only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from reverie.agent.result import RunResult
from reverie.messages import Message


@cache
def _adapter(kind: str) -> Any:
    from pydantic import ConfigDict, TypeAdapter

    config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
    # pydantic refuses a config on a bare dataclass type, so results travel in a list too.
    target: Any = list[Message] if kind == "messages" else list[RunResult]
    return TypeAdapter(target, config=config)


def dump_messages(messages: Sequence[Message]) -> str:
    """``messages`` as a JSON string."""
    data: bytes = _adapter("messages").dump_json(list(messages))
    return data.decode()


def load_messages(text: str | bytes) -> list[Message]:
    """The messages :func:`dump_messages` wrote."""
    messages: list[Message] = _adapter("messages").validate_json(text)
    return messages


def dump_result(result: RunResult) -> str:
    """A whole run (steps, messages, usage, stop reason) as a JSON string."""
    data: bytes = _adapter("result").dump_json([result])
    return data.decode()[1:-1]


def load_result(text: str | bytes) -> RunResult:
    raw = text.encode() if isinstance(text, str) else text
    results: list[RunResult] = _adapter("result").validate_json(b"[" + raw + b"]")
    return results[0]
