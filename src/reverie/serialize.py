"""Messages and run results to JSON and back, losslessly (people persist conversations).

Bytes (file data) travel as base64. pydantic is imported on first use only.

Files carry a ``schema_version``, the major version of their format: a conversation is
``{"schema_version": 2, "messages": [...]}``, a result is the result's object with
``"schema_version": 2`` first. Files without it are version 1 (a bare message list, a bare
result object) and still load. The version goes up only for a change an older reverie cannot
read; new optional fields keep it, since readers ignore fields they do not know. A file of a
higher version is refused with :class:`~reverie.errors.SerializationError`. Golden files of
every version live in ``tests/fixtures/golden/`` and must keep loading.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from reverie.agent.result import RunResult, StopReason
from reverie.errors import SerializationError
from reverie.messages import Message
from reverie.usage import Usage

SCHEMA_VERSION = 2
"""The format :func:`dump_messages` and :func:`dump_result` write (1: no version field)."""

_ADDED_IN_V2 = ("pending", "resumed")
"""Optional result fields newer than the first version-2 files (tool approval); ``output``
(structured output) is the other, written only when not ``None``."""


@cache
def _adapter(kind: str) -> Any:
    from pydantic import ConfigDict, TypeAdapter

    config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
    # pydantic refuses a config on a bare dataclass type, so results travel in a list too.
    target: Any = list[Message] if kind == "messages" else list[RunResult]
    return TypeAdapter(target, config=config)


def _dump_json(kind: str, value: Any, **options: Any) -> bytes:
    """pydantic's JSON of ``value``; text with a lone surrogate (which UTF-8 cannot carry:
    a tool's output, a prompt) is written with U+FFFD in its place, as requests send it."""
    adapter = _adapter(kind)
    try:
        data: bytes = adapter.dump_json(value, **options)
    except ValueError as exc:  # PydanticSerializationError
        if "surrogates not allowed" not in str(exc):
            raise
        from reverie.http.body import utf8

        plain = adapter.dump_python(value, mode="json", **options)
        return utf8(json.dumps(plain, ensure_ascii=False, separators=(",", ":")))
    return data


def dump_messages(messages: Sequence[Message]) -> str:
    """``messages`` as a JSON string: ``{"schema_version": 2, "messages": [...]}``."""
    data = _dump_json("messages", list(messages))
    return f'{{"schema_version":{SCHEMA_VERSION},"messages":{data.decode()}}}'


def load_messages(text: str | bytes) -> list[Message]:
    """The messages :func:`dump_messages` wrote, in this version or an earlier one."""
    value = _parse(text, "messages")
    if isinstance(value, dict):
        if "messages" not in value:
            raise SerializationError("not a conversation file: it has no 'messages'")
        raw = json.dumps(value["messages"])  # base64 bytes stay strings until validated
    elif isinstance(value, list):  # version 1: the bare list
        raw = text if isinstance(text, str) else text.decode()
    else:
        raise SerializationError("not a conversation file: expected a JSON object")
    messages: list[Message] = _validate("messages", raw)
    return messages


def dump_result(result: RunResult) -> str:
    """A whole run (steps, messages, usage, stop reason, output, calls waiting for approval)
    as a JSON string."""
    # Fields added within version 2 are written only when set: a result without them is the
    # same file as before, which every version-2 reader loads. An output may be falsy (0, {}).
    unset = {name for name in _ADDED_IN_V2 if not getattr(result, name)}
    if result.output is None:
        unset.add("output")
    exclude: dict[str, Any] = dict.fromkeys(unset, True)
    if usage := _usage_unset(result.usage):
        exclude["usage"] = usage
    # A step's attempts is written only when the call was retried (newer than version 2.0),
    # its usage's cost_source and reported only when set (as the run's usage's).
    steps: dict[int, dict[str, Any]] = {}
    for i, step in enumerate(result.steps):
        left: dict[str, Any] = {"attempts": True} if step.attempts == 1 else {}
        if usage := _usage_unset(step.usage):
            left["usage"] = usage
        if left:
            steps[i] = left
    if steps:
        exclude["steps"] = steps
    data = _dump_json("result", [result], exclude={0: exclude} if exclude else None)
    body = data.decode()[1:-1]  # the result's object, out of its list
    return f'{{"schema_version":{SCHEMA_VERSION},{body[1:]}'


def _usage_unset(usage: Usage) -> dict[str, bool]:
    """A usage's fields newer than version 2.0 that hold their default (not written)."""
    unset = {}
    if usage.cost_source is None:
        unset["cost_source"] = True
    if usage.reported:
        unset["reported"] = True
    return unset


def load_result(text: str | bytes) -> RunResult:
    """The run :func:`dump_result` wrote, in this version or an earlier one."""
    value = _parse(text, "result")
    if not isinstance(value, dict):
        raise SerializationError("not a result file: expected a JSON object")
    raw = text if isinstance(text, str) else text.decode()
    # schema_version is a field RunResult does not have: pydantic ignores it.
    results: list[RunResult] = _validate("result", f"[{raw}]")
    _check_pending(results[0])
    return results[0]


def _check_pending(result: RunResult) -> None:
    """A result stopped for approval lists exactly the calls its messages end with unanswered
    (id, tool and input): a file whose ``pending`` and ``messages`` disagree was edited, and
    a person deciding on what ``pending`` shows would approve something else."""
    if not result.pending and result.stop_reason != StopReason.APPROVAL:
        return
    from reverie.agent.approval import pending_calls

    waiting = pending_calls(result.messages)
    if result.pending != waiting:
        shown = ", ".join(repr(p.tool_call_id) for p in result.pending) or "none"
        actual = ", ".join(repr(p.tool_call_id) for p in waiting) or "none"
        raise SerializationError(
            "not a valid result file: its pending calls are not the calls waiting in its "
            f"messages (pending: {shown}; waiting: {actual}; a call's tool or input may differ)"
        )
    ids = [p.tool_call_id for p in waiting]
    if len(set(ids)) < len(ids):
        raise SerializationError(
            "not a valid result file: calls waiting for approval share an id, so a decision "
            "could not tell them apart"
        )


def _parse(text: str | bytes, kind: str) -> Any:
    """The JSON value, once its schema_version is known to be readable."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SerializationError(f"not a {kind} file: invalid JSON ({exc})") from None
    except RecursionError:
        raise SerializationError(f"not a {kind} file: JSON nested too deeply to read") from None
    version = value.get("schema_version", 1) if isinstance(value, dict) else 1
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SerializationError(f"schema_version must be a whole number, not {version!r}")
    if version > SCHEMA_VERSION:
        raise SerializationError(
            f"this {kind} file has schema_version {version}, written by a newer reverie; "
            f"this one reads versions 1 to {SCHEMA_VERSION}: upgrade reverie to load it"
        )
    return value


_PART_TYPES = frozenset({"text", "file", "reasoning", "tool-call", "tool-result"})
"""The ``type`` of each message part (``reverie.messages.Part``)."""


def _unknown_part(kind: str, raw: str) -> str | None:
    """Where a file's message holds a part of a type reverie does not know (pydantic would
    only say which fields each known part lacks), or None."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if kind == "result":
        first = value[0] if isinstance(value, list) and value else None
        value = first.get("messages") if isinstance(first, dict) else None
    for i, message in enumerate(value if isinstance(value, list) else ()):
        content = message.get("content") if isinstance(message, dict) else None
        for j, part in enumerate(content if isinstance(content, list) else ()):
            name = part.get("type") if isinstance(part, dict) else None
            if isinstance(name, str) and name not in _PART_TYPES:
                return f"messages.{i}.content.{j}: unknown part type {name[:50]!r}"
    return None


def _validate(kind: str, raw: str) -> Any:
    try:
        return _adapter(kind).validate_json(raw)
    except ValueError as exc:  # pydantic's ValidationError: name where, not the values
        unknown = _unknown_part(kind, raw)
        if unknown:
            raise SerializationError(f"not a valid {kind} file: {unknown}") from None
        errors = getattr(exc, "errors", None)
        if callable(errors):
            first = errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            detail = f"{where}: {first.get('msg')}"
        else:
            detail = str(exc)
        raise SerializationError(f"not a valid {kind} file: {detail}") from exc
